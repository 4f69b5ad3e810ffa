from __future__ import annotations

from pathlib import Path

from medperf_lint.findings import Finding, Fix, Severity, Span
from medperf_lint.fixer import apply_fixes


def _finding(path: Path, line: int, col: int, end_col: int, replacement: str) -> Finding:
    return Finding(
        path=str(path),
        span=Span(line, col, line, end_col),
        code="MPL001",
        rule="invalid-reference",
        severity=Severity.ERROR,
        message="m",
        reference=None,
        fix=Fix(replacement, "d", safe=True),
    )


def test_plain_scalar_replaced_and_comment_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.medperf.yaml"
    path.write_text("a: 1\nadditional_file: syn123  # keep me\n")
    outcome = apply_fixes([_finding(path, 2, 18, 24, "synapse:syn123")])
    assert outcome[0].applied == 1 and outcome[0].error is None
    assert path.read_text() == "a: 1\nadditional_file: synapse:syn123  # keep me\n"


def test_quote_style_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("x: 'syn1'\ny: \"syn2\"\n")
    apply_fixes(
        [_finding(path, 1, 4, 10, "synapse:syn1"), _finding(path, 2, 4, 10, "synapse:syn2")]
    )
    assert path.read_text() == "x: 'synapse:syn1'\ny: \"synapse:syn2\"\n"


def test_value_needing_quotes_gets_them(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("x: abc\n")
    apply_fixes([_finding(path, 1, 4, 7, "https://a.example.com/x #y")])
    assert path.read_text() == 'x: "https://a.example.com/x #y"\n'


def test_two_fixes_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("x: [syn1, syn22]\n")
    outcome = apply_fixes(
        [_finding(path, 1, 5, 9, "synapse:syn1"), _finding(path, 1, 11, 16, "synapse:syn22")]
    )
    assert outcome[0].applied == 2
    assert path.read_text() == "x: [synapse:syn1, synapse:syn22]\n"


def test_fix_that_breaks_the_file_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    original = "x: abc\ny: 2\n"
    path.write_text(original)
    # A span that covers only part of the value cannot round-trip: nothing may be written.
    outcome = apply_fixes([_finding(path, 1, 4, 5, "synapse:syn1")])
    assert outcome[0].applied == 0 and outcome[0].error
    assert path.read_text() == original


def test_fix_that_would_not_parse_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    original = "x: 'abc'\n"
    path.write_text(original)
    # The span stops short of the closing quote: the edit would leave an unterminated string.
    outcome = apply_fixes([_finding(path, 1, 4, 8, "synapse:syn1")])
    assert outcome[0].applied == 0 and outcome[0].error
    assert path.read_text() == original


def test_redacted_replacement_is_never_written(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    original = "x: https://u:secret@h.example.com/f\n"
    path.write_text(original)
    outcome = apply_fixes([_finding(path, 1, 4, 36, "https://u:***@h.example.com/f")])
    assert outcome[0].applied == 0 and outcome[0].skipped == 1
    assert path.read_text() == original


def test_cli_fix_then_reports_what_remains(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "s.medperf.yaml"
    path.write_text("additional_file: syn123\ndemo_url: {a: 1}\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "medperf_lint",
            "--offline",
            "--fix",
            "--select",
            "invalid-reference",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert path.read_text() == "additional_file: synapse:syn123\ndemo_url: {a: 1}\n"
    assert "fixed 1 value(s) in 1 file(s)" in proc.stderr
    assert f"{path}:2:11: MPL001 invalid-reference" in proc.stdout
    assert "syn123" not in proc.stdout.replace("synapse:syn123", "")
    assert proc.returncode == 1


DROPBOX = "https://www.dropbox.com/s/q8w7e6r5t4y3u2i/demo_data.tar.gz"
HASH = "71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00"


def test_fix_keeps_an_anchor_and_a_tag_in_front_of_the_value(tmp_path: Path) -> None:
    """A scalar's span starts at its properties (``&u``, ``!!str``): the fix replaces only
    the value after them, so an alias elsewhere still resolves and the tag stays."""
    import subprocess
    import sys

    cases = {
        "anchor": ("url: &u {v}\n", ""),
        "tag": ("url: !!str {v}\n", ""),
        "both, quoted, aliased": ('url: &u !!str "{v}"\n', "copy: *u\n"),
        "tag first, then anchor": ("url: !!str  &u {v}\n", "copy: *u\n"),
    }
    for name, (line, tail) in cases.items():
        path = tmp_path / f"{name.replace(' ', '_').replace(',', '')}.medperf.yaml"
        before = "name: demo\ndemo_dataset_" + line + f"demo_dataset_tarball_hash: {HASH}\n" + tail
        path.write_text(before.replace("url:", "tarball_url:").format(v=DROPBOX + "?dl=0"))
        subprocess.run(
            [sys.executable, "-m", "medperf_lint", "--offline", "--fix", str(path)],
            capture_output=True,
            timeout=60,
        )
        expected = before.replace("url:", "tarball_url:").format(v=DROPBOX + "?dl=1")
        assert path.read_text() == expected, name


def test_a_fix_for_a_block_scalar_is_said_not_silently_dropped(tmp_path: Path) -> None:
    """The finding shows a fix; ``--diff`` and ``--fix`` leave the file and say why."""
    import subprocess
    import sys

    path = tmp_path / "block.medperf.yaml"
    text = f"demo_dataset_tarball_url: |-\n  {DROPBOX}?dl=0\ndemo_dataset_tarball_hash: {HASH}\n"
    path.write_text(text)
    for mode in ("--diff", "--fix"):
        proc = subprocess.run(
            [sys.executable, "-m", "medperf_lint", "--offline", mode, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert path.read_text() == text
        assert f"{path}: not fix" in proc.stderr, mode
        assert "written over several lines" in proc.stderr, mode
