"""The address policy: which resolved addresses the prober refuses, and --resolve parsing."""

from __future__ import annotations

import asyncio

import pytest
from medperf_lint.net.addresses import blocked_reason, parse_override, parse_overrides
from medperf_lint.net.transport import AddressRefused, PolicyResolver


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local (cloud metadata service)"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00::1", "unique-local (private)"),
        ("fc00::5", "unique-local (private)"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "shared (carrier-grade NAT)"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "reserved"),  # TEST-NET-1 documentation range
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local (cloud metadata service)"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
    ],
)
def test_blocked_addresses(address: str, reason: str) -> None:
    assert blocked_reason(address) == reason


@pytest.mark.parametrize("address", ["8.8.8.8", "140.82.112.3", "172.32.0.1", "2606:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert blocked_reason(address) is None


def _resolve(table: list[str], host: str, port: int, allow_private: bool = False) -> list[str]:
    resolver = PolicyResolver(parse_overrides(table), allow_private)
    return [r["host"] for r in asyncio.run(resolver.resolve(host, port))]


def test_resolve_override_is_checked_too() -> None:
    with pytest.raises(AddressRefused) as caught:
        _resolve(["meta.example.org:80:169.254.169.254"], "meta.example.org", 80)
    assert "cloud metadata" in str(caught.value)
    allowed = _resolve(["meta.example.org:80:169.254.169.254"], "meta.example.org", 80, True)
    assert allowed == ["169.254.169.254"]


def test_only_public_addresses_among_private_ones_are_tried() -> None:
    found = _resolve(["mixed.example.org:443:10.0.0.1,140.82.112.3"], "mixed.example.org", 443)
    assert found == ["140.82.112.3"]


def test_parse_override() -> None:
    entry = parse_override("Raw.GitHubusercontent.com:8443:[::1]")
    assert (entry.host, entry.port, entry.addresses) == (
        "raw.githubusercontent.com",
        8443,
        ("::1",),
    )
    for bad in ("host:80", "host:port:127.0.0.1", "host:80:not-an-ip", ":80:127.0.0.1"):
        with pytest.raises(ValueError, match="--resolve"):
            parse_override(bad)
