"""Admin chores on the tool's own sign-in: reset a lost authenticator, lift a lockout."""

from __future__ import annotations

from django.db import transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.models import User
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise DatawardError(f"no user {username!r}", "username", "see `dataward users list`")
    return user


def mfa_reset(ws: Workspace, username: str) -> int:
    """Remove every TOTP device of a user (admins only), audited."""
    ws.require(Action.MANAGE_USERS, None)
    from dataward.web.auth.mfa import reset

    user = _user(username)
    with transaction.atomic():
        count = reset(user)
        audit.record(ws, "user.mfa_reset", None, "user", username, detail={"devices": count})
    return int(count)


def unlock(ws: Workspace, username: str) -> int:
    """Clear django-axes' failure records of a user (admins only), audited."""
    ws.require(Action.MANAGE_USERS, None)
    from axes.models import AccessAttempt

    _user(username)
    with transaction.atomic():
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        audit.record(ws, "user.unlock", None, "user", username, detail={"records": count})
    return int(count)
