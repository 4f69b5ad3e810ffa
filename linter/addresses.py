"""Which IP addresses medperf-lint may connect to, and the ``--resolve`` table.

A manifest URL is untrusted input: without this check a linter run in CI could be pointed at
the cloud metadata service (169.254.169.254) or an internal admin page. The policy is applied
by the transport (:mod:`.transport`) at connect time, to every address of every hop.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_METADATA = ipaddress.ip_address("169.254.169.254")
_NAMED_V4: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "unspecified"),
    ("127.0.0.0/8", "loopback"),
    ("10.0.0.0/8", "private"),
    ("172.16.0.0/12", "private"),
    ("192.168.0.0/16", "private"),
    ("100.64.0.0/10", "shared (carrier-grade NAT)"),
    ("169.254.0.0/16", "link-local"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
)
_NAMED_V6: tuple[tuple[str, str], ...] = (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("fc00::/7", "unique-local (private)"),
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
)
_V4 = tuple((ipaddress.ip_network(n), why) for n, why in _NAMED_V4)
_V6 = tuple((ipaddress.ip_network(n), why) for n, why in _NAMED_V6)


def blocked_reason(address: IPAddress | str) -> str | None:
    """Why the prober must not connect to ``address`` by default, or None when it is public."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or _nat64(ip) or ip.sixtofour
        if embedded is not None:
            return blocked_reason(embedded)
        for net, why in _V6:
            if ip in net:
                return why
    else:
        if ip == _METADATA:
            return "link-local (cloud metadata service)"
        for net, why in _V4:
            if ip in net:
                return why
    if not ip.is_global:
        return "reserved"
    return None


def _nat64(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside a well-known NAT64 prefix (64:ff9b::/96), if any."""
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class Override:
    """One ``--resolve HOST:PORT:ADDR[,ADDR…]`` entry."""

    host: str
    port: int
    addresses: tuple[str, ...]


def parse_overrides(entries: Iterable[str]) -> dict[tuple[str, int], tuple[str, ...]]:
    """``--resolve`` entries as {(host, port): addresses}; raises ValueError naming a bad one."""
    table: dict[tuple[str, int], tuple[str, ...]] = {}
    for entry in entries:
        override = parse_override(entry)
        table[(override.host, override.port)] = override.addresses
    return table


def parse_override(entry: str) -> Override:
    host, sep, rest = entry.partition(":")
    port_text, sep2, addr_text = rest.partition(":")
    if not (host and sep and sep2 and port_text.isdigit() and addr_text):
        raise ValueError(f"--resolve {entry!r}: expected HOST:PORT:ADDR")
    addresses = []
    for raw in addr_text.split(","):
        text = raw.strip().removeprefix("[").removesuffix("]")
        try:
            addresses.append(str(ipaddress.ip_address(text)))
        except ValueError:
            raise ValueError(f"--resolve {entry!r}: {raw!r} is not an IP address") from None
    return Override(host.lower().rstrip("."), int(port_text), tuple(addresses))
