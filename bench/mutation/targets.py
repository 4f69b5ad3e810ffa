"""What the mutation run mutates, which fast tests judge each module, and known equivalents.

The tests are the fast, offline ones: tests/unit and the redactor's security tests. The online
rules are judged by tests against local HTTP, GitHub, registry and Synapse servers (minutes
per mutant); only ``compressed-in-transit``, whose logic the issue named, has unit tests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    path: str  # in the repository
    tests: tuple[str, ...]  # pytest arguments: files, or a file and `-k` expression


def _rule(module: str, *extra: str) -> Target:
    name = module.replace("_", "-")
    return Target(
        f"rules/{module}.py",
        (
            f"tests/unit/test_{module}.py",
            *extra,
            "tests/unit/test_catalogue.py",
            "-k",
            f"{name} or not test_catalogue",
        ),
    )


TARGETS: tuple[Target, ...] = (
    _rule("invalid_reference"),
    _rule("unsupported_scheme"),
    _rule("insecure_http"),
    _rule("credentials_in_url"),
    _rule("url_too_long"),
    _rule("synapse_id_syntax"),
    _rule("invalid_manifest"),
    _rule("host_not_allowed"),
    _rule("github_unpinned_ref"),
    _rule("github_page_url"),
    _rule("viewer_page_url"),
    _rule("expiring_url"),
    _rule("mutable_url"),
    _rule("forge_unpinned_ref"),
    _rule("landing_page_url"),
    _rule("hash_missing"),
    _rule("hash_without_url"),
    _rule("hash_format"),
    _rule("docker_image_unpinned"),
    _rule("unused_suppression"),
    _rule("unknown_rule"),
    Target("rules/compressed_in_transit.py", ("tests/unit/test_compressed_in_transit.py",)),
    Target(
        "linter/refs/medperf_url.py",
        (
            "tests/unit/test_medperf_url_fast_path.py",
            "tests/unit/test_medperf_url.py",
            "tests/unit/test_invalid_reference.py",
        ),
    ),
    Target(
        "linter/refs/hosts.py",
        (
            "tests/unit/test_hosts.py",
            "tests/unit/test_github_unpinned_ref.py",
            "tests/unit/test_github_page_url.py",
            "tests/unit/test_mutable_url.py",  # reads the Drive and Dropbox host tables
        ),
    ),
    Target(
        "linter/refs/redact.py",
        (
            "tests/unit/test_redact.py",
            "tests/security/test_redactor.py",
            "tests/unit/test_credentials_in_url.py",
        ),
    ),
    Target(
        "linter/input/suppressions.py",
        (
            "tests/unit/test_suppressions.py",
            "tests/unit/test_unused_suppression.py",
            "tests/unit/test_unknown_rule.py",
        ),
    ),
)

# The survivors issue 16 names: always run, whatever the sample draws (matched as prefixes).
PINNED: dict[str, tuple[str, ...]] = {
    "linter/refs/redact.py": ("entry: delete 'x-amz-security-token'",),
    "linter/input/suppressions.py": ("guard: delete `if not match: continue`",),
    "rules/compressed_in_transit.py": (
        "return: return (_TYPES[media], f'its Content-Type {media}') -> return None",
        "entry: delete ('.tgz', 'gzip')",
        "entry: delete ('.zst', 'zstd')",
    ),
    "rules/invalid_reference.py": ("boolop: ref.raw.startswith(DIRECT_PREFIX) and parse_resource",),
    "linter/refs/medperf_url.py": (r"constant: '(?:\\.(?:",),  # the IP octet pieces
    "linter/refs/hosts.py": (
        "guard: delete `if self.kind == 'gist-raw'",
        "guard: delete `if self.kind == 'codeload'",
        "entry: delete 'codeload.github.com' from {",
        "entry: delete 'gist.githubusercontent.com' from {",
    ),
    "rules/viewer_page_url.py": ("constant: '&resourcekey=' -> ''",),
    "rules/synapse_id_syntax.py": ("entry: delete 'http' from ('http', 'https')",),
    "rules/mutable_url.py": (
        "entry: delete 't.ly'",
        "constant: 'doi.org' -> ''",
        "constant: 'static' -> ''",
    ),
    "rules/docker_image_unpinned.py": (
        "boolop: lowered != value and _reference().fullmatch(lowered)",
    ),
}

# Mutants that cannot change behaviour, with the reason; excluded from the score (prefixes).
EQUIVALENT: dict[str, dict[str, str]] = {
    "rules/mutable_url.py": {
        "entry: delete 'we.tl' from": "check() returns before the shortener table for every "
        "WeTransfer link (is_wetransfer: expiring-url reports them), so the entry is never read",
    },
    "linter/input/suppressions.py": {
        "guard: delete `if 'medperf-lint' not in text: continue`": "a pre-filter for speed: "
        "_PRAGMA itself needs the text 'medperf-lint', so every line it skips fails the search",
        "constant: 'medperf-lint' -> ''": "the same pre-filter: '' is in every line, so no "
        "line is skipped, as when the guard is deleted",
    },
    "linter/refs/redact.py": {
        "guard: delete `if decoded == key: break`": "normalize_key stops early for speed: "
        "once unquote_plus leaves the key unchanged, the remaining rounds change nothing",
    },
    "linter/refs/medperf_url.py": {
        "guard: delete `if not value.lower().startswith(_SCHEMES): return False`": "the full "
        "expression accepts the same three schemes, case-blind: only slower",
        "guard: delete `if _COMMON.match(value): return True`": "the fast path accepts a strict "
        "subset of the full expression (test_medperf_url_fast_path.py): only slower",
    },
    "rules/compressed_in_transit.py": {
        "constant: 1 -> 2": "path.rsplit('/', 2)[-1] is the same last segment as rsplit('/', 1)",
    },
    "rules/host_not_allowed.py": {
        "constant: 1 -> 2": "entry.split(':', 2)[0] is the same first part as split(':', 1)[0]",
    },
    "rules/url_too_long.py": {
        "entry: delete None from (None, '--ref')": "no reader makes a length-limited reference "
        "without a field: documents.py passes each field's name (a str), --ref passes '--ref'",
    },
    "rules/github_page_url.py": {
        "return: return False -> return None": "its only caller tests the result for truth, "
        "and None is false",
    },
    "rules/github_unpinned_ref.py": {
        "guard: delete `if key is None: return None`": "github.get(None) is None, so the "
        "lines after it return None for the same input",
    },
}
