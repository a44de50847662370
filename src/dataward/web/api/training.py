"""API: training requirements and each person's standing per required course."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import field_validator

from dataward.core.workspace import Workspace
from dataward.training import service
from dataward.web.api import Paged, api_ws

router = Router(tags=["training"])
EVERYONE = "(everyone)"  # what the training listings put for a workforce-wide requirement


def _client(ws: Workspace, client: str | None) -> str | None:
    """Return the client asked for; a user scoped to one client gets theirs by default."""
    if not client and ws.actor.clients is not None and len(ws.actor.clients) == 1:
        return next(iter(ws.actor.clients))
    return client or None


def _workforce_wide(value: Any) -> Any:
    """Return None for a workforce-wide row (the listings say "(everyone)")."""
    return None if value == EVERYONE else value


class StatusOut(Schema):
    """One person's standing on one required course (``days``: negative when overdue).

    ``client`` is the client whose requirement set the due date; null when workforce-wide.
    """

    employee_id: str
    name: str
    job_role: str
    client: str | None
    course: str
    title: str
    state: str
    due: date | None
    days: int | None
    last_completed: date | None

    _client = field_validator("client", mode="before")(_workforce_wide)


class RequirementOut(Schema):
    """One requirement in force: which course, for whom, how often and by when."""

    course: str
    title: str
    client: str | None
    roles: list[str]
    every_days: int | str
    within_days: int
    after: str
    before_access: bool

    _client = field_validator("client", mode="before")(_workforce_wide)


@router.get("/status", response=list[StatusOut], url_name="training_status")
@paginate(Paged)
def list_status(
    request: HttpRequest,
    client: str | None = None,
    course: str | None = None,
    state: str | None = None,
) -> Any:
    """List each person's status per required course, for one client or (unscoped) everyone.

    A user scoped to one client gets that client's without naming it; one scoped to several
    names the client.
    """
    ws = api_ws(request)
    rows = service.status_rows_reused(ws, _client(ws, client))
    if course or state:
        rows = [
            r
            for r in rows
            if (not course or r["course"] == course) and (not state or r["state"] == state)
        ]
    return rows


@router.get("/requirements", response=list[RequirementOut], url_name="training_requirements")
@paginate(Paged)
def list_requirements(request: HttpRequest, client: str | None = None) -> Any:
    """List the requirements in force: workforce-wide, plus one client's when given."""
    ws = api_ws(request)
    rows, _ = service.requirement_rows(ws, _client(ws, client))
    return rows
