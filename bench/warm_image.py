"""Benchmark: registry requests of a warm re-run over one digest-pinned image.

A digest (``name:tag@sha256:…``) is immutable, so a re-run with the probe cache should ask the
registry nothing, as a re-run over commit-pinned URLs asks nothing. A local registry (the tests'
``tests/servers/fake_registry.py``, HTTPS with a trustme CA and the anonymous token flow) runs in
its own process as ghcr.io; medperf-lint runs twice as a subprocess with one cache folder, and
the registry counts the requests of each run. Goal for the warm run: 0.

    python bench/warm_image.py
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import ENV, MEDPERF_LINT, Row, X, run
from procserver import Served

HOST = "ghcr.io"
IMAGE_RULES = "docker-image-not-found,docker-digest-mismatch,docker-image-unpinned"


@dataclass(frozen=True)
class WarmImage:
    image: str
    cold: dict[str, int]  # registry path -> requests
    warm: dict[str, int]

    def row(self) -> Row:
        warm = sum(self.warm.values())
        shown = ", ".join(
            f"{'manifest' if '/manifests/' in p else p.strip('/')} {X}{n}"
            for p, n in self.warm.items()
        )
        return Row(
            "warm re-run, one digest-pinned image (name:tag@sha256:…): registry requests",
            str(warm),
            goal="0",
            met=warm == 0,
            notes=f"cold run: {sum(self.cold.values())}; warm: {shown or 'none'}",
        )


def _requests(before: dict[str, object], after: dict[str, object]) -> dict[str, int]:
    old, new = before["counts"], after["counts"]
    assert isinstance(old, dict) and isinstance(new, dict)
    return {p: n - old.get(p, 0) for p, n in new.items() if n - old.get(p, 0)}


def measure() -> WarmImage:
    folder = Path(tempfile.mkdtemp(prefix="medperf-lint-warm-image-"))
    try:
        bundle = folder / "ca.pem"
        with Served(
            "registry", hosts=[HOST], bundle=str(bundle), images=[["acme/model", "1.0"]]
        ) as registry:
            port, digest = registry.hello["port"], registry.hello["digests"]["acme/model:1.0"]
            image = f"{HOST}:{port}/acme/model:1.0@{digest}"
            manifest = folder / "container_config.yaml"
            manifest.write_text(f"container_type: DockerImage\nimage: {image}\n")
            lint = [*MEDPERF_LINT, str(manifest), "--select", IMAGE_RULES, "--format", "json"]
            lint += ["--allow-private-hosts", "--resolve", f"{HOST}:{port}:127.0.0.1"]
            lint += ["--cache-dir", str(folder / "cache")]
            env = {**ENV, "REQUESTS_CA_BUNDLE": str(bundle), "SSL_CERT_FILE": str(bundle)}
            counts = []
            for _ in range(2):
                before = registry.stats()
                done = run(lint, env=env, ok=(0,))
                counts.append(_requests(before, registry.stats()))
                if json.loads(done.stdout)["findings"]:
                    raise SystemExit(f"the image lookup was not clean: {done.stdout[:800]}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return WarmImage(image, counts[0], counts[1])


def main() -> None:
    found = measure()
    print(f"image: {found.image}")
    print(f"  cold run: {sum(found.cold.values())} registry requests {found.cold}")
    print(f"  warm run: {sum(found.warm.values())} registry requests {found.warm} (goal 0)")


if __name__ == "__main__":
    main()
