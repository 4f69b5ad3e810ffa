"""Every install snippet in the docs resolves: a commit or tag this repository has, at the
version the snippet names, which is ``medperf_lint.__version__``."""

from __future__ import annotations

import re
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from clikit import ROOT
from medperf_lint import __version__

DOCS = (ROOT / "README.md", ROOT / "docs" / "releasing.md", ROOT / "CHANGELOG.md")
_FENCE = re.compile(r"^[ \t]*```[a-z]*\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
# `mlcommons/medperf-lint@REF  # vX.Y.Z`, pip's `...medperf-lint@REF"  # vX.Y.Z` and
# pre-commit's `rev: REF  # frozen: vX.Y.Z`; the comment is optional for a tag.
_PINNED = re.compile(
    r"(?:mlcommons/medperf-lint@|\brev: )(?P<ref>[\w.-]+)\"?(?:[ \t]+#[ \t]*(?:frozen:[ \t]*)?(?P<version>v\S+))?"
)
_SHA = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class Snippet:
    where: str
    line: str
    ref: str
    version: str | None


def _code_blocks(path: Path) -> list[str]:
    return [textwrap.dedent(b) for b in _FENCE.findall(path.read_text(encoding="utf-8"))]


def _snippets() -> list[Snippet]:
    found = []
    for path in DOCS:
        for block in _code_blocks(path):
            for line in block.splitlines():
                for match in _PINNED.finditer(line):
                    ref, version = match.group("ref", "version")
                    found.append(Snippet(path.name, line.strip(), ref, version))
    return found


SNIPPETS = _snippets()


def test_the_readme_has_every_kind_of_snippet() -> None:
    readme = [s.line for s in SNIPPETS if s.where == "README.md"]
    assert any(line.startswith("pip install") for line in readme)
    assert any(line.startswith("rev:") for line in readme)
    assert sum("uses: mlcommons/medperf-lint@" in line for line in readme) >= 3


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda s: f"{s.where}:{s.line[:50]}")
def test_a_snippet_names_the_package_version(snippet: Snippet) -> None:
    if snippet.ref in ("vX.Y.Z", "<tag's"):  # the release checklist's own placeholders
        return
    version = snippet.version or snippet.ref  # a tag is its own version
    assert version == f"v{__version__}", snippet.line
    assert _SHA.fullmatch(snippet.ref) or snippet.ref == f"v{__version__}", snippet.line


def test_every_snippet_pins_the_same_commit_or_tag() -> None:
    refs = {s.ref for s in SNIPPETS if s.where == "README.md"}
    assert len(refs) == 1, refs


def test_no_snippet_installs_from_a_package_index() -> None:
    for path in DOCS:
        for block in _code_blocks(path):
            assert not re.search(r"pip install (-\S+ )*medperf-lint\b(?! @)", block), path.name


def test_the_changelog_has_a_section_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(__version__)} \(", changelog, re.MULTILINE)


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def pinned() -> str:
    """The commit the README's snippets pin, which this clone must have."""
    if _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout: the pinned commit cannot be looked up")
    if _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        pytest.skip("a shallow clone lacks older commits (fetch with --unshallow)")
    [ref] = {s.ref for s in SNIPPETS if s.where == "README.md"}
    found = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    assert found.returncode == 0, f"{ref} is neither a commit nor a tag of this repository"
    return found.stdout.strip()


def _show(commit: str, path: str) -> str:
    shown = _git("show", f"{commit}:{path}")
    assert shown.returncode == 0, f"{path} is missing at {commit}"
    return shown.stdout


def test_the_pinned_commit_carries_this_version(pinned: str) -> None:
    assert f'__version__ = "{__version__}"' in _show(pinned, "linter/_version.py")


def test_the_pinned_action_has_every_input_the_readme_uses(pinned: str) -> None:
    inputs = set(yaml.safe_load(_show(pinned, "action.yml"))["inputs"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in _code_blocks(ROOT / "README.md"):
        for step in _action_steps(yaml.safe_load(block) if "uses:" in block else None):
            used = step.get("with") or {}
            assert isinstance(used, dict) and set(used) <= inputs, step
    assert "mlcommons/medperf-lint@" in readme


def _action_steps(document: object) -> list[dict[str, object]]:
    """Every step of a workflow or step list that uses this action."""
    steps: list[object] = []
    if isinstance(document, list):
        steps = document
    elif isinstance(document, dict):
        for job in (document.get("jobs") or {}).values():
            steps.extend(job.get("steps", []))
    return [
        s
        for s in steps
        if isinstance(s, dict) and str(s.get("uses", "")).startswith("mlcommons/medperf-lint@")
    ]


def test_the_pinned_hooks_exist(pinned: str) -> None:
    hooks = {h["id"] for h in yaml.safe_load(_show(pinned, ".pre-commit-hooks.yaml"))}
    configs = [yaml.safe_load(b) for b in _code_blocks(ROOT / "README.md") if "repos:" in b]
    used = {
        hook["id"]
        for config in configs
        for repo in config["repos"]
        if repo["repo"].endswith("/medperf-lint")
        for hook in repo["hooks"]
    }
    assert used and used <= hooks
