"""Manage the tool's own users: roles, client scope, passwords (argon2), disabling."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action, Principal, Role, scope_is_valid
from dataward.core.models import Client, User
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError, PermissionDeniedError

ROLES = tuple(r.value for r in Role)


def principal_for(username: str) -> Principal:
    """Return the acting principal for a stored user, refusing unknown or disabled ones."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise PermissionDeniedError(
            f"no dataward user {username!r}", "--as / DATAWARD_USER", "see `dataward users list`"
        )
    if not user.is_active:
        raise PermissionDeniedError(
            f"user {username!r} is disabled", "--as / DATAWARD_USER", "ask an admin"
        )
    return to_principal(user)


def to_principal(user: User) -> Principal:
    """Turn a stored user into the engine's principal."""
    slugs = frozenset(c.slug for c in user.clients.all())
    return Principal(
        name=user.username,
        role=Role(user.role),
        active=user.is_active,
        clients=slugs or None,
    )


def add(
    ws: Workspace,
    username: str,
    role: str,
    clients: list[str],
    email: str = "",
    password: str | None = None,
) -> User:
    """Create a user with a role and client scope; the password is stored as an argon2 hash."""
    ws.require(Action.MANAGE_USERS, None)
    try:
        User.username_validator(username)
    except ValidationError:
        raise DatawardError(
            "a username takes letters, digits and @ . + - _ only", "username", "choose another"
        ) from None
    if role not in ROLES:
        raise DatawardError(f"unknown role {role!r}", "--role", f"use {', '.join(ROLES)}")
    scope = frozenset(clients) or None
    problem = scope_is_valid(Role(role), scope)
    if problem:
        raise DatawardError(problem, "--client", "fix the --client options")
    rows = list(Client.objects.filter(slug__in=clients, kind="client"))
    missing = sorted(set(clients) - {c.slug for c in rows})
    if missing:
        raise DatawardError(f"no client {missing[0]!r}", "--client", "add the client first")
    if User.objects.filter(username=username).exists():
        raise DatawardError(f"user {username!r} exists", "username", "choose another name")
    user = User(username=username, email=email, role=role)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DatawardError(" ".join(exc.messages), "--password", "choose another") from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        user.clients.set(rows)
        audit.record(ws, "user.add", None, "user", username, after=user.as_state())
    return user


def visible(ws: Workspace) -> list[User]:
    """Return the tool's users (an operation-wide view for admins and auditors)."""
    ws.require(Action.VIEW, None)
    return list(User.objects.order_by("username").prefetch_related("clients"))


def set_active(ws: Workspace, username: str, active: bool) -> User:
    """Disable or re-enable a user; their role and history stay."""
    ws.require(Action.MANAGE_USERS, None)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise DatawardError(f"no user {username!r}", "username", "see `dataward users list`")
    if user.is_active == active:
        return user
    with transaction.atomic():
        before = user.as_state()
        user.is_active = active
        user.save(update_fields=["is_active"])
        action = "user.enable" if active else "user.disable"
        audit.record(ws, action, None, "user", username, before, user.as_state())
    return user


def check_password(username: str, password: str) -> bool:
    """Return True when the password matches the user's argon2 hash."""
    user = User.objects.filter(username=username, is_active=True).first()
    return bool(user and user.check_password(password))


def set_password(ws: Workspace, username: str, password: str | None) -> User:
    """Set (argon2) or remove a user's password; an admin's action, audited without the hash."""
    ws.require(Action.MANAGE_USERS, None)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise DatawardError(f"no user {username!r}", "username", "see `dataward users list`")
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DatawardError(" ".join(exc.messages), "password", "choose another") from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save(update_fields=["password"])
        detail = {"password": "set" if password else "removed"}
        audit.record(ws, "user.password", None, "user", username, detail=detail)
    return user
