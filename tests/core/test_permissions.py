"""Every role x action x scope has an expected answer, written out by hand."""

from __future__ import annotations

import pytest

from dataward.core.engine.permissions import Action, Principal, Role, may, scope_is_valid

# Columns for a user scoped to one client (admins are never scoped): that client, another
# client, the operation's own records (operation-wide data is only for unscoped users).
# Y = allowed, n = refused. Written by hand from the role descriptions, not computed.
EXPECTED = {
    "admin": {
        "view": "YYY",
        "export": "YYY",
        "import": "YYY",
        "scan": "YYY",
        "assess": "YYY",
        "triage": "YYY",
        "review-access": "YYY",
        "approve": "YYY",
        "dispose": "YYY",
        "view-audit": "YYY",
        "manage-clients": "YYY",
        "manage-users": "YYY",
        "manage-keys": "YYY",
    },
    "analyst": {
        "view": "Ynn",
        "export": "Ynn",
        "import": "Ynn",
        "scan": "Ynn",
        "assess": "Ynn",
        "triage": "Ynn",
        "review-access": "nnn",
        "approve": "nnn",
        "dispose": "Ynn",
        "view-audit": "Ynn",
        "manage-clients": "nnn",
        "manage-users": "nnn",
        "manage-keys": "nnn",
    },
    "manager": {
        "view": "Ynn",
        "export": "Ynn",
        "import": "nnn",
        "scan": "nnn",
        "assess": "nnn",
        "triage": "Ynn",
        "review-access": "Ynn",
        "approve": "Ynn",
        "dispose": "nnn",
        "view-audit": "Ynn",
        "manage-clients": "nnn",
        "manage-users": "nnn",
        "manage-keys": "nnn",
    },
    "auditor": {
        "view": "Ynn",
        "export": "Ynn",
        "import": "nnn",
        "scan": "nnn",
        "assess": "nnn",
        "triage": "nnn",
        "review-access": "nnn",
        "approve": "nnn",
        "dispose": "nnn",
        "view-audit": "Ynn",
        "manage-clients": "nnn",
        "manage-users": "nnn",
        "manage-keys": "nnn",
    },
    "client-viewer": {
        "view": "Ynn",
        "export": "Ynn",
        "import": "nnn",
        "scan": "nnn",
        "assess": "nnn",
        "triage": "nnn",
        "review-access": "nnn",
        "approve": "nnn",
        "dispose": "nnn",
        "view-audit": "nnn",
        "manage-clients": "nnn",
        "manage-users": "nnn",
        "manage-keys": "nnn",
    },
}


def _principal(role: str, scoped: bool) -> Principal:
    if role == "admin":
        return Principal("u", Role.ADMIN)
    clients = frozenset({"northbank"}) if scoped or role == "client-viewer" else None
    return Principal("u", Role(role), clients=clients)


CASES = [
    pytest.param(role, action, i, want == "Y", id=f"{role}-{action}-{target}")
    for role, row in EXPECTED.items()
    for action, answers in row.items()
    for i, (want, target) in enumerate(zip(answers, ("own", "other", "operation"), strict=True))
]


def test_table_covers_every_role_and_action() -> None:
    assert set(EXPECTED) == {r.value for r in Role}
    for row in EXPECTED.values():
        assert set(row) == {a.value for a in Action}


@pytest.mark.parametrize(("role", "action", "target", "allowed"), CASES)
def test_scoped_user(role: str, action: str, target: int, allowed: bool) -> None:
    """Scoped users (admins are never scoped): own client, another client, the operation."""
    principal = _principal(role, scoped=True)
    client = ("northbank", "carewell", None)[target]
    assert may(principal, Action(action), client) is allowed


@pytest.mark.parametrize("role", ["analyst", "manager", "auditor"])
@pytest.mark.parametrize("action", [a.value for a in Action])
def test_unscoped_user_reaches_every_client_the_role_allows(role: str, action: str) -> None:
    principal = _principal(role, scoped=False)
    own = EXPECTED[role][action][0] == "Y"
    assert may(principal, Action(action), "northbank") is own
    assert may(principal, Action(action), "carewell") is own
    assert may(principal, Action(action), None) is own


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("action", [a.value for a in Action])
def test_disabled_user_may_nothing(role: str, action: str) -> None:
    base = _principal(role, scoped=True)
    disabled = Principal(base.name, base.role, active=False, clients=base.clients)
    for client in ("northbank", "carewell", None):
        assert not may(disabled, Action(action), client)


@pytest.mark.parametrize(
    ("role", "clients", "problem"),
    [
        ("client-viewer", None, "exactly one client"),
        ("client-viewer", frozenset({"a", "b"}), "exactly one client"),
        ("client-viewer", frozenset({"a"}), None),
        ("admin", frozenset({"a"}), "whole operation"),
        ("admin", None, None),
        ("manager", frozenset({"a", "b"}), None),
    ],
)
def test_scope_rules(role: str, clients: frozenset[str] | None, problem: str | None) -> None:
    got = scope_is_valid(Role(role), clients)
    if problem is None:
        assert got is None
    else:
        assert got is not None
        assert problem in got
