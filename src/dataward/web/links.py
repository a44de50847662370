"""One-time sign-in links an admin hands out (`dataward demo --serve`): single use, short-lived.

A link replaces the password step only: a role that needs MFA still passes TOTP after it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.models import User
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.web.models import SignInLink


def create(ws: Workspace, username: str, minutes: int = 30) -> str:
    """Return the path of a new one-time link for an active user (admins only)."""
    ws.require(Action.MANAGE_USERS, None)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise DatawardError(f"no active user {username!r}", "username", "see dataward users list")
    text = secrets.token_urlsafe(32)
    with transaction.atomic():
        SignInLink.objects.create(
            user=user,
            digest=hashlib.sha256(text.encode()).hexdigest(),
            expires_at=ws.clock() + timedelta(minutes=minutes),
        )
        audit.record(ws, "user.signin_link", None, "user", username, detail={"minutes": minutes})
    return f"/login/link/{text}/"


def redeem(ws: Workspace, text: str) -> User | None:
    """Use a link once: return its user when it is live, and burn it either way."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        link = SignInLink.objects.select_for_update().filter(digest=digest).first()
        if link is None:
            return None
        deleted, _ = link.delete()
        if not deleted:  # another request used it between our read and our delete (SQLite)
            return None
        if link.expires_at <= ws.clock() or not link.user.is_active:
            return None
        return link.user
