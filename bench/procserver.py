"""The tests' fake servers (Synapse, a container registry, MedPerf), each in its own process.

A benchmark's client and its server must not share an interpreter (and a GIL): on a user's
machine the server is elsewhere. ``Served(kind, **options)`` starts
``python bench/procserver.py KIND OPTIONS_JSON``, which builds the server, prints what the
client needs (endpoint, port, digests) as one JSON line, then answers ``stats`` and ``reset``
lines on its standard input with one JSON line each, until its input closes.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


Callback = Callable[[], dict[str, Any]]
Parts = tuple[AbstractContextManager[Any], Callback, Callback, Callable[[], None]]


def _synapse(options: dict[str, Any]) -> Parts:
    from servers.fake_synapse import Entity, FakeSynapse

    ids = [f"syn{100000 + i}" for i in range(options["ids"])]
    fake = FakeSynapse(
        entities={i: Entity(name=f"{i}.tar.gz") for i in ids},
        tokens={"bench-token": "bench"},
        latency=options["latency"],
    )

    def hello() -> dict[str, Any]:
        return {"endpoint": fake.endpoint, "ids": ids}

    def stats() -> dict[str, Any]:
        return {"requests": len(fake.requests), "max_active": fake.max_active, "cpu": _cpu()}

    def reset() -> None:
        fake.requests.clear()
        fake.max_active = 0

    return fake, hello, stats, reset


def _registry(options: dict[str, Any]) -> Parts:
    import trustme
    from servers.fake_registry import FakeRegistry

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*options["hosts"], "127.0.0.1").configure_cert(context)
    ca.cert_pem.write_to_path(options["bundle"])
    registry = FakeRegistry(context)
    digests = {f"{r}:{t}": registry.push(r, t) for r, t in options["images"]}

    def hello() -> dict[str, Any]:
        return {"port": registry.port, "digests": digests}

    def stats() -> dict[str, Any]:
        return {"counts": dict(registry.counts), "cpu": _cpu()}

    return registry, hello, stats, registry.counts.clear


def _medperf(options: dict[str, Any]) -> Parts:
    """The fake MedPerf API holding the containers written to ``options["entities"]`` (a JSON
    file: a command line could not carry a thousand bodies)."""
    from servers.fake_medperf import FakeMedPerf

    fake = FakeMedPerf(None, host="127.0.0.1", token=options["token"])
    fake.add("mlcubes", *json.loads(Path(options["entities"]).read_text()))

    def hello() -> dict[str, Any]:
        return {"base": fake.base}

    def stats() -> dict[str, Any]:
        return {"cpu": _cpu()}

    return fake, hello, stats, lambda: None


KINDS = {"synapse": _synapse, "registry": _registry, "medperf": _medperf}


def serve(kind: str, options: dict[str, Any]) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    server, hello, stats, reset = KINDS[kind](options)
    with server:
        print(json.dumps(hello()), flush=True)
        for line in sys.stdin:
            if line.strip() == "reset":
                reset()
            print(json.dumps(stats()), flush=True)


class Served:
    """A fake server in a child process; ``hello`` is what it printed when it was ready."""

    def __init__(self, kind: str, **options: Any) -> None:
        self.kind = kind
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), kind, json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.hello: dict[str, Any] = self._line()

    def _line(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.kind} server process stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _ask(self, what: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        return self._line()

    def stats(self) -> dict[str, Any]:
        return self._ask("stats")

    def reset(self) -> dict[str, Any]:
        return self._ask("reset")

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


if __name__ == "__main__":
    serve(sys.argv[1], json.loads(sys.argv[2]))
