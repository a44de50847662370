"""Retention: data past its retention, legal holds, and disposal plans with four-eyes approval.

Disposal itself deletes files, so the dashboard never executes a plan: `dataward retention
dispose` does, from the command line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from dataward.core.engine.permissions import Action, may
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.retention import certify, service
from dataward.retention.models import ITEM_STATES, DisposalPlan
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.views import clients_for, page, selected_client

MENU = MenuItem("Retention", "retention:index", Action.VIEW, order=60)
OBJECTS = {
    "plan": (DisposalPlan, {"pk": "pk"}),
    "approve": (DisposalPlan, {"pk": "pk"}),
    "certificate": (DisposalPlan, {"pk": "pk"}),
}
CERTIFICATE_TYPES = {"pdf": "application/pdf", "csv": "text/csv"}


def require_export(request: HttpRequest, ws: Workspace, slugs: list[str]) -> None:
    """Demand the export permission on every client a ?export= download covers."""
    if request.GET.get("export"):
        for slug in slugs:
            ws.require(Action.EXPORT, slug)


def plan_or_404(ws: Workspace, pk: int, action: Action = Action.VIEW) -> DisposalPlan:
    """Return a plan of a client the actor may act on; 404 for any other."""
    rows = DisposalPlan.objects.for_clients(clients_for(ws, action)).select_related("client")
    found: DisposalPlan = get_object_or_404(rows, pk=pk)
    return found


@page(Action.VIEW)
def index(request: HttpRequest) -> HttpResponseBase:
    """Show what is kept past its retention, the legal holds and the disposal plans."""
    ws = request_ws(request)
    client = selected_client(request)
    targets = [client] if client else clients_for(ws)
    require_export(request, ws, [c.slug for c in targets])
    rows = [r for c in targets for r in service.overdue_rows(ws, c.slug)]
    for row in rows:
        row["held"] = "yes" if row["held_by"] else "no"
    choices = sorted({r["problem"] for r in rows})
    table = tables.Table(
        name="retention-overdue",
        columns=[
            tables.Column("client", "Client", sort="client"),
            tables.Column("problem", "Problem", sort="problem"),
            tables.Column("location", "Location", sort="location"),
            tables.Column("category", "Category", sort="category"),
            tables.Column("age_days", "Age (days)", sort="age_days"),
            tables.Column("keep_days", "Keep (days)", sort="keep_days"),
            tables.Column("size", "Bytes", sort="size"),
            tables.Column("records", "Records", sort="records"),
            tables.Column("held_by", "Held by"),
            tables.Column("note", "Note"),
        ],
        rows=rows,
        filters=[
            tables.Filter("problem", "Problem", [(c, c) for c in choices], "problem"),
            tables.Filter("held", "Held", [("yes", "held"), ("no", "not held")], "held"),
        ],
        search=["location", "note", "category"],
        default_sort="-age_days",
    )
    slug = client.slug if client else None
    plans = service.plans(ws, slug)
    sizes = service.totals(plans)
    extra: dict[str, Any] = {
        "clients": clients_for(ws),
        "client": client,
        "holds": service.holds(ws, slug),
        "plans": [(p, *sizes.get(p.pk, (0, 0))) for p in plans],
    }
    return tables.respond(request, "web/retention.html", extra, table)


@page(Action.VIEW)
def plan(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Show one disposal plan: its items, sizes and state, and approval for a second user."""
    ws = request_ws(request)
    found = plan_or_404(ws, pk)
    require_export(request, ws, [found.client.slug])
    table = tables.Table(
        name=f"disposal-{found.ref}",
        columns=[
            tables.Column("seq", "#", sort="seq"),
            tables.Column("path", "Path", sort="rel"),
            tables.Column("size", "Bytes", sort="size"),
            tables.Column("sha256", "SHA-256"),
            tables.Column("category", "Category", sort="category"),
            tables.Column("reason", "Why"),
            tables.Column("status", "State", sort="status"),
            tables.Column("outcome", "Outcome"),
            tables.Column("operator", "Operator"),
            tables.Column("disposed_at", "Disposed (UTC)", sort="disposed_at"),
        ],
        rows=service.item_rows(found),
        filters=[
            tables.Filter("status", "State", [(s, s) for s in ITEM_STATES], "status"),
        ],
        search=["rel", "category"],
        default_sort="seq",
    )
    count, size = service.totals([found]).get(found.pk, (0, 0))
    may_approve = may(ws.actor, Action.APPROVE, found.client.slug)
    extra = {
        "plan": found,
        "count": count,
        "size": size,
        "disposed": service.item_rows(found).filter(status="disposed").count(),
        "may_approve": may_approve and found.status == "draft",
        "is_maker": found.created_by.lower() == ws.actor.name.lower(),
    }
    return tables.respond(request, "web/retention_plan.html", extra, table)


@page(Action.APPROVE)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a draft plan through the service (never by the user who made it); POST only."""
    ws = request_ws(request)
    found = plan_or_404(ws, pk, Action.APPROVE)
    back = HttpResponseRedirect(reverse("retention:plan", args=[found.pk]))
    if request.method != "POST":
        return back
    try:
        service.approve(ws, found.ref)
    except DatawardError as exc:
        messages.error(request, exc.line())
    else:
        messages.success(request, f"{found.ref} approved; it is executed from the command line")
    return back


@page(Action.EXPORT)
def certificate(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download the certificate of disposal (?kind=pdf or csv) of a plan's disposed items."""
    ws = request_ws(request)
    found = plan_or_404(ws, pk, Action.EXPORT)
    kind = request.GET.get("kind", "pdf")
    if kind not in CERTIFICATE_TYPES:
        kind = "pdf"
    name = f"certificate-{found.ref}.{kind}"
    with tempfile.TemporaryDirectory(prefix="dataward-cert-") as folder:
        output = Path(folder) / name
        try:
            certify.write(ws, found.ref, output, kind)  # audited as retention.certificate
        except DatawardError as exc:
            messages.error(request, exc.line())
            return HttpResponseRedirect(reverse("retention:plan", args=[found.pk]))
        data = output.read_bytes()
    response = HttpResponse(data, content_type=CERTIFICATE_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("retention/", index, name="index"),
    path("retention/plans/<int:pk>/", plan, name="plan"),
    path("retention/plans/<int:pk>/approve/", approve, name="approve"),
    path("retention/plans/<int:pk>/certificate/", certificate, name="certificate"),
]
