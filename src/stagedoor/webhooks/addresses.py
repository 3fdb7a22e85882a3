"""Where an endpoint may point (SSRF guard), sans-Django: a URL is checked when saved and its host resolved again
before every attempt; the request then goes to the address that was checked (no second lookup a DNS rebinding
could change). Private, loopback, link-local, shared, reserved and multicast addresses are refused unless they fall
in one of the operator's allowed networks (STAGEDOOR_WEBHOOKS_ALLOWED_NETWORKS)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
URL_MAX = 2000


class AddressProblem(Exception):
    """`kind`: invalid_url | unresolvable | private."""

    def __init__(self, kind: str, detail: str) -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(f"{kind}: {detail}")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (IDNA-encoded), without brackets
    port: int
    path: str  # path and query
    address: str  # the checked address the request goes to


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an http(s) URL, or AddressProblem("invalid_url")."""
    if not isinstance(url, str) or len(url) > URL_MAX or any(c.isspace() or ord(c) < 32 for c in url):
        raise AddressProblem("invalid_url", "not a URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressProblem("invalid_url", str(exc)) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AddressProblem("invalid_url", "expected http:// or https:// and a host")
    if parts.username or parts.password:
        raise AddressProblem("invalid_url", "credentials in the URL are not allowed")
    if parts.fragment:
        raise AddressProblem("invalid_url", "a URL fragment is never sent")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise AddressProblem("invalid_url", "the host name is not valid") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def allowed(address: IPAddress, networks: Iterable[Network]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return is_public(address) or any(address.version == n.version and address in n for n in networks)


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressProblem("unresolvable", f"{host}: {exc}") from None
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise AddressProblem("unresolvable", host)
    return found


def check(url: str, networks: Iterable[Network]) -> Target:
    """The target to send to: every address the host resolves to must be allowed (one bad one refuses it all)."""
    scheme, host, port, path = split_url(url)
    networks = tuple(networks)
    addresses = resolve(host, port)
    refused = [a for a in addresses if not allowed(a, networks)]
    if refused:
        raise AddressProblem("private", f"{host} resolves to {refused[0]}")
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))
