"""Risks: the register of every client in scope (and the operation's), and each risk's history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.risks import service
from dataward.risks.engine import scoring
from dataward.risks.models import Risk
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.pages.controls import parse_day
from dataward.web.views import page

MENU = MenuItem("Risks", "risks:index", Action.VIEW, order=75)
OBJECTS = {
    "risk": (Risk, {"pk": "pk"}),
    "update": (Risk, {"pk": "pk"}),
    "status": (Risk, {"pk": "pk"}),
}
SCREEN = [
    ("ref", "Risk"), ("client", "Client"), ("title", "Title"), ("rating", "Level"),
    ("score", "Score"), ("likelihood", "L"), ("impact", "I"), ("residual", "Residual"),
    ("status", "Status"), ("treatment", "Treatment"), ("owner", "Owner"), ("due", "Due"),
    ("controls", "Controls"),
]  # fmt: skip
UNSORTED = {"title", "controls", "rating"}
HEAT = {"low": "h1", "medium": "h2", "high": "h3", "critical": "h4"}
EDITS = ("owner", "treatment", "plan")


def slug_of(client: Client) -> str | None:
    """Return the client's slug, or None for the operation (as permissions name it)."""
    return None if client.is_operation else client.slug


def risk_or_404(ws: Workspace, pk: int, action: Action = Action.VIEW) -> Risk:
    """Return a risk of a client (or the operation) the actor may act on; 404 for any other."""
    allowed = [c for c in service.visible_clients(ws, None) if may(ws.actor, action, slug_of(c))]
    rows = Risk.objects.for_clients(allowed).select_related("client")
    found: Risk = get_object_or_404(rows, pk=pk)
    return found


def heat_grid(ws: Workspace, slug: str | None) -> list[tuple[int, list[tuple[int, int, str]]]]:
    """Return the heat map of risks not closed: (likelihood, [(impact, count, css class)]) rows."""
    grid: dict[int, list[tuple[int, int, str]]] = {}
    for cell in service.heat_map(ws, slug):
        level = scoring.band(cell.likelihood * cell.impact)
        css = HEAT[level] if cell.count else "h0"
        grid.setdefault(cell.likelihood, []).append((cell.impact, cell.count, css))
    return sorted(grid.items(), reverse=True)


@page(Action.VIEW)
def index(request: HttpRequest) -> HttpResponseBase:
    """List the register with filters (client, status, level, owner), sorting and export."""
    ws = request_ws(request)
    visible = service.visible_clients(ws, None)
    chosen = request.GET.get("client", "")
    if chosen and chosen not in {c.slug for c in visible}:
        raise Http404("no such client")  # as for ?client= elsewhere: not found, not filtered
    if request.GET.get("export"):
        for c in visible:
            ws.require(Action.EXPORT, slug_of(c))
    status = request.GET.get("status", "")
    found = service.risks(ws, None, all=status in scoring.STATUSES)  # closed only when asked
    rows = []
    for r in found:
        row = service.row(r)
        rows.append({**row, "pk": r.pk, "score": row["residual"] or row["inherent"]})
    if request.GET.get("export"):
        columns = [tables.Column(k, k) for k in service.EXPORT_COLUMNS]
    else:
        columns = [
            tables.Column(
                k, label, sort=None if k in UNSORTED else k,
                link=(lambda r: reverse("risks:risk", args=[r["pk"]])) if k == "ref" else None,
            )
            for k, label in SCREEN
        ]  # fmt: skip
    owners = sorted({r["owner"] for r in rows if r["owner"]})
    table = tables.Table(
        name="risk-register",
        columns=columns,
        rows=rows,
        filters=[
            tables.Filter("client", "Client", [(c.slug, c.slug) for c in visible], "client"),
            tables.Filter("status", "Status", [(s, s) for s in scoring.STATUSES], "status"),
            tables.Filter("rating", "Level", [(b, b) for b in service.RATINGS], "rating"),
            tables.Filter("owner", "Owner", [(o, o) for o in owners], "owner"),
        ],
        search=["ref", "title", "owner", "controls"],
        default_sort="-score",
    )
    extra = {"heat": heat_grid(ws, chosen or None), "heat_client": chosen}
    return tables.respond(request, "web/risks.html", extra, table)


