"""The projects the fake forges hold, and how the tests lint URLs against them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lintkit import lint_yaml
from medperf_lint import Report
from servers.fake_forges import (
    BITBUCKET,
    CODEBERG,
    GITLAB,
    HUGGING_FACE,
    SELF_HOSTED_GITLAB,
    FakeForges,
    Project,
)


def sha(tag: str) -> str:
    """A readable fake 40-hex SHA: ``sha("a1")`` -> ``"a1a1a1…"``."""
    return (tag * 40)[:40]


MAIN, TAGGED, OLD, MISSING = sha("a1"), sha("b2"), sha("c3"), sha("dd")
FORGE_RULES = ("forge-unpinned-ref", "forge-commit-not-found", "inconclusive")


def populate(server: FakeForges) -> None:
    """fets/model on every forge: main at MAIN, tag v1 at TAGGED, an older commit OLD; a private
    project on each; a dataset on Hugging Face."""
    for host, name in (
        (GITLAB, "fets/model"),
        (SELF_HOSTED_GITLAB, "fets/model"),
        (BITBUCKET, "fets/model"),
        (CODEBERG, "fets/model"),
        (HUGGING_FACE, "fets/model"),
        (HUGGING_FACE, "datasets/fets/data"),
    ):
        server.add(host, name, Project({"main": MAIN}, {"v1": TAGGED}, {OLD}))
        server.add(host, "fets/secret", Project({"main": MAIN}, private=True))


def urls(server: FakeForges, ref: str = "main", tag: str = "branch") -> dict[str, str]:
    """One file URL per forge at ``ref`` (Codeberg's says ``tag`` or ``branch`` or commit)."""
    return {
        "gitlab": server.url(GITLAB, f"/fets/model/-/raw/{ref}/weights.tar.gz"),
        "bitbucket": server.url(BITBUCKET, f"/fets/model/raw/{ref}/weights.tar.gz"),
        "codeberg": server.url(CODEBERG, f"/fets/model/raw/{tag}/{ref}/weights.tar.gz"),
        "huggingface": server.url(HUGGING_FACE, f"/fets/model/resolve/{ref}/weights.tar.gz"),
    }


def lint_urls(
    tmp_path: Path,
    server: FakeForges,
    values: dict[str, str],
    select: tuple[str, ...] = FORGE_RULES,
    **overrides: Any,
) -> Report:
    """Lint ``values`` as a free-form YAML file (``key: url`` lines), online."""
    text = "".join(f"{k}: {v}\n" for k, v in values.items())
    overrides.setdefault("cache_dir", str(tmp_path / "cache"))
    overrides.setdefault("retries", 0)
    overrides.setdefault("resolve", server.resolve())
    overrides.setdefault("allow_private_hosts", True)
    return lint_yaml(tmp_path, text, "weights.yaml", online=True, select=select, **overrides)


def fixes(report: Report) -> dict[str, str]:
    """Replacement per original value, for findings that carry a fix."""
    return {f.reference or "": f.fix.replacement for f in report.findings if f.fix is not None}
