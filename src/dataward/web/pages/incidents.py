"""Incidents: the register, the intake form, and one incident's timeline and notification clocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse

from dataward.core.engine.clients import DATA_CATEGORIES
from dataward.core.engine.permissions import Action, may
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError, PermissionDeniedError
from dataward.incidents import library, queries, scope, service
from dataward.incidents.engine.register import SEVERITIES
from dataward.incidents.engine.when import parse_instant
from dataward.incidents.engine.workflow import STATUSES
from dataward.incidents.models import Impact, Incident
from dataward.web import tables
from dataward.web.app import request_ws, visible_clients
from dataward.web.nav import MenuItem, can_use
from dataward.web.views import clients_for, page, selected_client, write_then_redirect

MENU = MenuItem("Incidents", "incidents:index", Action.VIEW, order=55)
# An incident belongs to the operation; who may see it follows the clients it affects.
OBJECTS = {name: (Impact, {"pk": "incident_id"}) for name in ("detail", "note", "notify")}
CLOCK_BADGE = {"overdue": "fail", "due soon": "warn", "met late": "warn", "met": "pass"}
UNSETTLED = ("overdue", "due soon", "open")
PERSONAL = {"yes": True, "no": False}


@page(Action.VIEW)
def index(request: HttpRequest) -> HttpResponseBase:
    """List the incidents the user may see, with the clocks that still need a notification."""
    ws = request_ws(request)
    client = selected_client(request)
    slug = client.slug if client else None

    def link(row: dict[str, Any]) -> str:
        return reverse("incidents:detail", args=[row["pk"]])

    col = tables.Column
    table = tables.Table(
        name="incidents",
        columns=[
            col("ref", "Incident", sort="pk", link=link),
            col("title", "Title", sort="title"),
            col("severity", "Severity", sort="severity"),
            col("status", "Status", sort="status"),
            col("detected_at", "Detected (UTC)", sort="detected_at"),
            col("clients", "Clients"),
            col("records", "Records", sort="records"),
            col("open_clocks", "Open clocks", sort="open_clocks"),
            col("overdue_clocks", "Overdue", sort="overdue_clocks"),
            col("handler", "Handler", sort="handler"),
            col("age_days", "Age (days)", sort="age_days"),
        ],
        rows=queries.listing(ws, slug),
        filters=[
            tables.Filter("status", "Status", [(s, s) for s in STATUSES], "status"),
            tables.Filter("severity", "Severity", [(s, s) for s in SEVERITIES], "severity"),
        ],
        search=["ref", "title", "handler"],
        default_sort="-pk",
    )
    extra = {
        "clients": clients_for(ws),
        "client": client,
        "clocks": queries.clock_rows(ws, slug, UNSETTLED),
        "may_report": can_use(ws, Action.TRIAGE, [c.slug for c in visible_clients(ws)]),
    }
    return tables.respond(request, "web/incidents.html", extra, table)


def _form(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    """Render the intake form (again, with what was typed and the error, after a refusal)."""
    ws = request_ws(request)
    context = {
        "clients": clients_for(ws, Action.TRIAGE),
        "categories": DATA_CATEGORIES,
        "severities": SEVERITIES,
        "playbooks": sorted(library.playbooks(ws).values(), key=lambda b: b.name),
        "error": error,
        "posted": request.POST,
        "chosen": {
            "client": request.POST.getlist("client"),
            "category": request.POST.getlist("category"),
            "playbook": request.POST.getlist("playbook"),
        },
    }
    return render(request, "web/incidents_new.html", context, status=status)


@page(Action.TRIAGE)
def new(request: HttpRequest) -> HttpResponseBase:
    """Report an incident: its notification clocks start at once; nothing is stored on error."""
    if request.method != "POST":
        return _form(request)
    form = request.POST
    try:
        incident = service.intake(
            request_ws(request),
            title=form.get("title", ""),
            severity=form.get("severity", ""),
            clients=form.getlist("client"),
            categories=form.getlist("category"),
            records=form.get("records", ""),
            personal_data=PERSONAL.get(form.get("personal_data", "")),
            detected_at=form.get("detected_at", ""),
            occurred_at=form.get("occurred_at", ""),
            description=form.get("description", ""),
            handler=form.get("handler", ""),
            playbooks=form.getlist("playbook"),
        )
    except DatawardError as exc:
        status = 403 if isinstance(exc, PermissionDeniedError) else 400
        return _form(request, exc.line(), status)
    messages.success(request, f"{incident.ref} reported; its notification clocks are running")
    return redirect(reverse("incidents:detail", args=[incident.pk]))


def _incident(request: HttpRequest, pk: int) -> Incident:
    """Return an incident that affects a client in the user's scope (or any, operation-wide)."""
    found = queries.visible(request_ws(request), pk=pk)
    if found is None:
        raise Http404("no such incident")
    return found


