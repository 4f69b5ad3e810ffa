"""``--deadline`` holds under a hostile mix, and leaves no traceback behind (issue 14, 2 and 3).

All the traps at once, in a child process (tests/servers/hostile.py): endless and trickling
bodies, slow and huge headers, a gzip bomb, a redirect loop, an echo, signed and userinfo
redirects, and a GitHub API that streams endless JSON. The margin past the deadline is not a
fixed number: it is what the same command costs when nothing is slow (a run against the
same refs with ``--deadline 0``, which starts, gives up at once and shuts down), measured
here just before and just after, so that it sees the load the measured run saw (the slower of
the two), plus the half second the issue allows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from deadlinekit import startup
from servers.hostile import HostileMix

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "synapse"))
from test_synapse_limits import run_measured  # type: ignore[import-not-found]  # on sys.path just above

DEADLINE = 3.0
ALLOWED = 0.5  # past the deadline, on top of the measured start-up and shut-down


def command(mix: HostileMix, deadline: float, only: str = "") -> list[str]:
    refs = [a for url in mix.urls() if only in url for a in ("--ref", url)]
    return [
        sys.executable,
        "-m",
        "medperf_lint",
        *refs,
        *mix.options(),
        *("--deadline", f"{deadline:g}", "--format", "json", "--no-cache"),
    ]


def test_the_deadline_holds_under_the_hostile_mix(tmp_path: Path) -> None:
    with HostileMix() as mix:
        for folder in ("before", "mix", "after"):
            (tmp_path / folder).mkdir()
        before = run_measured(command(mix, 0), tmp_path / "before")
        measured = run_measured(command(mix, DEADLINE), tmp_path / "mix")
        after = run_measured(command(mix, 0), tmp_path / "after")
    idle = max(before.seconds, after.seconds)
    assert measured.returncode == 1, measured.output  # findings, not a crash
    payload = json.loads(
        measured.output[measured.output.index("{") : measured.output.rindex("}") + 1]
    )
    assert payload["findings"], measured.output  # every trap is reported one way or another
    assert "Traceback" not in measured.output, measured.output
    assert "never retrieved" not in measured.output, measured.output
    assert measured.seconds <= DEADLINE + idle + ALLOWED, (measured.seconds, idle)


def test_a_deadline_that_cuts_a_streaming_github_answer_leaves_no_traceback(
    tmp_path: Path,
) -> None:
    """A pinned SHA asks for the repository once for every lookup that needs it (a shared
    task); cut off at the deadline, its failure must still be retrieved.

    The deadline leaves the run time to start and ask GitHub first (2 s past the start-up
    measured on this machine), so that even on a busy machine the cut falls mid-answer."""
    with HostileMix() as mix:
        measured = run_measured(command(mix, 2.0 + startup(), only="/o/r/"), tmp_path)
    assert measured.returncode == 1, measured.output  # the branch ref is an error finding
    assert "deadline passed before GitHub answered" in measured.output, measured.output
    assert "Traceback" not in measured.output, measured.output
    assert "never retrieved" not in measured.output, measured.output
