"""Load test: thousands of references in hundreds of manifests, on 200 loopback hosts.

Not part of the test suite. 200 hosts (127.0.1.1 … 127.0.1.200, one port each) run in their own
process (``loopback.py``) and answer every request after 50 ms. A generated corpus (below) is
linted by the ``medperf-lint`` CLI with the online URL rules (MPL4xx, inconclusive included) and
``--no-cache``, at 1,000, 5,000 and 10,000 unique URLs; at 10,000 the corpus is 500 manifests
holding 12,500 references (every unique URL once, plus 2,500 duplicates). Reported:

* wall time at each size and ms per unique URL (goal: linear, i.e. the 10,000 run's ms per URL
  no more than 1.25x the smaller runs' best: fixed start-up makes small runs dearer per URL);
* peak RSS of the largest run (``wait4``; goal < 300 MB);
* false errors on the largest corpus under ``ulimit -n 256`` (RLIMIT_NOFILE set in the child):
  every URL is healthy, so any error finding, any URL verdict other than a 206 gzip, or any
  input error is false (goal 0; warnings, e.g. inconclusive, are counted beside);
* the offline pass (``--offline``, all offline rules, JSON output) over the largest corpus
  (goal < 2 s). Its loopback URLs are plain http://, so every reference also draws an
  ``insecure-http`` warning; the same pass over an https:// copy of the corpus (no findings) is
  reported beside it, to tell the cost of reading and checking from the cost of findings.

The corpus, per model folder of 5 manifests (100 unique URLs, 125 references), mirrors the
shapes in MedPerf's own examples: ``container.medperf.yaml`` (additional files, an inline
``DockerArchive`` container config, an inline ``parameters_config`` with weights), the same
``container_config.yaml`` uploaded beside it (its image URL repeats the inline one),
``benchmark.medperf.yaml`` (a demo dataset), a legacy ``mlcube/mlcube.yaml`` whose task
parameters default to URLs, and its ``workspace/parameters.yaml`` with checkpoints and label
maps. Duplicates are shared backbones and label maps: URLs of other folders, drawn with a fixed
seed.

Run: ``python bench/load.py [--sizes 1000,5000,10000] [--nofile 256]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import MEDPERF_LINT, Row, Run, X, run, secs
from loopback import Hosts

HOSTS = 200
FIRST = "127.0.1.1"
PER_FOLDER = 100  # unique URLs per model folder (5 manifests)
SIZES = (1000, 5000, 10000)
NOFILE = 256
RSS_TARGET_MB = 300
OFFLINE_TARGET = 2.0
LINEAR_SLACK = 1.25
ONLINE_RULES = "MPL4"


# ---------------------------------------------------------------------------------------------
# The corpus


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _folder_texts(k: int, own: list[str], dup: list[str]) -> dict[str, str]:
    """The five manifests of model folder ``k``: 100 own URLs, 25 duplicates."""
    o, d = iter(own), iter(dup)

    def lines(items: list[str], indent: str) -> str:
        return "".join(f"{indent}- {u}\n" for u in items)

    additional, image, demo = next(o), next(o), next(o)
    weights = [next(o) for _ in range(8)]
    task_defaults = [next(o) for _ in range(12)]
    checkpoints = [next(o) for _ in range(77)]
    container = (
        f"# Container submission body, keyed by MedPerf server field names.\n"
        f"name: model-{k}\n"
        f"additional_files_tarball_url: {additional}\n"
        f"additional_files_tarball_hash: {_sha(additional)}\n"
        f"image_hash: {_sha(image)}\n"
        f"container_config:\n"
        f"  container_type: DockerArchive\n"
        f"  image: {image}\n"
        f"  tasks:\n"
        f"    infer:\n"
        f"      input_volumes:\n"
        f"        data_path: {{ mount_path: /mlcommons/volumes/data, type: directory }}\n"
        f"      output_volumes:\n"
        f"        output_path: {{ mount_path: /mlcommons/volumes/predictions, type: directory }}\n"
        f"parameters_config:\n"
        f"  num_classes: 14\n"
        f"  batch_size: 8\n"
        f"  weights:\n{lines(weights, '    ')}"
        f"  pretrained:\n{lines([next(d) for _ in range(4)], '    ')}"
    )
    config = (
        "# Current MedPerf container config: uploaded inline with `medperf container submit -m`.\n"
        f"container_type: DockerArchive\nimage: {image}\n"
        "tasks:\n  infer:\n    input_volumes:\n      data_path:\n"
        "        mount_path: /mlcommons/volumes/data\n        type: directory\n"
        "    output_volumes:\n      output_path:\n"
        "        mount_path: /mlcommons/volumes/predictions\n        type: directory\n"
    )
    benchmark = (
        f"name: benchmark-{k}\ndescription: Multi-label chest X-ray classification.\n"
        f"demo_dataset_tarball_url: {demo}\ndemo_dataset_tarball_hash: {_sha(demo)}\n"
        f"data_preparation_mlcube: {3 * k + 1}\nreference_model_mlcube: {3 * k + 2}\n"
        f"data_evaluator_mlcube: {3 * k + 3}\n"
    )
    tasks = ""
    defaults = iter(task_defaults + [next(d) for _ in range(4)])
    for task in ("prepare", "sanity_check", "statistics", "infer"):
        tasks += f"  {task}:\n    parameters:\n      inputs:\n        data_path: data/\n"
        for j in range(4):
            tasks += f"        file_{j}: {{ type: file, default: {next(defaults)} }}\n"
        tasks += "      outputs: { output_path: { type: directory, default: predictions } }\n"
    mlcube = (
        f"name: mlcube-{k}\ndescription: MedPerf tutorial model {k}.\n"
        "authors:\n  - { name: MLCommons Medical Working Group }\n"
        "platform:\n  accelerator_count: 0\n"
        f"tasks:\n{tasks}"
    )
    params = (
        "num_classes: 14\nbatch_size: 5\ncheckpoints:\n"
        + "".join(f"  fold_{j}: {u}\n" for j, u in enumerate(checkpoints))
        + f"backbones:\n{lines([next(d) for _ in range(12)], '  ')}"
        + "label_maps:\n"
        + "".join(f"  {name}: {next(d)}\n" for name in ("train", "val", "test", "extra"))
    )
    return {
        "container.medperf.yaml": container,
        "container_config.yaml": config,
        "benchmark.medperf.yaml": benchmark,
        "mlcube/mlcube.yaml": mlcube,
        "mlcube/workspace/parameters.yaml": params,
    }


@dataclass(frozen=True)
class Corpus:
    root: Path
    manifests: int
    references: int
    unique: int


def write_corpus(root: Path, addresses: list[tuple[str, int]], unique: int) -> Corpus:
    """``unique`` URLs (a multiple of 100) in ``unique / 20`` manifests, 25% duplicates."""
    if unique % PER_FOLDER:
        raise ValueError(f"unique URLs come in folders of {PER_FOLDER}")
    rng = random.Random(17)
    urls = [
        f"http://{ip}:{port}/medperf-storage/model-{i // PER_FOLDER}/{i % PER_FOLDER}.tar.gz"
        for i in range(unique)
        for ip, port in [addresses[i % len(addresses)]]
    ]
    references = manifests = 0
    for k in range(unique // PER_FOLDER):
        own = urls[k * PER_FOLDER : (k + 1) * PER_FOLDER]
        dup = rng.choices(urls, k=24)
        texts = _folder_texts(k, own, dup)
        for name, text in texts.items():
            path = root / f"model-{k:04d}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        manifests += len(texts)
        references += PER_FOLDER + len(dup) + 1  # + the config's repeated image
    return Corpus(root, manifests, references, unique)


# ---------------------------------------------------------------------------------------------
# The runs


@dataclass(frozen=True)
class Lint:
    """One CLI run over a corpus, and what its report and the server say about it."""

    corpus: Corpus
    run: Run
    requests: int
    server_cpu: float
    peak_open: int  # connections the server saw open at once
    references_reported: int
    false_errors: int
    warnings: int

    @property
    def ms_per_url(self) -> float:
        return self.run.wall / self.corpus.unique * 1000


def _false_errors(report: dict[str, object]) -> tuple[int, int]:
    """(errors, warnings) in a report over healthy URLs only: every error is false."""
    findings = report["findings"]
    urls = report["urls"]
    assert isinstance(findings, list) and isinstance(urls, list)
    errors = sum(1 for f in findings if f["severity"] == "error")
    bad = sum(1 for u in urls if u["status"] != 206 or u["sniffed_type"] != "gzip")
    inputs = report["errors"]
    assert isinstance(inputs, list)
    warnings = sum(1 for f in findings if f["severity"] == "warning")
    return errors + bad + len(inputs), warnings


def lint_online(hosts: Hosts, corpus: Corpus, nofile: int | None = None) -> Lint:
    before = hosts.reset()
    done = run(
        [
            *MEDPERF_LINT,
            str(corpus.root),
            *("--select", ONLINE_RULES, "--allow-private-hosts", "--no-cache", "--format", "json"),
        ],
        nofile=nofile,
    )
    after = hosts.stats()
    report = json.loads(done.stdout)
    errors, warnings = _false_errors(report)
    return Lint(
        corpus,
        done,
        after.requests,
        after.cpu - before.cpu,
        after.peak_open,
        report["summary"]["references"],
        errors,
        warnings,
    )


@dataclass(frozen=True)
class Offline:
    walls: tuple[float, ...]
    references: int
    findings: int

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)


def lint_offline(root: Path, rounds: int = 3) -> Offline:
    walls, refs, findings = [], 0, 0
    for _ in range(rounds):
        done = run([*MEDPERF_LINT, "--offline", str(root), "--format", "json"])
        walls.append(done.wall)
        report = json.loads(done.stdout)
        refs, findings = report["summary"]["references"], len(report["findings"])
    return Offline(tuple(walls), refs, findings)


def https_copy(corpus: Corpus, root: Path) -> Path:
    """The corpus with every http:// URL made https://: the same references, no findings."""
    for path in corpus.root.rglob("*.yaml"):
        target = root / path.relative_to(corpus.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text().replace("http://", "https://"))
    return root


