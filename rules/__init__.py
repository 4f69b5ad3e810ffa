"""The rule registry: one module per rule, listed here once. Order is display order."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from ..rule import Rule

_ORDER = (
    "invalid_reference",
    "unsupported_scheme",
    "insecure_http",
    "credentials_in_url",
    "url_too_long",
    "synapse_id_syntax",
    "invalid_manifest",
    "host_not_allowed",
    "misspelt_field",
    "github_unpinned_ref",
    "github_page_url",
    "forge_unpinned_ref",
    "viewer_page_url",
    "landing_page_url",
    "expiring_url",
    "mutable_url",
    "hash_missing",
    "hash_without_url",
    "hash_format",
    "hash_mismatch",
    "hash_computed",
    "docker_image_unpinned",
    "docker_image_not_found",
    "docker_digest_mismatch",
    "docker_registry_private",
    "not_direct_download",
    "html_content",
    "unreachable",
    "not_public",
    "redirected",
    "inconclusive",
    "compressed_in_transit",
    "github_commit_not_found",
    "forge_commit_not_found",
    "synapse_not_found",
    "synapse_not_a_file",
    "synapse_no_access",
    "synapse_access_requirements",
    "synapse_auth_missing",
    "synapse_auth_invalid",
    "synapse_mutable_version",
    "archive_invalid",
    "archive_unsafe",
    "demo_dataset_invalid",
    "unused_suppression",
    "unknown_rule",
    "ignored_setting",
)

_MODULES: tuple[ModuleType, ...] = tuple(import_module(f"{__name__}.{name}") for name in _ORDER)
RULES: tuple[Rule, ...] = tuple(Rule.from_module(m) for m in _MODULES)
BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}


def lookup(name_or_code: str) -> Rule | None:
    """Find a rule by kebab-case name or by code, case-insensitively for codes."""
    key = name_or_code.strip()
    return BY_NAME.get(key.lower()) or BY_CODE.get(key.upper())


def known_selector(name: str) -> bool:
    """True for what ``select``/``ignore`` accept: a name, a code, a code prefix or ``ALL``."""
    key = name.strip()
    if key.upper() == "ALL" or lookup(key):
        return True
    return key.upper().startswith("MPL") and any(r.code.startswith(key.upper()) for r in RULES)


def closest(name: str) -> str | None:
    """The rule name or code nearest to a misspelt ``name`` (as ruff suggests), or None."""
    import difflib

    key = name.strip()
    if key.upper().startswith("MPL"):
        found = difflib.get_close_matches(key.upper(), list(BY_CODE), n=1)
    else:
        found = difflib.get_close_matches(key.lower(), list(BY_NAME), n=1)
    return found[0] if found else None
