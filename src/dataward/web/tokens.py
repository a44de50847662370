"""Create, list, revoke and check API tokens; the token text is shown once and never stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta

from django.db import transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action, Principal
from dataward.core.models import Client, User
from dataward.core.users import to_principal
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.web.models import ApiToken

PREFIX = "dw_"


def _digest(token: str) -> str:
    """Return the stored form: SHA-256 suffices for 256 random bits and survives key rotation."""
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    ws: Workspace,
    username: str,
    name: str,
    clients: list[str] | None = None,
    read_only: bool = False,
    days: int | None = 90,
) -> tuple[ApiToken, str]:
    """Create a token for a user (themself, or anyone for an admin); return it and its text."""
    if username != ws.actor.name:
        ws.require(Action.MANAGE_USERS, None)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise DatawardError(f"no active user {username!r}", "username", "see dataward users list")
    wanted = sorted(set(clients or []))
    scope = to_principal(user).clients
    outside = [c for c in wanted if scope is not None and c not in scope]
    known = set(Client.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    if outside or set(wanted) - known:
        bad = (outside or sorted(set(wanted) - known))[0]
        raise DatawardError(f"client {bad!r} is not in {username}'s scope", "--client", "fix it")
    if days is not None and not 1 <= days <= 366:
        raise DatawardError("a token lasts 1 to 366 days", "--days", "choose a shorter life")
    text = PREFIX + secrets.token_urlsafe(32)
    now = ws.clock()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=text[: len(PREFIX) + 8],
            digest=_digest(text),
            clients=wanted,
            read_only=read_only,
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
        audit.record(ws, "api_token.create", None, "api_token", token.prefix, after=_state(token))
    return token, text


def _state(token: ApiToken) -> dict[str, object]:
    return {
        "user": token.user.username,
        "name": token.name,
        "clients": token.clients,
        "read_only": token.read_only,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "revoked": token.revoked_at is not None,
    }


def listed(ws: Workspace) -> list[ApiToken]:
    """Return the actor's own tokens, or everyone's for an admin."""
    rows = ApiToken.objects.select_related("user").order_by("created_at")
    from dataward.core.engine.permissions import may

    if not may(ws.actor, Action.MANAGE_USERS, None):
        rows = rows.filter(user__username=ws.actor.name)
    return list(rows)


def revoke(ws: Workspace, prefix: str) -> ApiToken:
    """Revoke a token by its prefix (its owner or an admin)."""
    token = next((t for t in listed(ws) if t.prefix == prefix), None)
    if token is None:
        raise DatawardError(f"no token {prefix!r}", "prefix", "see dataward tokens list")
    if token.revoked_at is None:
        with transaction.atomic():
            before = _state(token)
            token.revoked_at = ws.clock()
            token.save(update_fields=["revoked_at"])
            audit.record(ws, "api_token.revoke", None, "api_token", prefix, before, _state(token))
    return token


def authenticate(ws: Workspace, text: str) -> tuple[ApiToken, Principal] | None:
    """Return the live token for this text and the principal it acts as, or None."""
    if not text.startswith(PREFIX) or len(text) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(text), revoked_at__isnull=True)
        .first()
    )
    now = ws.clock()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    principal = to_principal(token.user)
    if token.clients:
        narrowed = frozenset(token.clients)
        if principal.clients is not None:
            narrowed &= principal.clients
        principal = replace(principal, clients=narrowed)
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token, principal
