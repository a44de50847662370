"""Record and list time-boxed exceptions to checks (approved by another user, at most a year)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from dataward.controls.engine.exceptions import CheckException
from dataward.controls.models import CheckException as CheckExceptionRecord
from dataward.core import audit
from dataward.core.approvals import check_time_box
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

COLUMNS = [
    "ref",
    "control",
    "check",
    "subject",
    "starts",
    "ends",
    "approved_by",
    "reason",
    "created_by",
    "state",
]


def add(
    ws: Workspace,
    client: Client,
    *,
    check_id: str = "",
    control_id: str = "",
    subject: str,
    ends: date,
    reason: str,
    approved_by: str,
    starts: date | None = None,
) -> CheckExceptionRecord:
    """Record an exception to one check's failures for the client (one subject, or '*')."""
    from dataward.controls.catalog_service import catalog
    from dataward.controls.store import registry

    ws.require(Action.ASSESS, None if client.is_operation else client.slug)
    if bool(check_id) == bool(control_id):
        raise DatawardError("name one check or one control", "--check/--control", "give one")
    if check_id and check_id not in registry().checks:
        raise DatawardError(f"no check {check_id!r}", "--check", "see dataward controls list")
    if control_id:
        control = catalog().control(control_id)  # one line when unknown
        if not control.checks:
            raise DatawardError(
                f"{control.id} is evidenced by attestation only", "--control", "nothing to waive"
            )
        control_id = control.id
    begin = starts or ws.clock().date()
    check_time_box(ws, client.slug, reason=reason, starts=begin, ends=ends, approved_by=approved_by)
    with transaction.atomic():
        count = CheckExceptionRecord.objects.for_client(client).count()
        record = CheckExceptionRecord.objects.create(
            client=client,
            ref=f"EX-{count + 1:04d}",
            check_id=check_id,
            control_id=control_id,
            subject=subject or "*",
            reason=reason,
            approved_by=approved_by,
            starts=begin,
            ends=ends,
            created_by=ws.actor.name,
            created_at=ws.clock(),
        )
        state = {
            "check": check_id,
            "control": control_id,
            "subject": record.subject,
            "starts": str(begin),
            "ends": str(ends),
            "approved_by": approved_by,
            "reason": reason,
        }
        slug = None if client.is_operation else client.slug
        audit.record(ws, "check.exception.add", slug, "check_exception", record.ref, after=state)
    return record


def in_force(client: Client) -> list[CheckException]:
    """Return the client's exceptions as the engine applies them (a control's, per its check)."""
    from dataward.controls.catalog_service import catalog

    out = []
    for e in CheckExceptionRecord.objects.for_client(client).order_by("id"):
        checks = catalog().control(e.control_id).checks if e.control_id else (e.check_id,)
        out += [
            CheckException(e.ref, c, e.subject, e.starts, e.ends, e.approved_by) for c in checks
        ]
    return out


def rows(ws: Workspace, client: Client) -> list[dict[str, Any]]:
    """Return the client's exceptions with their state (in force, expired, pending)."""
    ws.require(Action.VIEW, None if client.is_operation else client.slug)
    today = ws.clock().date()
    out = []
    for e in CheckExceptionRecord.objects.for_client(client).order_by("id"):
        out.append(
            {
                "ref": e.ref,
                "control": e.control_id,
                "check": e.check_id or "(every check)",
                "subject": e.subject,
                "starts": e.starts,
                "ends": e.ends,
                "approved_by": e.approved_by,
                "reason": e.reason,
                "created_by": e.created_by,
                "state": e.state(today),
            }
        )
    return out
