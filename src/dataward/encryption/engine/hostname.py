"""Decide whether a certificate names a host, as browsers do (RFC 6125, subjectAltName only)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _dns_matches(host: str, pattern: str) -> bool:
    """Return whether a DNS name matches, a wildcard standing for exactly the leftmost label."""
    pattern = pattern.lower().rstrip(".")
    if not pattern.startswith("*."):
        return host == pattern
    first, _, rest = host.partition(".")
    return bool(first) and rest == pattern[2:] and "." in rest


def names_host(host: str, dns_names: Iterable[str], ip_addresses: Iterable[str]) -> bool:
    """Return whether the certificate's subjectAltName covers ``host`` (a name or an address).

    The subject's common name is not consulted: browsers stopped doing so, and a certificate
    that names its host only there fails in them.
    """
    address = _ip(host)
    if address is not None:
        return any(_ip(a) == address for a in ip_addresses)
    name = host.lower().rstrip(".")
    return any(_dns_matches(name, p) for p in dns_names)
