"""Read one client's identities and access from the store and evaluate the rules for checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dataward.access.engine import types as t
from dataward.access.engine.evaluate import evaluate
from dataward.access.engine.matrix import RoleMatrix, from_dict
from dataward.access.engine.model import AccessData, AccessException, Grant, RuleOutcome
from dataward.access.models import (
    AccessExceptionRecord,
    DirectoryAccount,
    Entitlement,
    ImportRun,
    LinkDecision,
    Person,
    ReviewCampaign,
    ReviewItem,
    RoleMatrixRecord,
)
from dataward.core.clients import ensure_operation
from dataward.core.engine.memory import paused_gc
from dataward.core.models import Client
from dataward.core.workspace import Workspace

PERSON_FIELDS = (
    "employee_id", "name", "email", "status", "start_date", "end_date", "department",
    "job_role", "clients", "manager_id", "last_role_change", "row",
)  # fmt: skip
ACCOUNT_FIELDS = (
    "source", "username", "employee_id", "email", "display_name", "enabled", "mfa_registered",
    "mfa_enforced", "last_login", "groups", "privileged", "login_lag_days", "aliases", "row",
)  # fmt: skip
GRANT_FIELDS = (
    "system", "account", "application", "permission", "privileged", "granted_date",
    "last_used", "granted_by", "row",
)  # fmt: skip


def people(op: Client) -> tuple[t.Person, ...]:
    """Return the operation's HR roster."""
    rows = Person.objects.for_client(op).values_list(*PERSON_FIELDS).order_by("employee_id")
    return tuple(
        t.Person(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], tuple(r[8]), r[9], r[10], r[11])
        for r in rows.iterator(chunk_size=10000)
    )


def accounts(op: Client) -> tuple[tuple[str, t.Account], ...]:
    """Return every directory source's accounts as (source, account)."""
    rows = DirectoryAccount.objects.for_client(op).values_list(*ACCOUNT_FIELDS).order_by("id")
    return tuple(
        (
            r[0],
            t.Account(
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                tuple(r[9]),
                r[10],
                r[11],
                tuple(r[12]),
                r[13],
            ),
        )  # fmt: skip
        for r in rows.iterator(chunk_size=10000)
    )


def grants(client: Client) -> tuple[Grant, ...]:
    """Return the client's entitlements as grants on its systems."""
    rows = Entitlement.objects.for_client(client).values_list(*GRANT_FIELDS).order_by("id")
    return tuple(Grant(r[0], t.Entitlement(*r[1:])) for r in rows.iterator(chunk_size=20000))


def matrix(client: Client) -> RoleMatrix | None:
    """Return the client's role matrix, or None when none was imported."""
    record = RoleMatrixRecord.objects.for_client(client).first()
    return from_dict(record.spec, f"stored matrix of {client.slug}") if record else None


def exceptions(client: Client) -> tuple[AccessException, ...]:
    """Return the client's access exceptions."""
    return tuple(
        AccessException(
            e.account, e.system, e.permission, e.starts, e.ends, e.reason, e.approved_by, e.ref
        )  # fmt: skip
        for e in AccessExceptionRecord.objects.for_client(client).order_by("id")
    )


_WORKFORCE: dict[str, Any] = {}


def workforce(op: Client) -> tuple[tuple[t.Person, ...], tuple[tuple[str, t.Account], ...]]:
    """Return the roster and directory accounts, read once per snapshot of them.

    Every import records an ImportRun, so the newest run id of the operation (with the database
    it lives in) identifies the snapshot; evaluating five clients reads the workforce once.
    """
    from django.db import connection

    newest = ImportRun.objects.for_client(op).order_by("-id").values_list("id", flat=True).first()
    key = (str(connection.settings_dict.get("NAME")), op.pk, newest)
    if _WORKFORCE.get("key") != key:
        _WORKFORCE.clear()
        _WORKFORCE.update(key=key, value=(people(op), accounts(op)))
    value: tuple[tuple[t.Person, ...], tuple[tuple[str, t.Account], ...]] = _WORKFORCE["value"]
    return value


def load(ws: Workspace, client: Client, now: datetime | None = None) -> AccessData:
    """Return everything the rules read for this client (or the operation)."""
    op = ensure_operation(ws)
    confirmed = dict(LinkDecision.objects.for_client(op).values_list("username", "employee_id"))
    roster, directory = workforce(op)
    base: dict[str, Any] = {
        "client": client.slug,
        "now": now or ws.clock(),
        "people": roster,
        "accounts": directory,
        "confirmed": confirmed,
    }
    if client.is_operation:
        return AccessData(**base, operation=True)
    closed = ReviewCampaign.objects.for_client(client).filter(status="closed")
    return AccessData(
        **base,
        grants=grants(client),
        matrix=matrix(client),
        exceptions=exceptions(client),
        reviews=tuple(c for c in closed.values_list("closed_at", flat=True) if c),
        unrevoked=tuple(
            ReviewItem.objects.for_client(client)
            .filter(verified=False)
            .values_list("campaign__name", "system", "account", "permission")
        ),
    )


def imported(ws: Workspace, client: Client) -> bool:
    """Return whether anything the access rules read has been imported."""
    op = ensure_operation(ws)
    return (
        Person.objects.for_client(op).exists()
        or DirectoryAccount.objects.for_client(op).exists()
        or (not client.is_operation and Entitlement.objects.for_client(client).exists())
    )


def outcomes(ws: Workspace, client: Client) -> dict[str, RuleOutcome] | None:
    """Return each access rule's outcome for the client, or None when nothing was imported."""
    if not imported(ws, client):
        return None
    with paused_gc():
        return evaluate(load(ws, client))
