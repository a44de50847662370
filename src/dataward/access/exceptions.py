"""Time-boxed access exceptions: approved by another dataward user, ending on a set date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from dataward.access.models import AccessExceptionRecord
from dataward.core import audit
from dataward.core.approvals import check_time_box
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace

COLUMNS = ["ref", "account", "system", "permission", "starts", "ends", "approved_by", "reason",
           "created_by", "state"]  # fmt: skip


def add(
    ws: Workspace,
    client: Client,
    *,
    account: str,
    system: str,
    permission: str,
    ends: date,
    reason: str,
    approved_by: str,
    starts: date | None = None,
) -> AccessExceptionRecord:
    """Record an exception; the approver must be another user allowed to approve for the client."""
    ws.require(Action.IMPORT, client.slug)
    begin = starts or ws.clock().date()
    check_time_box(ws, client.slug, reason=reason, starts=begin, ends=ends, approved_by=approved_by)
    with transaction.atomic():
        count = AccessExceptionRecord.objects.for_client(client).count()
        record = AccessExceptionRecord.objects.create(
            client=client, ref=f"AX-{count + 1:04d}", account=account, system=system.lower(),
            permission=permission, reason=reason, approved_by=approved_by, starts=begin, ends=ends,
            created_by=ws.actor.name, created_at=ws.clock(),
        )  # fmt: skip
        state = {k: str(getattr(record, k)) for k in COLUMNS[:8]}
        audit.record(
            ws, "access.exception.add", client.slug, "access_exception", record.ref, after=state
        )
    return record


def rows(ws: Workspace, client: Client) -> list[dict[str, Any]]:
    """Return the client's exceptions with their state (in force, expired, not yet started)."""
    ws.require(Action.VIEW, client.slug)
    today = ws.clock().date()
    out = []
    for e in AccessExceptionRecord.objects.for_client(client).order_by("id"):
        out.append({**{k: getattr(e, k) for k in COLUMNS[:-1]}, "state": e.state(today)})
    return out
