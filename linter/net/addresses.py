"""Which IP addresses medperf-lint may connect to, and the ``--resolve`` table.

A manifest URL is untrusted input: without this check a linter run in CI could be pointed at
the cloud metadata service (169.254.169.254) or an internal admin page. The policy is applied
by the transport (:mod:`medperf_lint.net.transport`) at connect time, to every address of every hop.
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
    ("fec0::/10", "site-local (private)"),
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
)
_V4 = tuple((ipaddress.ip_network(n), why) for n, why in _NAMED_V4)
_V6 = tuple((ipaddress.ip_network(n), why) for n, why in _NAMED_V6)
# IPv6 forms that carry an IPv4 address in their low 32 bits: each is blocked like the address
# it carries, so ``::127.0.0.1`` or ``64:ff9b::10.0.0.1`` cannot reach what 127.0.0.1 can't.
_V4_CARRIERS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
        "64:ff9b::/96",  # well-known NAT64 prefix (RFC 6052)
        "::/96",  # IPv4-compatible (deprecated; :: and ::1 are named above)
    )
)
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # local-use NAT64 (RFC 8215)


def blocked_reason(address: IPAddress | str) -> str | None:
    """Why the prober must not connect to ``address`` by default, or None when it is public."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        for net, why in _V6:
            if ip in net:
                return why
        for embedded in _embedded_v4(ip):
            carried = blocked_reason(embedded)
            if carried is not None:
                return carried
        if ip in _LOCAL_NAT64:
            return "local-use NAT64"
    else:
        if ip == _METADATA:
            return "link-local (cloud metadata service)"
        for net, why in _V4:
            if ip in net:
                return why
    if not ip.is_global:
        return "reserved"
    return None


def _embedded_v4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address ``ip`` carries: mapped, translated, compatible, NAT64, 6to4, Teredo."""
    found: list[ipaddress.IPv4Address] = []
    if any(ip in net for net in _V4_CARRIERS):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in _LOCAL_NAT64:  # RFC 6052 /48 layout: 16 bits, the zero "u" octet, 16 bits
        value = int(ip)
        high, low = (value >> 64) & 0xFFFF, (value >> 40) & 0xFFFF
        found.append(ipaddress.IPv4Address((high << 16) | low))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client): either may be an internal address
    return found


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