@dataclass(frozen=True)
class Load:
    sizes: tuple[Lint, ...]
    limited: Lint
    nofile: int
    offline: Offline
    offline_https: Offline

    def rows(self) -> list[Row]:
        big = self.sizes[-1]
        corpus = big.corpus
        what = f"{corpus.references:,} references in {corpus.manifests} manifests ({corpus.unique:,} unique) on {HOSTS} hosts"
        best_small = (
            min(s.ms_per_url for s in self.sizes[:-1]) if len(self.sizes) > 1 else big.ms_per_url
        )
        linear = big.ms_per_url <= LINEAR_SLACK * best_small
        peak_mb = big.run.max_rss_kib * 1024 / 1e6
        per_size = ", ".join(
            f"{s.corpus.unique:,}: {secs(s.run.wall)} = {s.ms_per_url:.2f} ms/URL"
            for s in self.sizes
        )
        return [
            Row(
                f"load: wall time per unique URL, {HOSTS} hosts, 50 ms",
                per_size,
                goal=f"linear (largest ≤ {LINEAR_SLACK}{X} best smaller)",
                met=linear,
                notes=f"requests/URL {big.requests / corpus.unique:.2f}; client user CPU "
                f"{big.run.user:.1f} s, server CPU {big.server_cpu:.1f} s; "
                f"peak {big.peak_open} connections open",
            ),
            Row(
                f"load: peak RSS, {what}",
                f"{peak_mb:.0f} MB",
                goal=f"< {RSS_TARGET_MB} MB",
                met=peak_mb < RSS_TARGET_MB,
                notes=f"wait4 of the medperf-lint process; the report counted {big.references_reported:,} references",
            ),
            Row(
                f"load: false errors under ulimit -n {self.nofile}, same corpus",
                str(self.limited.false_errors),
                goal="0",
                met=self.limited.false_errors == 0,
                notes=f"{secs(self.limited.run.wall)}; {self.limited.warnings} warnings; "
                f"peak {self.limited.peak_open} connections open",
            ),
            Row(
                "load: offline pass over the same corpus",
                secs(self.offline.wall),
                goal=f"< {OFFLINE_TARGET:.0f} s",
                met=self.offline.wall < OFFLINE_TARGET,
                notes=f"median of {len(self.offline.walls)}; {self.offline.references:,} references, "
                f"{self.offline.findings:,} findings (insecure-http: loopback URLs are http://); "
                f"an https:// copy (0 findings): {secs(self.offline_https.wall)}",
            ),
        ]