def detail_context(ws: Workspace, risk: Risk) -> dict[str, Any]:
    """Return what the risk page shows: fields, links, history and the edits the user may make."""
    row, events = service.history(ws, risk.ref)
    slug = slug_of(risk.client)
    controls = [
        (cid, reverse("controls:control", args=[slug, cid]) if slug else "")
        for cid in risk.controls
    ]
    return {
        "risk": risk,
        "row": row,
        "events": list(reversed(events)),
        "controls": controls,
        "may_edit": may(ws.actor, Action.TRIAGE, slug),
        "treatments": [t for t in scoring.TREATMENTS if t != "accept"],
    }


@page(Action.VIEW)
def risk(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one risk: scores, treatment, linked controls, checks, alerts, incidents, history."""
    ws = request_ws(request)
    return render(request, "web/risks_detail.html", detail_context(ws, risk_or_404(ws, pk)))


def _changes(request: HttpRequest, found: Risk) -> dict[str, Any]:
    """Return the fields the form changes (unchanged and empty fields are left as they are)."""
    out: dict[str, Any] = {}
    for name in EDITS:
        value = request.POST.get(name, "").strip()
        if value and value != getattr(found, name):
            out[name] = value
    due = parse_day(request.POST.get("due", ""), "due")
    if due is not None and due != found.due:
        out["due"] = due
    return out


def _write(request: HttpRequest, pk: int, form: str) -> HttpResponse:
    """Apply one edit form through the service; show its one-line error on the page if refused."""
    ws = request_ws(request)
    found = risk_or_404(ws, pk, Action.TRIAGE)
    here = reverse("risks:risk", args=[found.pk])
    if request.method != "POST":
        return HttpResponseRedirect(here)
    note = request.POST.get("note", "").strip()
    try:
        if form == "update":
            changed = service.update(ws, found.ref, note, **_changes(request, found))
        else:
            changed = _status(ws, request, found, note)
    except DatawardError as exc:
        ctx = {**detail_context(ws, found), "error": exc.line(), "error_form": form}
        return render(request, "web/risks_detail.html", {**ctx, "form": request.POST}, status=400)
    messages.success(request, f"{changed.ref} saved ({changed.status})")
    return HttpResponseRedirect(here)


def _status(ws: Workspace, request: HttpRequest, found: Risk, note: str) -> Risk:
    """Close, reopen or accept a risk as the form asks."""
    action = request.POST.get("action", "")
    if action == "close":
        return service.close(ws, found.ref, note)
    if action == "reopen":
        return service.reopen(ws, found.ref, note)
    if action == "accept":
        expires = parse_day(request.POST.get("expires", ""), "expires")
        if expires is None:
            raise DatawardError("accepting needs an expiry date", "expires", "give YYYY-MM-DD")
        return service.accept(
            ws,
            found.ref,
            approved_by=request.POST.get("approved_by", ""),
            expires=expires,
            reason=note,
        )
    raise DatawardError(f"unknown action {action[:20]!r}", "action", "close, reopen or accept")


@page(Action.TRIAGE)
def update(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a risk's owner, treatment, plan or due date (POST)."""
    return _write(request, pk, "update")


@page(Action.TRIAGE)
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """Close, reopen or accept a risk (POST)."""
    return _write(request, pk, "status")


urlpatterns = [
    path("risks/", index, name="index"),
    path("risks/<int:pk>/", risk, name="risk"),
    path("risks/<int:pk>/update/", update, name="update"),
    path("risks/<int:pk>/status/", status, name="status"),
]
