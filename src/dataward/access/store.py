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
from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

BATCH = 5000
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
    rows = [
        Person(
            client=op, employee_id=p.employee_id, name=p.name, email=p.email, status=p.status,
            start_date=p.start_date, end_date=p.end_date, department=p.department,
            job_role=p.job_role, clients=list(p.clients), manager_id=p.manager_id,
            last_role_change=p.last_role_change, row=p.row,
        )
        for p in result.people
    ]  # fmt: skip
    with transaction.atomic():
        before = Person.objects.for_client(op).count()
        Person.objects.for_client(op).delete()
        Person.objects.bulk_create(rows, batch_size=BATCH)
        counts = {"rows": len(rows), "replaced": before}
        return _run(ws, op, "hr", "hr", location, sha, counts)


def import_accounts(
    ws: Workspace, result: t.ImportResult, source: str, location: str, sha: str
) -> dict[str, Any]:
    """Replace one directory source's accounts with these."""
    op = ensure_operation(ws)
    ws.require(Action.IMPORT, None)
    rows = [
        DirectoryAccount(
            client=op, source=source, username=a.username, employee_id=a.employee_id,
            email=a.email, display_name=a.display_name, enabled=a.enabled,
            mfa_registered=a.mfa_registered, mfa_enforced=a.mfa_enforced,
            last_login=a.last_login, groups=list(a.groups), privileged=a.privileged,
            login_lag_days=a.login_lag_days, aliases=list(a.aliases), row=a.row,
        )
        for a in result.accounts
    ]  # fmt: skip
    with transaction.atomic():
        current = DirectoryAccount.objects.for_client(op).filter(source=source)
        before = current.count()
        current.delete()
        DirectoryAccount.objects.bulk_create(rows, batch_size=BATCH)
        counts = {"rows": len(rows), "replaced": before}
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
    rows = [
        Entitlement(
            client=client, system=system, account=e.account, application=e.application,
            permission=e.permission, privileged=e.privileged, granted_date=e.granted_date,
            last_used=e.last_used, granted_by=e.granted_by, row=e.row,
        )
        for e in result.entitlements
    ]  # fmt: skip
    with transaction.atomic():
        current = Entitlement.objects.for_client(client).filter(system=system)
        before = current.count()
        current.delete()
        Entitlement.objects.bulk_create(rows, batch_size=BATCH)
        verified = reviews.verify_revocations(ws, client, system, result.entitlements)
        counts = {"rows": len(rows), "replaced": before, **verified}
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
