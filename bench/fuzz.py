"""Fuzz the command line with random bytes and random YAML for N minutes; report every crash.

Not part of CI (it runs for minutes and its inputs are random). Each round writes a batch of
inputs (random bytes, mutated real manifests, generated YAML and JSON, now and then a hostile
project config or odd setting values) into a fresh folder and runs the real CLI on all of them
at once, offline, in a random output format, sometimes with ``--fix``. A crash is:

- a traceback or ``internal error`` on stderr (the run uses ``MEDPERF_LINT_DEBUG=1``);
- an exit status other than 0, 1 or 2;
- a run that does not end within ``--hang`` seconds;
- with ``--format json``, stdout that is not one JSON object.

A crashing batch is re-run one input at a time to find the culprit, and everything is kept
under ``--out``. Exit status 1 when anything crashed.

    python bench/fuzz.py --minutes 10 [--seed 1] [--out /tmp/medperf-lint-fuzz]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_DIRS = (ROOT / "examples", Path("/work/shared/medperf-samples"))
NAMES = (
    "mlcube.yaml",
    "container_config.yaml",
    "parameters.yaml",
    "x.medperf.yaml",
    "x.medperf.json",
    "container_config_enc.yml",
)
KEYS = (
    "image",
    "container_type",
    "docker",
    "singularity",
    "demo_url",
    "demo_hash",
    "additional_file",
    "additional_files_tarball_url",
    "additional_files_tarball_hash",
    "image_hash",
    "image_tarball_url",
    "git_mlcube_url",
    "mlcube_file",
    "docs_url",
    "container_config",
    "name",
    "x",
)
VALUES = (
    "synapse:syn51089171",
    "synapse:syn",
    "synapse:syn12\u0663",
    "direct:https://zenodo.org/records/1/files/w.tar.gz?download=1",
    "https://raw.githubusercontent.com/o/r/main/mlcube.yaml",
    "https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/x",
    "https://u:p@ss@h.example.org/x?%74oken=abc#access_token=q",
    "http://h:99999/x",
    "http://[::1/x",
    "http://h:1\\@api.github.com/",
    "https://drive.google.com/file/d/1AbC/view?usp=sharing",
    "https://b.s3.amazonaws.com/k?X-Amz-Signature=ab&X-Amz-Expires=-1&X-Amz-Date=2099",
    "https://www.dropbox.com/s/x/w.tar.gz?dl=0",
    "ftp://x/y",
    "s3://bucket/key",
    "data:text/plain,hi",
    "mlcommons/x:latest",
    "x@sha256:zz",
    "DockerImage",
    "EncryptedSingularityFile",
    "\x1b]0;title\x07\x1b[2J",
    "\u202eevil",
    "a" * 300,
    "ba" * 40,
    "",
)
TOKENS = (
    "&a ",
    "*a",
    "<<: *a\n",
    "!!python/object:os.system ",
    "!!binary ",
    "\t",
    "\x00",
    "\ufeff",
    "\r\n",
    "[" * 50,
    "{" * 30,
    "'",
    '"',
    "# medperf-lint: ignore[",
    "# medperf-lint: ignore[MPL001, x]",
    "---\n",
    "...\n",
    "? ",
    ": ",
    "- ",
    "%YAML 1.1\n",
    "\\u0000",
    "9" * 400,
    ".nan",
)
CONFIGS = (
    b"timeout = nan\n",
    b"deadline = inf\n",
    b"retries = -1\n",
    b"select = [\n",
    b"select = ['caf\xe9']\n",
    b'github-api-url = "http://127.0.0.1:1/"\nallow-private-hosts = true\n',
    b'per-file-ignores = { "[" = ["ALL"] }\n',
    b'severity = { "MPL001" = "fatal" }\n',
    b"select = 3\n",
    b"[[x]]\n",
)
FLAGS = (
    (),
    ("--strict",),
    ("--quiet",),
    ("--select", "ALL"),
    ("--ignore", "MPL2,nope"),
    ("--timeout", "nan"),
    ("--deadline", "-1"),
    ("--retries", "-3"),
)


@dataclass(frozen=True)
class Crash:
    why: str
    inputs: tuple[Path, ...]
    args: tuple[str, ...]
    stderr: str


def _seeds() -> list[bytes]:
    found: list[bytes] = []
    for folder in SEED_DIRS:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.suffix in (".yaml", ".yml", ".json"):
                    found.append(path.read_bytes())
    return found or [b"additional_file: syn1\n"]


def _value(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth > 4 or roll < 0.5:
        return rng.choice(VALUES) if rng.random() < 0.8 else rng.choice([1, 2.5, None, True])
    if roll < 0.75:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(KEYS): _value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def _generated(rng: random.Random, as_json: bool) -> bytes:
    data = {rng.choice(KEYS): _value(rng) for _ in range(rng.randint(1, 6))}
    if as_json:
        return json.dumps(data, ensure_ascii=rng.random() < 0.5).encode()
    import yaml

    return yaml.safe_dump(
        data, allow_unicode=True, default_style=rng.choice([None, "'", '"'])
    ).encode()


def _mutated(rng: random.Random, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randint(1, 8)):
        roll, at = rng.random(), rng.randint(0, len(data))
        if roll < 0.3 and data:
            data[min(at, len(data) - 1)] ^= 1 << rng.randint(0, 7)
        elif roll < 0.6:
            data[at:at] = rng.choice(TOKENS).encode("utf-8", "surrogatepass")
        elif roll < 0.8:
            data[at:at] = f" {rng.choice(VALUES)}".encode()
        else:
            del data[at : at + rng.randint(1, 20)]
    return bytes(data)


def _input(rng: random.Random, seeds: list[bytes]) -> tuple[str, bytes]:
    name = rng.choice(NAMES)
    roll = rng.random()
    if roll < 0.2:
        data = rng.randbytes(rng.randint(0, 2048))
    elif roll < 0.55:
        data = _mutated(rng, rng.choice(seeds))
    else:
        data = _generated(rng, name.endswith(".json"))
    return name, data


def _run(folder: Path, names: list[str], args: tuple[str, ...], hang: float) -> str | None:
    """Why this run counts as a crash, or None."""
    env = {**os.environ, "MEDPERF_LINT_DEBUG": "1", "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "medperf_lint", "--offline", *args, *names],
            cwd=folder,
            env=env,
            capture_output=True,
            timeout=hang,
        )
    except subprocess.TimeoutExpired:
        return f"no answer within {hang:.0f} s (hang)"
    err = proc.stderr.decode("utf-8", "replace")
    if "Traceback" in err or "internal error" in err:
        return "traceback: " + err.strip().splitlines()[-1][:300]
    if proc.returncode not in (0, 1, 2):
        return f"exit status {proc.returncode}"
    if "json" in args and proc.stdout.strip():
        try:
            json.loads(proc.stdout)
        except ValueError:
            return "--format json printed something that is not JSON"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--batch", type=int, default=16, help="inputs per CLI run")
    parser.add_argument("--hang", type=float, default=60.0, help="seconds before a run is a hang")
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "medperf-lint-fuzz"
    )
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    seeds = _seeds()
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    end = start + args.minutes * 60
    runs = inputs = 0
    crashes: list[Crash] = []
    while time.monotonic() < end:
        folder = Path(tempfile.mkdtemp(prefix="round-", dir=args.out))
        names = []
        for i in range(args.batch):
            name, data = _input(rng, seeds)
            sub = folder / f"in{i:02d}"
            sub.mkdir()
            (sub / name).write_bytes(data)
            names.append(f"in{i:02d}/{name}")
        if rng.random() < 0.15:
            (folder / ".medperf-lint.toml").write_bytes(rng.choice(CONFIGS))
        flags: tuple[str, ...] = (
            *rng.choice(FLAGS),
            "--format",
            rng.choice(["text", "json", "github"]),
        )
        if rng.random() < 0.3:
            flags = (*flags, "--fix")
        runs += 1
        inputs += len(names)
        why = _run(folder, names, flags, args.hang)
        if why is None:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        culprits = [n for n in names if _run(folder, [n], flags, args.hang) is not None]
        crashes.append(Crash(why, tuple(folder / n for n in (culprits or names)), flags, why))
        print(
            f"crash #{len(crashes)}: {why}\n  args: {' '.join(flags)}\n  inputs: "
            + ", ".join(str(folder / n) for n in (culprits or names)),
            flush=True,
        )
    elapsed = time.monotonic() - start
    print(
        f"fuzz: seed {seed}, {runs} CLI runs, {inputs} inputs in {elapsed:.0f} s, "
        f"{len(crashes)} crash(es); kept under {args.out}"
        if crashes
        else f"fuzz: seed {seed}, {runs} CLI runs, {inputs} inputs in {elapsed:.0f} s, 0 crashes"
    )
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
