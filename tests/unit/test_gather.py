"""The engine's network phase: providers by registry, the run's deadline, partial facts kept.

Providers here are stand-ins registered in place of the real ones (no network): one answers,
one hands in a fact and then blocks forever, one fails. What is checked is gather's contract,
not a provider's.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest
from medperf_lint import gather as network
from medperf_lint.facts import NetworkResults
from medperf_lint.facts.plan import Run
from medperf_lint.facts.probe import ProbeResult
from medperf_lint.facts.synapse import SynapseLookup
from medperf_lint.gather import PROVIDERS, Provider, gather
from medperf_lint.input.config import Settings
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import Need

FAST, SLOW = "https://a.example/w.tar.gz", "https://b.example/w.tar.gz"
REFS = [Reference(raw=u, kind=RefKind.RESOURCE) for u in (FAST, SLOW)] + [
    Reference(raw="synapse:syn1", kind=RefKind.RESOURCE)
]
FOREVER = threading.Event()  # never set: a provider stuck on a server that never answers


def _urls(_refs: object, _settings: object) -> tuple[str, ...]:
    return (FAST, SLOW)


def _ids(_refs: object, _settings: object) -> tuple[str, ...]:
    return ("syn1",)


def _ok(url: str) -> ProbeResult:
    return ProbeResult(url, url, status=206, sniffed="gzip")


def _stuck_after_one(_urls: tuple[str, ...], run: Run) -> NetworkResults:
    run.partial.probe(FAST, _ok(FAST))
    FOREVER.wait()
    raise AssertionError("unreachable")


def _probes_cut(urls: tuple[str, ...], _settings: Settings) -> NetworkResults:
    return NetworkResults(probes={u: ProbeResult(u, u, inconclusive="cut") for u in urls})


def _synapse_answers(ids: tuple[str, ...], _run: Run) -> NetworkResults:
    return NetworkResults(
        synapse={i: SynapseLookup(i, status=200) for i in ids}, synapse_identity="anonymously"
    )


def _never_cut(_ids: tuple[str, ...], _settings: Settings) -> NetworkResults:
    raise AssertionError("a provider that finished is never cut off")


def test_every_need_has_a_provider() -> None:
    assert set(PROVIDERS) == set(Need)


def test_a_cut_off_provider_keeps_what_it_handed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        network,
        "PROVIDERS",
        {
            Need.HTTP: Provider(_urls, _stuck_after_one, _probes_cut),
            Need.SYNAPSE: Provider(_ids, _synapse_answers, _never_cut),
        },
    )
    started = time.monotonic()
    found = gather(REFS, frozenset({Need.HTTP, Need.SYNAPSE}), Settings(deadline=0.2))
    assert time.monotonic() - started < 5  # loose: it returned at all, not stuck with the thread
    assert found.probes == {FAST: _ok(FAST), SLOW: ProbeResult(SLOW, SLOW, inconclusive="cut")}
    assert found.synapse == {"syn1": SynapseLookup("syn1", status=200)}
    assert found.synapse_identity == "anonymously"


def test_only_needed_providers_with_inputs_run(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    def check(name: str) -> Callable[..., NetworkResults]:
        def run(*_args: object) -> NetworkResults:
            ran.append(name)
            return NetworkResults()

        return run

    monkeypatch.setattr(
        network,
        "PROVIDERS",
        {
            Need.HTTP: Provider(_urls, check("http"), _probes_cut),
            Need.GITHUB: Provider(lambda _refs, _settings: (), check("github"), _probes_cut),
            Need.SYNAPSE: Provider(_ids, check("synapse"), _never_cut),
        },
    )
    gather(REFS, frozenset({Need.HTTP, Need.GITHUB}), Settings())
    assert ran == ["http"]  # GitHub had no input; Synapse was not needed


def test_a_provider_error_is_raised_not_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> NetworkResults:
        raise ValueError("bad --resolve entry")

    monkeypatch.setattr(network, "PROVIDERS", {Need.HTTP: Provider(_urls, broken, _probes_cut)})
    with pytest.raises(ValueError, match="bad --resolve entry"):
        gather(REFS, frozenset({Need.HTTP}), Settings(deadline=5))


_CTRL_C_ELSEWHERE = """
import signal, sys, threading
from medperf_lint.net.background import run_until

release = threading.Event()

def work(_item):
    worker = threading.get_ident()  # Ctrl-C lands on this thread, not the main one
    threading.Timer(0.3, signal.pthread_kill, (worker, signal.SIGINT)).start()
    release.wait(60)

try:
    run_until(work, [0], workers=1, until=None)
except KeyboardInterrupt:
    print("interrupted")
    sys.exit(130)
"""


def test_ctrl_c_delivered_to_another_thread_still_interrupts_the_wait() -> None:
    """The kernel may hand SIGINT to any thread; the main thread, blocked without a timeout,
    was not woken and slept through it (the run went on, Ctrl-C ignored: seen as the
    Ctrl-C test timing out under load). It now waits in slices and notices."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CTRL_C_ELSEWHERE], capture_output=True, text=True, timeout=10
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the main thread slept through a Ctrl-C delivered to a worker thread")
    assert proc.returncode == 130, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "interrupted"