def _show(
    request: HttpRequest, incident: Incident, error: str = "", status: int = 200
) -> HttpResponse:
    """Render one incident: facts, impacts, notification clocks, tasks and timeline."""
    ws = request_ws(request)
    doc = queries.show(ws, incident.ref)
    clocks = queries.clock_board(ws, incident)
    for clock in clocks:
        clock["badge"] = CLOCK_BADGE.get(clock["state"], "muted")
        clock["may_record"] = not clock["settled"] and may(ws.actor, Action.TRIAGE, clock["client"])
    slugs = [c.slug for c in scope.affected(incident)]
    mine = [i["client"] for i in doc["impacts"] if may(ws.actor, Action.TRIAGE, i["client"])]
    shared = may(ws.actor, Action.TRIAGE, None) or (
        bool(slugs) and all(may(ws.actor, Action.TRIAGE, s) for s in slugs)
    )
    context = {
        "incident": incident,
        "doc": doc,
        "clocks": clocks,
        "note_clients": mine,
        "may_share": shared,
        "error": error,
        "posted": request.POST if error else {},
    }
    return render(request, "web/incidents_detail.html", context, status=status)


@page(Action.VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one incident with its timeline and notification clocks."""
    return _show(request, _incident(request, pk))


def _write(
    request: HttpRequest, pk: int, act: Callable[[Workspace, Incident], str]
) -> HttpResponseBase:
    """Run one change by POST, then redirect; a refused change shows its one line."""
    incident = _incident(request, pk)
    return write_then_redirect(
        request,
        reverse("incidents:detail", args=[incident.pk]),
        lambda: act(request_ws(request), incident),
        lambda line: _show(request, incident, line, status=400),
    )


@page(Action.TRIAGE)
def note(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Append a note to the timeline: shared with every reader, or about one client."""

    def act(ws: Workspace, incident: Incident) -> str:
        client = request.POST.get("client", "").strip() or None
        service.add_note(
            ws, incident.ref, request.POST.get("text", ""), client and service.in_view(ws, client)
        )
        return f"note added to {incident.ref}"

    return _write(request, pk, act)


@page(Action.TRIAGE)
def notify(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Record that a clock's audience was notified, or that no notification is required."""

    def act(ws: Workspace, incident: Incident) -> str:
        form = request.POST
        at = form.get("at", "").strip()
        rule, client = form.get("rule", ""), service.in_view(ws, form.get("client", ""))
        state = service.notify(
            ws, incident.ref, rule, client,
            at=parse_instant(at, "notified at", now=ws.clock()) if at else None,
            note=form.get("note", ""), not_required=form.get("not_required") == "on",
        )  # fmt: skip
        return f"{incident.ref} {rule} for {client}: {state}"

    return _write(request, pk, act)


urlpatterns = [
    path("incidents/", index, name="index"),
    path("incidents/new/", new, name="new"),
    path("incidents/<int:pk>/", detail, name="detail"),
    path("incidents/<int:pk>/note/", note, name="note"),
    path("incidents/<int:pk>/notify/", notify, name="notify"),
]
