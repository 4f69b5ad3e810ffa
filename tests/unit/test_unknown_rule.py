"""Unknown rule names in suppressions and config, and the config knobs around rule selection."""

from __future__ import annotations

import textwrap
from pathlib import Path

import medperf_lint
import pytest
from lintkit import hits, lint_yaml, messages

URL_ONLY = "additional_files_tarball_url: https://example.org/w.tar.gz\n"


def _project(tmp_path: Path, config: str, manifests: dict[str, str]) -> list[Path]:
    (tmp_path / ".medperf-lint.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    paths = []
    for name, text in manifests.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_unknown_name_in_suppression(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        "additional_file: syn123  # medperf-lint: ignore[invalid-referense]\n",
        select=("invalid-reference", "unused-suppression", "unknown-rule"),
    )
    assert hits(report) == [("invalid-reference", 1, 18), ("unknown-rule", 1, 26)]
    assert "invalid-referense" in messages(report, "unknown-rule")[0]
    assert report.findings[1].severity.value == "warning"


def test_known_and_unknown_names_together(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        "additional_file: syn123  # medperf-lint: ignore[invalid-reference, nope]\n",
        select=("invalid-reference", "unused-suppression", "unknown-rule"),
    )
    assert hits(report) == [("unknown-rule", 1, 26)]
    assert "nope" in messages(report)[0] and "invalid-reference" not in messages(report)[0]


def test_unknown_names_in_config(tmp_path: Path) -> None:
    paths = _project(
        tmp_path,
        """
        select = ["hash-missing", "unknown-rule", "hash-mising"]
        ignore = ["MPL9999"]
        severity = { "hash-format-x" = "error" }
        [per-file-ignores]
        "*.yaml" = ["nope", "hash-missing"]
        """,
        {"model.medperf.yaml": URL_ONLY},
    )
    report = medperf_lint.lint_paths(paths, online=False)
    config = str(tmp_path / ".medperf-lint.toml")
    unknown = [f for f in report.findings if f.rule == "unknown-rule"]
    assert [(f.path, f.span) for f in unknown] == [(config, None)] * 4
    named = sorted(f.message.split("unknown rule ")[1].split(";")[0] for f in unknown)
    assert named == ["'MPL9999'", "'hash-format-x'", "'hash-mising'", "'nope'"]
    # per-file-ignores silenced hash-missing, so nothing else is left
    assert hits(report) == [("unknown-rule", 0, 0)] * 4


def test_known_selectors_are_not_reported(tmp_path: Path) -> None:
    paths = _project(
        tmp_path,
        """
        select = ["ALL"]
        ignore = ["MPL1", "mpl001", "insecure-http"]
        severity = { "MPL201" = "info" }
        """,
        {"model.medperf.yaml": URL_ONLY},
    )
    report = medperf_lint.lint_paths(paths, online=False)
    assert [f for f in report.findings if f.rule == "unknown-rule"] == []
    assert [(h, f.severity.value) for h, f in zip(hits(report), report.findings, strict=True)] == [
        (("hash-missing", 1, 31), "info")
    ]


def test_config_severity_changes_a_rule(tmp_path: Path) -> None:
    paths = _project(
        tmp_path,
        """
        select = ["hash-missing"]
        severity = { "hash-missing" = "error" }
        """,
        {"model.medperf.yaml": URL_ONLY},
    )
    report = medperf_lint.lint_paths(paths, online=False)
    assert hits(report) == [("hash-missing", 1, 31)]
    assert report.findings[0].severity.value == "error"
    assert report.exit_code() == 1


def test_per_file_ignores(tmp_path: Path) -> None:
    paths = _project(
        tmp_path,
        """
        select = ["hash-missing", "insecure-http"]
        [per-file-ignores]
        "legacy/*.yaml" = ["hash-missing"]
        "old.medperf.yaml" = ["MPL003"]
        """,
        {
            "legacy/a.medperf.yaml": "additional_file: http://example.org/a.tar.gz\n",
            "b.medperf.yaml": "additional_file: http://example.org/b.tar.gz\n",
            "old.medperf.yaml": "additional_file: http://example.org/c.tar.gz\n",
        },
    )
    report = medperf_lint.lint_paths(paths, online=False)
    got = sorted((Path(f.path or "").name, f.rule) for f in report.findings)
    assert got == [
        ("a.medperf.yaml", "insecure-http"),
        ("b.medperf.yaml", "hash-missing"),
        ("b.medperf.yaml", "insecure-http"),
        ("old.medperf.yaml", "hash-missing"),
    ]


def test_unknown_config_key_is_a_config_error(tmp_path: Path) -> None:
    paths = _project(tmp_path, 'allowed-host = ["zenodo.org"]\n', {"m.medperf.yaml": URL_ONLY})
    with pytest.raises(medperf_lint.ConfigError, match="unknown key 'allowed-host'"):
        medperf_lint.lint_paths(paths, online=False)
