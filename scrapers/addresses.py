"""Which URLs fundwatch may fetch: http(s) only, and never a loopback, private or link-local address.

Two checks guard every request (see ``scrapers.transport`` for the second):

1. ``AddressPolicy.check_url`` runs before a request and on every redirect hop. It refuses other
   schemes and host names that *are* an address in any notation the C library accepts:
   dotted decimal, a single decimal number (``2130706433``), octal and hex parts (``0177.0.0.1``,
   ``0x7f.1``), IPv6 including IPv4-mapped (``::ffff:127.0.0.1``), NAT64 and 6to4 forms; plus
   ``localhost`` names. It needs no DNS.
2. At connect time the resolved addresses of a host name are checked with ``check_ip`` before a
   socket is opened, so a name that resolves to a private address (or changes its answer between
   the two checks) is refused too.

``http.allow_private_addresses`` turns both off (tests); ``http.allowed_networks`` exempts listed
networks (e.g. an internal mirror).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

from errors import SourceError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = ("http", "https")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def check_url_scheme(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL with a host; raise ValueError saying why not."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError("empty URL")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if not scheme:
        raise ValueError(f"not an absolute URL (no http:// or https://): {url!r}")
    if scheme not in ALLOWED_SCHEMES:
        raise ValueError(f"only http and https URLs are allowed, not {scheme}: ({url!r})")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}")
    return url.strip()


#: a pydantic type for URL options of source kinds: refuses non-http(s) URLs when config is read
SourceUrl = Annotated[str, AfterValidator(check_url_scheme)]


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address ``host`` denotes in inet_aton's notations (1-4 parts, decimal/octal/hex), or None."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        try:
            if part.lower().startswith("0x"):
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part, 8))
            elif part.isdigit():
                numbers.append(int(part, 10))
            else:
                return None
        except ValueError:
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (4 - len(head)) + last
    return ipaddress.IPv4Address(value)


def literal_address(host: str) -> IPAddress | None:
    """The address a URL host denotes literally (no DNS), or None for a name."""
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if "%" in host:  # IPv6 with a zone id
        try:
            return ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return None
    return parse_ipv4_loose(host)


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, NAT64 or 6to4 IPv6 address."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def describe(ip: IPAddress) -> str:
    """What kind of non-public address ``ip`` is, for messages."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        return f"{describe(inner)} (inside {ip})"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address (cloud metadata lives here)"
    if ip in ipaddress.ip_network("100.64.0.0/10"):
        return "a carrier-grade NAT address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_private:
        return "a private address"
    return "not a public address"


def is_public(ip: IPAddress) -> bool:
    inner = embedded_ipv4(ip)
    if inner is not None:
        return is_public(inner)
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class AddressPolicy:
    """Refuses non-public addresses unless allowed; ``allowed`` networks are exempt."""

    allow_private: bool = False
    allowed: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def from_settings(cls, allow_private: bool, networks: Iterable[str] = ()) -> AddressPolicy:
        return cls(allow_private, tuple(ipaddress.ip_network(n, strict=False) for n in networks))

    def permits(self, ip: IPAddress) -> bool:
        if self.allow_private or is_public(ip):
            return True
        candidates = [ip] + [x for x in (embedded_ipv4(ip),) if x is not None]
        return any(c in net for c in candidates for net in self.allowed if c.version == net.version)

    def check_ip(self, ip: IPAddress, url_or_host: str) -> None:
        if not self.permits(ip):
            raise SourceError(
                "refused_address",
                f"{url_or_host} points to {ip}, {describe(ip)}; refused "
                "(http.allow_private_addresses or http.allowed_networks would allow it)",
            )

    def check_url(self, url: str) -> None:
        """Refuse a non-http(s) URL or one whose host is a non-public address or a localhost name."""
        try:
            check_url_scheme(url)
        except ValueError as exc:
            raise SourceError("refused_address", f"refused URL: {exc}") from None
        host = (urlsplit(url).hostname or "").lower()
        if self.allow_private:
            return
        ip = literal_address(host)
        if ip is not None:
            self.check_ip(ip, url)
        elif host.rstrip(".") in _LOCAL_NAMES or host.rstrip(".").endswith(".localhost"):
            raise SourceError("refused_address", f"{url} names the local machine; refused")
