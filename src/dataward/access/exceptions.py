"""Time-boxed access exceptions: approved by another dataward user, ending on a set date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from dataward.access.models import AccessExceptionRecord
from dataward.core import audit
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

MAX_DAYS = 366
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
    from dataward.core.users import principal_for

    ws.require(Action.IMPORT, client.slug)
    today = ws.clock().date()
    begin = starts or today
    if not reason.strip():
        raise DatawardError(
            "an exception needs a reason", "--reason", "say why the access is needed"
        )
    if ends < begin:
        raise DatawardError(
            f"ends {ends} is before it starts {begin}", "--ends", "give a later date"
        )
    if (ends - begin).days > MAX_DAYS:
        raise DatawardError(
            f"lasts more than {MAX_DAYS} days", "--ends", "time-box it; renew it later"
        )
    if approved_by == ws.actor.name:
        raise DatawardError(
            "you cannot approve your own exception", "--approved-by", "ask another user"
        )
    approver = principal_for(approved_by)
    if not may(approver, Action.APPROVE, client.slug):
        raise DatawardError(
            f"{approved_by} ({approver.role}) may not approve for {client.slug}",
            "--approved-by",
            "name a manager or admin of this client",
        )
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
        state = "expired" if e.ends < today else "pending" if e.starts > today else "in force"
        out.append({**{k: getattr(e, k) for k in COLUMNS[:-1]}, "state": state})
    return out
