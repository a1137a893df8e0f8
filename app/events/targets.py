"""Outbound target checks (SSRF protection): deny by default.

An address may be called only when it is globally routable unicast — after decoding the IPv4
address it may carry (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible ``::a.b.c.d``, 6to4
``2002::/16``, NAT64 ``64:ff9b::/96`` and ``64:ff9b:1::/48``, Teredo ``2001::/32``), every
carried address being globally routable too — or when it lies in a configured network of
``ANJIAN_WEBHOOK_ALLOWED_NETWORKS``. Host names are compared without their trailing dots
(``LOCALHOST.`` is ``localhost``); legacy numeric IPv4 spellings (``2130706433``, ``0x7f.1``)
are decoded as the resolver would. At subscription the URL's shape, an IP literal and the
name are checked; at every delivery the name is resolved, every address checked, and the
request connects to the checked address (``pin``), so a DNS answer cannot change in between.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan")


class TargetRefusedError(Exception):
    """The URL may not be called (``permanent``: retrying will not help)."""

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


def parse_networks(cidrs: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(c, strict=False) for c in cidrs]


def carried_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address embeds by a translation or tunnelling scheme."""
    carried: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        carried.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        carried.append(address.sixtofour)
    if address.teredo is not None:
        carried.extend(address.teredo)
    if any(address in net for net in _NAT64) or (address in _IPV4_COMPATIBLE and int(address) > 1):
        carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return carried


def _globally_routable(address: IPAddress) -> bool:
    return address.is_global and not address.is_multicast


def address_allowed(address: IPAddress, allowed: list[Network]) -> bool:
    """Deny by default: the configured networks, else globally routable unicast only (the
    addresses an IPv6 address carries included)."""
    if isinstance(address, ipaddress.IPv6Address):
        address = address.ipv4_mapped or address
    if any(address in net for net in allowed):
        return True
    if not _globally_routable(address):
        return False
    if isinstance(address, ipaddress.IPv6Address):
        return all(
            any(v4 in net for net in allowed) or _globally_routable(v4)
            for v4 in carried_ipv4(address)
        )
    return True


def split_target(url: str) -> tuple[str, int]:
    """The URL's host (lower case, trailing dots removed) and port."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefusedError("only http and https URLs with a host are allowed")
    if parts.username or parts.password:
        raise TargetRefusedError("credentials in the URL are not allowed")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefusedError("invalid port") from exc
    host = parts.hostname.lower().rstrip(".")
    if not host:
        raise TargetRefusedError("only http and https URLs with a host are allowed")
    return host, port


def literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself: an IP literal, or a legacy numeric IPv4 spelling
    that resolvers accept (``2130706433``, ``0x7f.1``, ``127.1``)."""
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def check_literal(url: str, allowed: list[Network]) -> None:
    """At subscription time: the URL's shape, its host when it is an address, and its name."""
    host, _ = split_target(url)
    address = literal_address(host)
    if address is None:
        internal = host == "localhost" or host.endswith(_INTERNAL_SUFFIXES) or "." not in host
        if internal and not any(ipaddress.ip_address("127.0.0.1") in n for n in allowed):
            raise TargetRefusedError(f"host {host} is internal")
        return
    if not address_allowed(address, allowed):
        raise TargetRefusedError(f"address {address} is not globally routable")


async def resolve_and_check(url: str, allowed: list[Network]) -> IPAddress:
    """At delivery time: every address the host resolves to must be allowed; returns the one
    to connect to."""
    check_literal(url, allowed)
    host, port = split_target(url)
    address = literal_address(host)
    if address is not None:
        return address
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TargetRefusedError(f"cannot resolve {host}: {exc}", permanent=False) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise TargetRefusedError(f"{host} has no address", permanent=False)
    for address in addresses:
        if not address_allowed(address, allowed):
            raise TargetRefusedError(f"{host} resolves to {address}, which is not allowed")
    return addresses[0]


def pin(url: str, address: IPAddress) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL rewritten to connect to ``address``, with the ``Host`` header and the TLS server
    name (SNI, also used to verify the certificate) of the original host."""
    parts = urlsplit(url)
    host = str(parts.hostname).rstrip(".")
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host:  # an IPv6 literal host keeps its brackets in the Host header
        host_header = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return pinned, {"host": host_header}, extensions
