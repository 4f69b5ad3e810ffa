"""Which IP addresses medperf-lint may connect to, and the ``--resolve`` table.

A manifest URL is untrusted input: without this check a linter run in CI could be pointed at
the cloud metadata service (169.254.169.254) or an internal admin page. The policy is applied
at connect time, to every address of every hop, by both HTTP stacks: the transport's resolver
(:mod:`medperf_lint.net.transport`) and the Synapse session's connections
(:mod:`medperf_lint.providers.synapse_client`), through one :class:`AddressPolicy`.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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


class AddressRefused(OSError):
    """Every address of a host is one the policy forbids (an OSError, so either HTTP library
    reports it as a connection failure with this exception in the chain)."""

    def __init__(self, host: str, address: str, reason: str):
        where = f"{host} is" if host.strip("[]") == address else f"{host} resolves to {address},"
        super().__init__(f"{where} a {reason} address")
        self.host, self.address, self.reason = host, address, reason


class NameNotResolved(OSError):
    """A host name without addresses; the message is the resolver's reason."""


def wire_host(host: str) -> str:
    """``host`` as it goes on the wire (``xn--`` labels), lower case, no trailing dot."""
    from yarl import URL

    try:
        return (URL.build(scheme="http", host=host).raw_host or host).lower().rstrip(".")
    except ValueError:
        return host.lower().rstrip(".")


class AddressPolicy:
    """Where a connection to (host, port) may go, for both HTTP stacks: ``--resolve`` first,
    then every looked-up address the policy permits (``--allow-private-hosts`` lifts it);
    hosts the user named (a proxy, the GitHub API) are ``exempt``."""

    def __init__(self, overrides: Mapping[tuple[str, int], tuple[str, ...]], allow_private: bool):
        self._overrides = {(wire_host(h), p): a for (h, p), a in overrides.items()}
        self.allow_private = allow_private
        self.exempt: set[tuple[str, int]] = set()

    def override(self, host: str, port: int) -> tuple[str, ...] | None:
        """The ``--resolve`` addresses of (host, port), or None to look the name up."""
        return self._overrides.get((wire_host(host), port))

    def permitted(self, host: str, port: int, found: tuple[str, ...]) -> tuple[str, ...]:
        """The addresses of ``found`` a connection may try, in order; AddressRefused if none."""
        if self.allow_private or (wire_host(host), port) in self.exempt:
            return found
        allowed = tuple(a for a in found if blocked_reason(a) is None)
        if not allowed:
            raise AddressRefused(host, found[0], blocked_reason(found[0]) or "reserved")
        return allowed

    def check_literal(self, host: str, port: int) -> None:
        """A literal IP in a URL never reaches a resolver (and through a proxy, the proxy
        connects to it): AddressRefused when the policy forbids it."""
        bare = host.strip("[]")
        try:
            ipaddress.ip_address(bare)
        except ValueError:
            return
        if self.allow_private or (wire_host(host), port) in self.exempt:
            return
        reason = blocked_reason(bare)
        if reason is not None:
            raise AddressRefused(host, bare, reason)

    def resolve(self, host: str, port: int) -> tuple[str, ...]:
        """The permitted addresses of (host, port), looked up with the blocking resolver."""
        found = self.override(host, port)
        if found is None:
            found = tuple(lookup_addresses(host, port))
        return self.permitted(host, port, found)


def lookup_addresses(host: str, port: int, infos: list[Any] | None = None) -> list[str]:
    """Unique addresses of ``host`` (``infos`` from getaddrinfo, else looked up here)."""
    if infos is None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as err:
            raise NameNotResolved(str(getattr(err, "strerror", None) or err)) from None
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0]).split("%", 1)[0]
        if addr not in seen:
            seen.append(addr)
    if not seen:
        raise NameNotResolved("no addresses")
    return seen
