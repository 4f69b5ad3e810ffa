"""IPv6 forms that carry an IPv4 address are blocked like the address they carry."""

from __future__ import annotations

import pytest
from medperf_lint.net.addresses import blocked_reason


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("::127.0.0.1", "loopback"),  # IPv4-compatible
        ("::10.1.2.3", "private"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:0:7f00:1", "loopback"),  # IPv4-translated
        ("::ffff:0:a9fe:a9fe", "link-local (cloud metadata service)"),
        ("64:ff9b::10.0.0.1", "private"),  # NAT64 well-known prefix
        ("64:ff9b::169.254.169.254", "link-local (cloud metadata service)"),
        ("64:ff9b:1:7f00:0:100::", "loopback"),  # local-use NAT64, 127.0.0.1 in RFC 6052 /48
        ("64:ff9b:1:c0a8:1:100::", "private"),  # 192.168.1.1
        ("2002:7f00:1::", "loopback"),  # 6to4
        ("2002:a9fe:a9fe::1", "link-local (cloud metadata service)"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),  # Teredo, client 127.0.0.1
        ("fec0::1", "site-local (private)"),
        ("fc00::1", "unique-local (private)"),
        ("::", "unspecified"),
        ("::1", "loopback"),
    ],
)
def test_blocked_like_what_they_carry(address: str, reason: str) -> None:
    assert blocked_reason(address) == reason


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::8.8.8.8", "::ffff:8.8.8.8", "2002:808:808::1", "2606:4700:4700::1111", "8.8.8.8"],
)
def test_public_addresses_stay_allowed(address: str) -> None:
    assert blocked_reason(address) is None
