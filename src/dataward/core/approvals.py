"""Four eyes for exceptions: a reason, an end date within a year, and another user's approval."""

from __future__ import annotations

from datetime import date

from dataward.core.engine.permissions import Action, may
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

MAX_DAYS = 366


def check_time_box(
    ws: Workspace, client: str, *, reason: str, starts: date, ends: date, approved_by: str
) -> None:
    """Refuse an exception without a reason, past a year, or not approved by another approver."""
    from dataward.core.users import principal_for

    if not reason.strip():
        raise DatawardError("an exception needs a reason", "--reason", "say why it is needed")
    if ends < starts:
        raise DatawardError(
            f"ends {ends} is before it starts {starts}", "--ends", "give a later date"
        )
    if (ends - starts).days > MAX_DAYS:
        raise DatawardError(
            f"lasts more than {MAX_DAYS} days", "--ends", "time-box it; renew it later"
        )
    if approved_by == ws.actor.name:
        raise DatawardError(
            "you cannot approve your own exception", "--approved-by", "ask another user"
        )
    approver = principal_for(approved_by)
    if not may(approver, Action.APPROVE, client):
        raise DatawardError(
            f"{approved_by} ({approver.role}) may not approve for {client}",
            "--approved-by",
            "name a manager or admin of this client",
        )
