"""Store what the connectors read: each import replaces its source's rows in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction

from dataward.access import reviews
from dataward.access.engine import types as t
from dataward.access.engine.matrix import RoleMatrix
from dataward.access.models import (
    DirectoryAccount,
    Entitlement,
    ImportRun,
    Person,
    RoleMatrixRecord,
)
from dataward.core import audit
from dataward.core.bulk import insert_rows
from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

BATCH = 5000
PERSON_FIELDS = (
    "client", "employee_id", "name", "email", "status", "start_date", "end_date", "department",
    "job_role", "clients", "manager_id", "last_role_change", "row",
)  # fmt: skip
ACCOUNT_FIELDS = (
    "client", "source", "username", "employee_id", "email", "display_name", "enabled",
    "mfa_registered", "mfa_enforced", "last_login", "groups", "privileged", "login_lag_days",
    "aliases", "row",
)  # fmt: skip
GRANT_FIELDS = (
    "client", "system", "account", "application", "permission", "privileged", "granted_date",
    "last_used", "granted_by", "row",
)  # fmt: skip
DIRECTORY_KINDS = ("directory", "scim", "entra", "ldap")


def digest(paths: Iterable[Path]) -> str:
    """Return one sha256 over the files read (an LDAP import has none)."""
    h = hashlib.sha256()
    for path in paths:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def _run(
    ws: Workspace,
    client: Client,
    kind: str,
    source: str,
    location: str,
    sha: str,
    counts: dict[str, int],
) -> dict[str, Any]:
    """Record the import and its audit event; return what the command prints."""
    last = (
        ImportRun.objects.for_client(client)
        .filter(kind=kind, source=source)
        .order_by("-imported_at", "-id")
        .first()
    )
    unchanged = bool(sha) and last is not None and last.sha256 == sha
    ImportRun.objects.create(
        client=client, kind=kind, source=source, location=location, sha256=sha, counts=counts,
        imported_at=ws.clock(), actor=ws.actor.name,
    )  # fmt: skip
    detail = {"kind": kind, "source": source, "location": location, "sha256": sha, **counts}
    slug = None if client.is_operation else client.slug
    audit.record(ws, "access.import", slug, "access_source", f"{kind}:{source}", detail=detail)
    return {"client": client.slug, "kind": kind, "source": source, "unchanged": unchanged, **counts}


def import_people(ws: Workspace, result: t.ImportResult, location: str, sha: str) -> dict[str, Any]:
    """Replace the HR roster of the operation with this one."""
    op = ensure_operation(ws)
    ws.require(Action.IMPORT, None)
    rows = (
        (op.pk, p.employee_id, p.name, p.email, p.status, p.start_date, p.end_date, p.department,
         p.job_role, list(p.clients), p.manager_id, p.last_role_change, p.row)
        for p in result.people
    )  # fmt: skip
    with transaction.atomic():
        before = Person.objects.for_client(op).count()
        Person.objects.for_client(op).delete()
        added = insert_rows(Person, PERSON_FIELDS, rows, BATCH)
        counts = {"rows": added, "replaced": before}
        return _run(ws, op, "hr", "hr", location, sha, counts)


def import_accounts(
    ws: Workspace, result: t.ImportResult, source: str, location: str, sha: str
) -> dict[str, Any]:
    """Replace one directory source's accounts with these."""
    op = ensure_operation(ws)
    ws.require(Action.IMPORT, None)
    rows = (
        (op.pk, source, a.username, a.employee_id, a.email, a.display_name, a.enabled,
         a.mfa_registered, a.mfa_enforced, a.last_login, list(a.groups), a.privileged,
         a.login_lag_days, list(a.aliases), a.row)
        for a in result.accounts
    )  # fmt: skip
    with transaction.atomic():
        current = DirectoryAccount.objects.for_client(op).filter(source=source)
        before = current.count()
        current.delete()
        added = insert_rows(DirectoryAccount, ACCOUNT_FIELDS, rows, BATCH)
        counts = {"rows": added, "replaced": before}
        return _run(ws, op, result.kind, source, location, sha, counts)


def import_entitlements(
    ws: Workspace, client: Client, result: t.ImportResult, system: str, location: str, sha: str
) -> dict[str, Any]:
    """Replace one client system's entitlements, then verify pending revocations against it."""
    if client.is_operation:
        raise DatawardError(
            "entitlements belong to a client's system", "--client", "name the client (--client C)"
        )
    ws.require(Action.IMPORT, client.slug)
    rows = (
        (client.pk, system, e.account, e.application, e.permission, e.privileged,
         e.granted_date, e.last_used, e.granted_by, e.row)
        for e in result.entitlements
    )  # fmt: skip
    with transaction.atomic():
        current = Entitlement.objects.for_client(client).filter(system=system)
        before = current.count()
        current.delete()
        added = insert_rows(Entitlement, GRANT_FIELDS, rows, BATCH)
        verified = reviews.verify_revocations(ws, client, system, result.entitlements)
        counts = {"rows": added, "replaced": before, **verified}
        return _run(ws, client, "entitlements", system, location, sha, counts)


def save_matrix(
    ws: Workspace, client: Client, matrix: RoleMatrix, location: str, sha: str
) -> dict[str, Any]:
    """Store the client's role matrix (replacing the previous one)."""
    if client.is_operation:
        raise DatawardError("a role matrix belongs to a client", "--client", "name the client")
    if matrix.client and matrix.client != client.slug:
        raise DatawardError(
            f"the file is for client {matrix.client!r}", location, f"use --client {matrix.client}"
        )
    ws.require(Action.IMPORT, client.slug)
    spec = matrix.as_dict()
    with transaction.atomic():
        RoleMatrixRecord.objects.for_client(client).delete()
        RoleMatrixRecord.objects.create(
            client=client, spec=spec, location=location, sha256=sha, loaded_at=ws.clock()
        )
        counts = {"roles": len(matrix.roles), "conflicts": len(matrix.conflicts)}
        return _run(ws, client, "matrix", "matrix", location, sha, counts)
