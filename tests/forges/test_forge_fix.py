"""`--fix` pins every forge's branch URL to its commit online; a second run is clean, online
and offline, and sends no API call for the now-pinned URLs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from forgekit import MAIN, urls
from medperf_lint import cli
from servers.fake_forges import FakeForges

SELECT = "--select=forge-unpinned-ref,forge-commit-not-found,inconclusive,MPL401,MPL402,MPL403"


def _argv(forges: FakeForges, path: Path, *extra: str) -> list[str]:
    resolve = [f"--resolve={entry}" for entry in forges.resolve()]
    cache = f"--cache-dir={path.parent / 'cache'}"
    return ["--format=json", SELECT, *resolve, "--allow-private-hosts", cache, *extra, str(path)]


@pytest.mark.parametrize("header", [True, False], ids=["x-repo-commit", "hf-api"])
def test_fix_pins_every_forge_and_a_second_run_is_clean(
    tmp_path: Path, forges: FakeForges, capsys: pytest.CaptureFixture[str], header: bool
) -> None:
    forges.repo_commit_header = header
    values = urls(forges)
    path = tmp_path / "weights.yaml"
    path.write_text("".join(f"{k}: {v}  # {k}\n" for k, v in values.items()), encoding="utf-8")

    assert cli.main(["--offline", *_argv(forges, path), "--fix"]) == 1  # offline: no pin known
    assert forges.api_calls() == []
    capsys.readouterr()

    assert cli.main([*_argv(forges, path), "--fix"]) == 0
    fixed = path.read_text(encoding="utf-8")
    pinned = {
        k: v.replace("/main/", f"/{MAIN}/").replace("/branch/", "/commit/")
        for k, v in values.items()
    }
    assert fixed == "".join(f"{k}: {v}  # {k}\n" for k, v in pinned.items())
    assert json.loads(capsys.readouterr().out)["findings"] == []
    calls = len(forges.api_calls())
    # each branch once, then (the pass after the fix) each pinned commit once; Hugging Face's
    # probe answers with X-Repo-Commit for both, when it sends the header
    assert calls == (6 if header else 8), forges.api_calls()

    assert cli.main(_argv(forges, path)) == 0  # online again: clean
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert len(forges.api_calls()) == calls  # the pinned commits come from the 7-day cache
    assert cli.main(["--offline", *_argv(forges, path)]) == 0  # and offline: clean
