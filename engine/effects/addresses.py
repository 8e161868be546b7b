"""Where a webhook may go: public addresses only, unless settings allow a private one.

The host is resolved once here and the request is then pinned to that address (the Host header
and TLS server name keep the original name), so a DNS answer that changes between the check and
the connection (DNS rebinding) cannot steer a webhook into the private network.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Callable, Sequence
from urllib.parse import urlsplit

from engine.errors import EffectError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str       # as written in the URL (for Host and TLS server name)
    port: int
    address: str    # the resolved address the request is pinned to
    url: str        # the URL with the host replaced by `address`

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def parse_ip(text: str) -> IPAddress:
    ip = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 scope id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_public(ip: IPAddress) -> bool:
    """Not loopback, private, link-local, shared (CGNAT), reserved, unspecified or multicast."""
    return ip.is_global and not ip.is_multicast


def split_url(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise EffectError(f"webhook URL is malformed: {exc}", retryable=False) from None
    scheme = (parts.scheme or "").lower()
    if scheme not in ("http", "https"):
        raise EffectError(f"webhook URL must be http or https, not {scheme or 'nothing'!r}",
                          retryable=False)
    if not parts.hostname:
        raise EffectError("webhook URL has no host", retryable=False)
    if parts.username or parts.password:
        raise EffectError("webhook URL must not carry credentials; use headers", retryable=False)
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def resolve_target(url: str, *, allowed: Sequence[Network] = (),
                   resolver: Resolver = system_resolver) -> Target:
    scheme, host, port = split_url(url)
    try:
        addresses = [parse_ip(host)]
    except ValueError:
        try:
            addresses = [parse_ip(a) for a in resolver(host, port)]
        except (OSError, UnicodeError) as exc:
            raise EffectError(f"cannot resolve webhook host {host!r}: {exc}",
                              retryable=True) from None
        if not addresses:
            raise EffectError(f"webhook host {host!r} has no address", retryable=True)
    refused = [ip for ip in addresses
               if not is_public(ip) and not any(ip in net for net in allowed)]
    if refused:
        raise EffectError(f"webhook host {host!r} resolves to non-public address "
                          f"{refused[0]}; allow it in the webhook settings to use it",
                          retryable=False, details={"address": str(refused[0])})
    address = str(addresses[0])
    parts = urlsplit(url)
    netloc = f"[{address}]" if ":" in address else address
    pinned = parts._replace(netloc=f"{netloc}:{port}").geturl()
    return Target(scheme=scheme, host=host, port=port, address=address, url=pinned)
