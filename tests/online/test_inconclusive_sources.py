"""inconclusive (MPL406) also reports GitHub and Synapse lookups that could not decide."""

from __future__ import annotations

from medperf_lint.facts.github import RefLookup
from medperf_lint.facts.probe import ProbeResult
from medperf_lint.facts.synapse import SynapseLookup
from medperf_lint.gather import NetworkResults
from medperf_lint.input.config import Settings
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import RuleContext
from medperf_lint.rules import lookup

URL = "https://raw.githubusercontent.com/o/r/main/w.tar.gz"


def _messages(ref: Reference, network: NetworkResults) -> list[str]:
    rule = lookup("inconclusive")
    assert rule is not None and rule.check is not None and rule.severity.value == "warning"
    return [d.message for d in rule.check(ref, RuleContext(Settings(), network))]


def test_github_and_probe_reasons() -> None:
    network = NetworkResults(
        probes={URL: ProbeResult(url=URL, final_url=URL, inconclusive="deadline reached")},
        github={("o", "r", "main"): RefLookup(inconclusive="GitHub API rate limit exhausted")},
    )
    ref = Reference(raw=URL, kind=RefKind.RESOURCE)
    assert _messages(ref, network) == [
        "could not check the URL: deadline reached",
        "could not check the GitHub ref 'main': GitHub API rate limit exhausted",
    ]


def test_synapse_reason_and_silence_when_decided() -> None:
    network = NetworkResults(
        synapse={
            "syn123": SynapseLookup("syn123", inconclusive="Synapse answered 503"),
            "syn9": SynapseLookup("syn9", status=200),
        }
    )
    assert _messages(Reference(raw="synapse:syn123", kind=RefKind.RESOURCE), network) == [
        "could not check Synapse entity syn123: Synapse answered 503"
    ]
    assert _messages(Reference(raw="synapse:syn9", kind=RefKind.RESOURCE), network) == []
    assert _messages(Reference(raw=URL, kind=RefKind.RESOURCE), NetworkResults()) == []
