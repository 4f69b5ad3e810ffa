"""Mutation run: do the fast tests notice a small change in a rule or a parser?

    python bench/mutation                        # every target, 15 mutants each
    python bench/mutation --only rules/mutable_url.py --per-module 40
    python bench/mutation --list rules/mutable_url.py   # every site the operators find

Each mutant is written into a scratch copy of the package laid out as installed
(``medperf_lint/`` from linter/, ``medperf_lint/rules/`` from rules/), which comes first on
``PYTHONPATH``, ahead of the editable install; the module's fast tests then run in a fresh
``pytest -x``. A mutant is *killed* when they fail (or time out), *survives* when they pass.
Mutants listed in ``targets.EQUIVALENT`` are left out of the score, with their reason.

Not a test: it takes minutes and stays out of the suite (issue 16, "Tests that would notice").
Why not mutmut or cosmic-ray: mutmut 3 copies the mutated files to ``mutants/linter/…`` and
names its trampolines after that path, but the tests import ``medperf_lint`` (the
package-dir mapping), which still resolves to the unmutated linter/ (tried: mutmut 3.8.1);
cosmic-ray mutates in place but runs every mutant of every operator (thousands over rules/),
with no sampling, too much for a shared two-core machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mutants import Mutant, apply, sample, sites
from targets import EQUIVALENT, PINNED, TARGETS, Target

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "medperf_lint"


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    verdict: str  # killed, survived, timeout, equivalent
    seconds: float
    reason: str = ""  # why an equivalent mutant cannot change behaviour


def _scratch() -> Path:
    base = Path(tempfile.mkdtemp(prefix="medperf-lint-mutation-"))
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "linter", base / PACKAGE, ignore=ignore)
    shutil.copytree(ROOT / "rules", base / PACKAGE / "rules", ignore=ignore)
    return base


def _installed_path(path: str) -> str:
    """rules/x.py -> medperf_lint/rules/x.py; linter/refs/x.py -> medperf_lint/refs/x.py."""
    top, rest = path.split("/", 1)
    return f"{PACKAGE}/rules/{rest}" if top == "rules" else f"{PACKAGE}/{rest}"


def _env(scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(scratch), env.get("PYTHONPATH")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # two mutants of one size in one second: no stale .pyc
    env["HYPOTHESIS_PROFILE"] = env.get("HYPOTHESIS_PROFILE", "default")
    return env


def _pytest(target: Target, scratch: Path, timeout: float) -> str:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *target.tests]
    try:
        proc = subprocess.run(
            command, cwd=ROOT, env=_env(scratch), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    if proc.returncode in (0, 1):
        return "survived" if proc.returncode == 0 else "killed"
    raise SystemExit(
        f"pytest could not run {target.tests} (exit {proc.returncode}):\n{proc.stdout}"
    )


def _check_scratch_is_imported(scratch: Path) -> None:
    code = f"import {PACKAGE}.rules as r; print(r.__file__)"
    where = subprocess.run(
        [sys.executable, "-c", code], env=_env(scratch), capture_output=True, text=True
    ).stdout.strip()
    if not where.startswith(str(scratch)):
        raise SystemExit(f"the tests would import {where}, not the scratch copy in {scratch}")


def _chosen(target: Target, source: str, per_module: int) -> list[Mutant]:
    every = sites(source)
    wanted = PINNED.get(target.path, ())
    pinned = [m for m in every if any(m.key.startswith(w) for w in wanted)]
    missing = {w for w in wanted if not any(m.key.startswith(w) for m in pinned)}
    if missing:
        raise SystemExit(f"{target.path}: pinned mutants not found (renamed?): {sorted(missing)}")
    drawn = [m for m in sample(every, per_module, target.path) if m not in pinned]
    return pinned + drawn[: max(per_module - len(pinned), 0)]


def run_target(target: Target, scratch: Path, per_module: int, timeout: float) -> list[Outcome]:
    source = (ROOT / target.path).read_text(encoding="utf-8")
    destination = scratch / _installed_path(target.path)
    if _pytest(target, scratch, timeout) != "survived":
        raise SystemExit(f"{target.path}: the tests fail without any mutant: {target.tests}")
    outcomes = []
    equivalent = EQUIVALENT.get(target.path, {})
    try:
        for mutant in _chosen(target, source, per_module):
            reason = next((r for k, r in equivalent.items() if mutant.key.startswith(k)), None)
            if reason is not None:
                outcomes.append(Outcome(mutant, "equivalent", 0.0, reason))
                continue
            destination.write_text(apply(source, mutant), encoding="utf-8")
            start = time.monotonic()
            verdict = _pytest(target, scratch, timeout)
            outcomes.append(Outcome(mutant, verdict, time.monotonic() - start))
            print(f"  {verdict:<9} {target.path}:{mutant.line} {mutant.key}", flush=True)
    finally:
        destination.write_text(source, encoding="utf-8")
    return outcomes


def _score(outcomes: list[Outcome]) -> tuple[int, int]:
    counted = [o for o in outcomes if o.verdict != "equivalent"]
    return sum(o.verdict in ("killed", "timeout") for o in counted), len(counted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python bench/mutation", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--only", action="append", default=[], metavar="PATH")
    parser.add_argument("--per-module", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant")
    parser.add_argument("--list", metavar="PATH", help="print every mutation site of PATH")
    args = parser.parse_args(argv)
    if args.list:
        for m in sites((ROOT / args.list).read_text(encoding="utf-8")):
            print(f"{m.index:4} {m.line:4} {m.key}")
        return 0
    targets = [t for t in TARGETS if not args.only or t.path in args.only]
    if not targets:
        raise SystemExit(f"no target among {[t.path for t in TARGETS]}")
    scratch = _scratch()
    results: dict[str, list[Outcome]] = {}
    try:
        _check_scratch_is_imported(scratch)
        for target in targets:
            results[target.path] = run_target(target, scratch, args.per_module, args.timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _report(results)


def _report(results: dict[str, list[Outcome]]) -> int:
    print(f"\n{'module':<36} {'killed':>6} {'of':>3} {'score':>6}  survivors")
    total_killed = total = 0
    for path, outcomes in results.items():
        killed, counted = _score(outcomes)
        total_killed += killed
        total += counted
        survivors = [o.mutant for o in outcomes if o.verdict == "survived"]
        if not outcomes:
            print(
                f"{path:<36} {'-':>6} {'-':>3} {'-':>6}  no mutation site: the rule forwards what another module found"
            )
            continue
        percent = 100.0 * killed / counted if counted else 100.0
        print(f"{path:<36} {killed:>6} {counted:>3} {percent:>5.1f}%  {len(survivors)}")
        for m in survivors:
            print(f"    survived  line {m.line}: {m.key}")
        for o in outcomes:
            if o.verdict == "equivalent":
                print(f"    excluded  {o.mutant.key}: {o.reason}")
    percent = 100.0 * total_killed / total if total else 100.0
    print(f"{'all':<36} {total_killed:>6} {total:>3} {percent:>5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
