"""Outbound target checks: only http(s), and no private, loopback, link-local or otherwise
internal address unless a configured network allows it (SSRF protection)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefusedError(Exception):
    """The URL may not be called (``permanent``: retrying will not help)."""

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


def parse_networks(cidrs: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(c, strict=False) for c in cidrs]


def address_allowed(
    address: IPAddress, allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in net for net in allowed):
        return True
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def split_target(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefusedError("only http and https URLs with a host are allowed")
    if parts.username or parts.password:
        raise TargetRefusedError("credentials in the URL are not allowed")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefusedError("invalid port") from exc
    return parts.hostname, port


def check_literal(url: str, allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> None:
    """At subscription time: the URL's shape, and its host when it is an IP literal."""
    host, _ = split_target(url)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        internal = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
        if internal and not any(ipaddress.ip_address("127.0.0.1") in n for n in allowed):
            raise TargetRefusedError(f"host {host} is internal") from None
        return
    if not address_allowed(address, allowed):
        raise TargetRefusedError(f"address {address} is private, loopback or link-local")


async def resolve_and_check(
    url: str, allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> None:
    """At delivery time: every address the host resolves to must be allowed."""
    host, port = split_target(url)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TargetRefusedError(f"cannot resolve {host}: {exc}", permanent=False) from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address_allowed(address, allowed):
            raise TargetRefusedError(f"{host} resolves to {address}, which is not allowed")
