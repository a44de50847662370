"""Which address a sign-in failure counts against (django-axes' AXES_CLIENT_IP_CALLABLE).

Directly served, it is the TCP peer. Behind the reverse proxy (DATAWARD_WEB_BEHIND_PROXY=1) every
peer is the proxy, so five bad passwords from anyone would lock the user out for everyone; there
the proxy's X-Real-IP header is used instead — only when the request really comes from a proxy
on this machine (a loopback peer), and only when the header holds one IP address. The proxy must
replace, not pass on, that header (deploy/nginx/dataward.conf does).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the client's address for lockout counting."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    if not getattr(settings, "DATAWARD_TRUST_X_REAL_IP", False) or not _loopback(peer):
        return peer
    forwarded = str(request.META.get("HTTP_X_REAL_IP", "")).strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return peer


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
