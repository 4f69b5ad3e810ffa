"""Lint a list of URLs against the local host servers, and read back findings and probes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lintkit import lint_yaml
from medperf_lint import Report
from servers.hosts import HOSTS, HostsServer

SHA = "0123456789abcdef0123456789abcdef01234567"


HTTP_RULES = ("MPL401", "MPL402", "MPL403", "MPL404", "MPL405")


def lint_urls(
    tmp_path: Path,
    urls: list[str],
    *servers: HostsServer,
    inconclusive: bool = False,
    **overrides: Any,
) -> Report:
    """Lint ``urls`` (one per line from line 2, column 5) with only the HTTP rules.

    ``inconclusive`` adds MPL406, which also asks GitHub and Synapse about their references:
    use it only with URLs on other hosts, so no test reaches for api.github.com.
    """
    text = "urls:\n" + "".join(f"  - {u}\n" for u in urls)
    resolve = tuple(entry for s in servers for entry in s.resolve(*HOSTS))
    overrides.setdefault("allow_private_hosts", True)
    overrides.setdefault("cache_dir", str(tmp_path / "cache"))
    overrides.setdefault("retries", 1)
    overrides.setdefault("select", (*HTTP_RULES, "MPL406") if inconclusive else HTTP_RULES)
    return lint_yaml(
        tmp_path,
        text,
        "refs.yaml",
        online=True,
        resolve=resolve,
        **overrides,
    )


def probe(report: Report, url: str) -> Any:
    assert report.network is not None
    return report.network.probes[url]
