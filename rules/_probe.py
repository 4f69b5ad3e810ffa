"""Shared by the HTTP verdict rules: find a reference's probe result and describe it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from medperf_lint.refs.references import Reference
from medperf_lint.rule import RuleContext

if TYPE_CHECKING:
    from medperf_lint.facts.probe import ProbeResult


def probe_for(ref: Reference, ctx: RuleContext) -> ProbeResult | None:
    """The probe of the http(s) URL MedPerf downloads, when the engine gathered one (a
    `docs_url` is a page for people and is never probed)."""
    url = ref.download_url
    if url is None or ctx.network is None or not url.startswith(("http://", "https://")):
        return None
    result: ProbeResult | None = ctx.network.probes.get(url)
    return result


def landed(probe: ProbeResult) -> str:
    """`` (after redirects, at FINAL)`` when the URL redirected, else empty."""
    if not probe.redirects or probe.final_url == probe.url:
        return ""
    return f" (after {len(probe.redirects)} redirect{'s' if len(probe.redirects) > 1 else ''}, at {probe.final_url})"


def error_document(probe: ProbeResult) -> str:
    """``; the server says: <Code>X</Code>`` for object-store and API error bodies."""
    if probe.sniffed == "xml-error" and probe.sniff_detail:
        return f"; the storage service says <Code>{probe.sniff_detail}</Code>"
    if probe.sniffed == "json-error" and probe.sniff_detail:
        return f'; the API says "{probe.sniff_detail}"'
    return ""