def measure(sizes: tuple[int, ...] = SIZES, nofile: int = NOFILE, offline_rounds: int = 3) -> Load:
    folder = Path(tempfile.mkdtemp(prefix="medperf-lint-load-"))
    try:
        with Hosts(HOSTS, FIRST) as hosts:
            corpora = [write_corpus(folder / f"u{n}", hosts.addresses, n) for n in sizes]
            runs = tuple(lint_online(hosts, c) for c in corpora)
            limited = lint_online(hosts, corpora[-1], nofile)
        offline = lint_offline(corpora[-1].root, offline_rounds)
        secure = lint_offline(https_copy(corpora[-1], folder / "https"), offline_rounds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Load(runs, limited, nofile, offline, secure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="unique URLs per run")
    parser.add_argument("--nofile", type=int, default=NOFILE)
    args = parser.parse_args()
    found = measure(tuple(int(s) for s in args.sizes.split(",")), args.nofile)
    for lint in (*found.sizes, found.limited):
        c = lint.corpus
        limit = f" (ulimit -n {found.nofile})" if lint is found.limited else ""
        print(
            f"{c.unique:6,} unique URLs, {c.references:6,} references, {c.manifests:4} manifests{limit}: "
            f"{lint.run.wall:6.2f} s = {lint.ms_per_url:.2f} ms/URL; peak RSS "
            f"{lint.run.max_rss_kib / 1024:.0f} MiB; {lint.requests} requests; user CPU "
            f"{lint.run.user:.2f} s; server CPU {lint.server_cpu:.2f} s; false errors "
            f"{lint.false_errors}, warnings {lint.warnings}; peak open {lint.peak_open}"
        )
    for name, offline in (("", found.offline), (" (https:// copy)", found.offline_https)):
        walls = ", ".join(f"{w:.2f}" for w in offline.walls)
        print(
            f"offline pass over the largest corpus{name}: {offline.wall:.2f} s ({walls}); "
            f"{offline.findings} findings"
        )
    for row in found.rows():
        print(row.markdown())


if __name__ == "__main__":
    main()
