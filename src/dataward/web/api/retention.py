"""API: data kept past its retention, legal holds, disposal plans and their approval.

No route executes a plan: disposal deletes files and runs from the command line only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dataward.retention import service
from dataward.retention.models import DisposalPlan
from dataward.web.api import Paged, api_ws
from dataward.web.pages.retention import plan_or_404
from dataward.web.views import clients_for

router = Router(tags=["retention"])
OBJECTS = {
    "retention_plan": (DisposalPlan, {"pk": "pk"}),
    "retention_plan_items": (DisposalPlan, {"pk": "pk"}),
    "retention_plan_approve": (DisposalPlan, {"pk": "pk"}),
}


class OverdueOut(Schema):
    """One location kept past its retention, a duplicate extract or a forgotten copy."""

    client: str
    problem: str
    location: str
    category: str
    age_days: int | None
    keep_days: int | None
    size: int | None
    records: int | None
    held_by: str
    note: str


class HoldOut(Schema):
    """A legal hold and whether it is still in force."""

    ref: str
    client: str
    matter: str
    path: str
    category: str
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str
    released_at: datetime | None


class PlanOut(Schema):
    """A disposal plan: who made it, who approved it, its state and size."""

    id: int
    ref: str
    client: str
    status: str
    method: str
    items: int
    bytes: int
    created_by: str
    created_at: datetime
    approved_by: str
    approved_at: datetime | None
    finished_at: datetime | None
    note: str


class RetentionItemOut(Schema):
    """One planned file and what happened to it."""

    seq: int
    path: str
    size: int
    sha256: str
    category: str
    reason: str
    status: str
    outcome: str
    operator: str
    disposed_at: datetime | None


def plan_out(plan: DisposalPlan, sizes: dict[int, tuple[int, int]] | None = None) -> dict[str, Any]:
    """Return a plan as the API shows it, with its number of items and planned bytes."""
    count, size = (sizes if sizes is not None else service.totals([plan])).get(plan.pk, (0, 0))
    own = {
        f: getattr(plan, f) for f in PlanOut.model_fields if f not in ("client", "items", "bytes")
    }
    return {**own, "id": plan.pk, "client": plan.client.slug, "items": count, "bytes": size}


@router.get("/overdue", response=list[OverdueOut], url_name="retention_overdue")
@paginate(Paged)
def list_overdue(request: HttpRequest, client: str | None = None) -> Any:
    """List what is kept past its retention, for one client or every client in scope."""
    ws = api_ws(request)
    slugs = [client] if client else [c.slug for c in clients_for(ws)]
    return [row for slug in slugs for row in service.overdue_rows(ws, slug)]


@router.get("/holds", response=list[HoldOut], url_name="retention_holds")
@paginate(Paged)
def list_holds(request: HttpRequest, client: str | None = None) -> Any:
    """List legal holds, oldest first."""
    fields = [f for f in HoldOut.model_fields if f != "client"]
    return [
        {**{f: getattr(h, f) for f in fields}, "client": h.client.slug}
        for h in service.holds(api_ws(request), client or None)
    ]


@router.get("/plans", response=list[PlanOut], url_name="retention_plans")
@paginate(Paged)
def list_plans(request: HttpRequest, client: str | None = None) -> Any:
    """List disposal plans, newest first."""
    found = service.plans(api_ws(request), client or None)
    sizes = service.totals(found)
    return [plan_out(p, sizes) for p in found]


@router.get("/plans/{pk}", response=PlanOut, url_name="retention_plan")
def get_plan(request: HttpRequest, pk: int) -> Any:
    """Return one disposal plan."""
    return plan_out(plan_or_404(api_ws(request), pk))


@router.get("/plans/{pk}/items", response=list[RetentionItemOut], url_name="retention_plan_items")
@paginate(Paged)
def list_items(request: HttpRequest, pk: int) -> Any:
    """List a plan's items in order."""
    return service.item_rows(plan_or_404(api_ws(request), pk))


@router.post("/plans/{pk}/approve", response=PlanOut, url_name="retention_plan_approve")
def approve_plan(request: HttpRequest, pk: int) -> Any:
    """Approve a draft plan (four eyes: never by the user who made it); audited."""
    ws = api_ws(request, write=True)
    found = plan_or_404(ws, pk)  # the service refuses a role that may not approve
    return plan_out(service.approve(ws, found.ref))
