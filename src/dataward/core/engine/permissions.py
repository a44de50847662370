"""Answer one question: may this user do this action on this client's data."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The roles of the tool's own users."""

    ADMIN = "admin"
    ANALYST = "analyst"
    MANAGER = "manager"
    AUDITOR = "auditor"
    CLIENT_VIEWER = "client-viewer"


class Action(StrEnum):
    """The actions a user can take on a client's data or on the operation."""

    VIEW = "view"
    EXPORT = "export"
    IMPORT = "import"
    SCAN = "scan"
    ASSESS = "assess"
    TRIAGE = "triage"
    REVIEW_ACCESS = "review-access"
    APPROVE = "approve"
    DISPOSE = "dispose"
    VIEW_AUDIT = "view-audit"
    MANAGE_CLIENTS = "manage-clients"
    MANAGE_USERS = "manage-users"
    MANAGE_KEYS = "manage-keys"


A = Action
MATRIX: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.ANALYST: frozenset(
        {A.VIEW, A.EXPORT, A.IMPORT, A.SCAN, A.ASSESS, A.TRIAGE, A.DISPOSE, A.VIEW_AUDIT}
    ),
    Role.MANAGER: frozenset({A.VIEW, A.EXPORT, A.TRIAGE, A.REVIEW_ACCESS, A.APPROVE, A.VIEW_AUDIT}),
    Role.AUDITOR: frozenset({A.VIEW, A.EXPORT, A.VIEW_AUDIT}),
    Role.CLIENT_VIEWER: frozenset({A.VIEW, A.EXPORT}),
}
"""Which actions each role may take at all; client scope narrows it further."""

OPERATION_ONLY = frozenset({A.MANAGE_CLIENTS, A.MANAGE_USERS, A.MANAGE_KEYS})
"""Actions on the operation itself, never on one client's data."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: role, active flag, and the clients in scope (None means all)."""

    name: str
    role: Role
    active: bool = True
    clients: frozenset[str] | None = None


def may(principal: Principal, action: Action, client: str | None) -> bool:
    """Return True when the principal may take the action on the client's data.

    ``client`` is a client slug, or None for the operation's own records.
    """
    if not principal.active or action not in MATRIX[principal.role]:
        return False
    if action in OPERATION_ONLY:
        return principal.role is Role.ADMIN and principal.clients is None
    if client is None:
        return principal.role is not Role.CLIENT_VIEWER and principal.clients is None
    return principal.clients is None or client in principal.clients


def scope_is_valid(role: Role, clients: frozenset[str] | None) -> str | None:
    """Return why a role and client scope cannot go together, or None when they can."""
    if role is Role.CLIENT_VIEWER and (clients is None or len(clients) != 1):
        return "a client-viewer must be scoped to exactly one client"
    if role is Role.ADMIN and clients is not None:
        return "an admin acts for the whole operation; do not scope an admin to clients"
    return None
