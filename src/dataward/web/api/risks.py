"""API: the risk register, one risk with its history, and the edits the service offers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.risks import service
from dataward.risks.models import Risk
from dataward.web.api import Paged, api_ws
from dataward.web.pages.risks import risk_or_404

router = Router(tags=["risks"])
OBJECTS = {
    "risks_risk": (Risk, {"pk": "pk"}),
    "risks_update": (Risk, {"pk": "pk"}),
    "risks_close": (Risk, {"pk": "pk"}),
    "risks_reopen": (Risk, {"pk": "pk"}),
    "risks_accept": (Risk, {"pk": "pk"}),
}


class RiskOut(Schema):
    """One risk of the register (links as comma-separated text, as the CLI exports them)."""

    id: int
    ref: str
    client: str
    title: str
    category: str
    likelihood: int
    impact: int
    inherent: int
    residual: int | None
    rating: str
    status: str
    treatment: str
    owner: str
    due: date | None
    plan: str
    controls: str
    checks: str
    alerts: str
    incidents: str
    accepted_by: str
    acceptance_expires: date | None
    updated_at: datetime


class EventOut(Schema):
    """One entry in a risk's history."""

    at: datetime
    actor: str
    kind: str
    detail: dict[str, Any]


class RiskDetailOut(RiskOut):
    """A risk with its history, oldest first."""

    history: list[EventOut]


class RiskUpdateIn(Schema):
    """Fields to change; those left out stay as they are."""

    owner: str | None = None
    treatment: str | None = None
    due: date | None = None
    plan: str | None = None
    likelihood: str | None = None
    impact: str | None = None
    residual_likelihood: str | None = None
    residual_impact: str | None = None
    note: str = ""


class NoteIn(Schema):
    """Why: kept in the risk's history."""

    note: str = ""


class AcceptIn(Schema):
    """Accept until a date, approved by someone other than the owner and you."""

    approved_by: str
    expires: date
    reason: str


def risk_out(risk: Risk) -> dict[str, Any]:
    """Return a risk as the API shows it."""
    return {**service.row(risk), "id": risk.pk}


@router.get("/", response=list[RiskOut], url_name="risks_list")
@paginate(Paged)
def list_risks(
    request: HttpRequest,
    client: str | None = None,
    status: str | None = None,
    rating: str | None = None,
    owner: str | None = None,
    category: str | None = None,
    all: bool = False,  # noqa: A002 - the CLI's --all
) -> Any:
    """List the register (closed risks with all=true or status=closed), by reference."""
    found = service.risks(
        api_ws(request), client, status=status, rating=rating, owner=owner, category=category,
        all=all,
    )  # fmt: skip
    return [risk_out(r) for r in found]


@router.get("/{pk}", response=RiskDetailOut, url_name="risks_risk")
def get_risk(request: HttpRequest, pk: int) -> Any:
    """Return one risk with its history."""
    ws = api_ws(request)
    found = risk_or_404(ws, pk)
    _, events = service.history(ws, found.ref)
    return {**risk_out(found), "history": events}


@router.api_operation(["PATCH", "POST"], "/{pk}", response=RiskOut, url_name="risks_update")
def update_risk(request: HttpRequest, pk: int, body: RiskUpdateIn) -> Any:
    """Change a risk's owner, treatment, due date, plan or scores; audited."""
    ws = api_ws(request, write=True)
    found = risk_or_404(ws, pk)
    fields = body.model_dump(exclude_unset=True, exclude={"note"})
    return risk_out(service.update(ws, found.ref, body.note, **fields))


@router.post("/{pk}/close", response=RiskOut, url_name="risks_close")
def close_risk(request: HttpRequest, pk: int, body: NoteIn) -> Any:
    """Close a risk whose checks pass again (or one entered by hand), with a note."""
    ws = api_ws(request, write=True)
    return risk_out(service.close(ws, risk_or_404(ws, pk).ref, body.note))


@router.post("/{pk}/reopen", response=RiskOut, url_name="risks_reopen")
def reopen_risk(request: HttpRequest, pk: int, body: NoteIn) -> Any:
    """Reopen a closed, proposed or accepted risk."""
    ws = api_ws(request, write=True)
    return risk_out(service.reopen(ws, risk_or_404(ws, pk).ref, body.note))


@router.post("/{pk}/accept", response=RiskOut, url_name="risks_accept")
def accept_risk(request: HttpRequest, pk: int, body: AcceptIn) -> Any:
    """Accept a risk until a date (at most a year), approved by someone other than its owner."""
    ws = api_ws(request, write=True)
    found = risk_or_404(ws, pk)
    return risk_out(
        service.accept(
            ws, found.ref, approved_by=body.approved_by, expires=body.expires, reason=body.reason
        )
    )
