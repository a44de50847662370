"""Alerts triage: the alerts in scope, filterable, and one alert's evidence with its triage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from dataward.core.engine.permissions import Action, may
from dataward.core.workspace import Workspace
from dataward.incidents import queries as incident_queries
from dataward.incidents.engine.register import SEVERITIES
from dataward.monitoring import service
from dataward.monitoring.models import STATES, Alert
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.views import clients_for, page, selected_client, write_then_redirect

MENU = MenuItem("Alerts", "alerts:index", Action.VIEW, order=50)
OBJECTS = {name: (Alert, {"pk": "pk"}) for name in ("detail", "triage", "assign", "escalate")}
LEVELS = ("informational", "low", "medium", "high", "critical")
LEVEL_BADGE = {"critical": "fail", "high": "fail", "medium": "warn"}
STATE_BADGE = {"new": "warn", "escalated": "fail", "resolved": "pass", "false_positive": "muted"}


def _ranked(ws: Workspace, client: str | None) -> Any:
    """Return the alerts in view with a level rank, so sorting by level goes by severity."""
    rank = Case(
        *(When(level=name, then=Value(n)) for n, name in enumerate(LEVELS)),
        default=Value(-1),
        output_field=IntegerField(),
    )
    return service.alert_rows(ws, client).annotate(level_rank=rank)


@page(Action.VIEW)
def index(request: HttpRequest) -> HttpResponseBase:
    """List the alerts the user may see: filter by state, level, rule and client; export."""
    ws = request_ws(request)
    client = selected_client(request)
    rows = _ranked(ws, client.slug if client else None)
    rules = rows.order_by().values_list("rule", flat=True).distinct()

    def link(a: Alert) -> str:
        return reverse("alerts:detail", args=[a.pk])

    col = tables.Column
    table = tables.Table(
        name="alerts",
        columns=[
            col("ref", "Alert", sort="id", link=link),
            col("client", "Client", sort="client__slug", value=lambda a: a.client.slug),
            col("level", "Level", sort="level_rank"),
            col("state", "State", sort="state"),
            col("rule", "Rule", sort="rule"),
            col("subject", "User / host", sort="subject"),
            col("event_count", "Events", sort="event_count"),
            col("first_seen", "First seen (UTC)", sort="first_seen"),
            col("last_seen", "Last seen (UTC)", sort="last_seen"),
            col("assignee", "Assignee", sort="assignee"),
            col("incident_ref", "Incident", sort="incident_ref"),
            col("summary", "Summary"),
        ],
        rows=rows,
        filters=[
            tables.Filter("state", "State", [(s, s) for s in STATES], "state"),
            tables.Filter("level", "Level", [(v, v) for v in LEVELS], "level"),
            tables.Filter("rule", "Rule", [(r, r) for r in sorted(set(rules))], "rule"),
        ],
        search=["ref", "subject", "title", "summary"],
        default_sort="-last_seen",
    )
    extra = {"clients": clients_for(ws), "client": client}
    return tables.respond(request, "web/alerts.html", extra, table)


def _alert(request: HttpRequest, pk: int) -> Alert:
    """Return an alert of a client in the user's scope, or 404."""
    found: Alert = get_object_or_404(service.alert_rows(request_ws(request), None), pk=pk)
    return found


def _slug(found: Alert) -> str | None:
    return None if found.client.is_operation else found.client.slug


def _show(request: HttpRequest, found: Alert, error: str = "", status: int = 200) -> HttpResponse:
    """Render one alert: facts, evidence, history and (for triagers) the triage forms."""
    ws = request_ws(request)
    triager = may(ws.actor, Action.TRIAGE, _slug(found))
    incident = incident_queries.visible(ws, ref=found.incident_ref) if found.incident_ref else None
    context = {
        "alert": found,
        "level_badge": LEVEL_BADGE.get(found.level, "muted"),
        "state_badge": STATE_BADGE.get(found.state, ""),
        "facts": sorted(found.facts.items()),
        "events": service.alert_events(found),
        "history": service.alert_history(ws, found),
        "incident": incident,
        "triager": triager,
        "moves": [m for m in service.MOVES[found.state] if m != "escalated"],
        "can_escalate": "escalated" in service.MOVES[found.state],
        "assignees": service.assignees(found) if triager else [],
        "severities": SEVERITIES,
        "default_severity": service.LEVEL_TO_SEVERITY.get(found.level, "medium"),
        "error": error,
        "posted": request.POST if error else {},
    }
    return render(request, "web/alerts_detail.html", context, status=status)


@page(Action.VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one alert; users who may triage its client also get the triage actions."""
    return _show(request, _alert(request, pk))


def _write(
    request: HttpRequest, pk: int, act: Callable[[Workspace, Alert], str]
) -> HttpResponseBase:
    """Run one triage action by POST, then redirect; a refused action shows its one line."""
    found = _alert(request, pk)
    return write_then_redirect(
        request,
        reverse("alerts:detail", args=[found.pk]),
        lambda: act(request_ws(request), found),
        lambda line: _show(request, found, line, status=400),
    )


@page(Action.TRIAGE)
def triage(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Move the alert to investigating, false_positive, resolved or new (closing needs a reason)."""

    def act(ws: Workspace, found: Alert) -> str:
        state = request.POST.get("state", "").strip()
        reason = request.POST.get("reason", "")
        moved = service.triage(ws, found.ref, state, reason=reason)
        return f"{moved.ref} is now {moved.state}"

    return _write(request, pk, act)


@page(Action.TRIAGE)
def assign(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Give the alert to a dataward user who may triage its client."""

    def act(ws: Workspace, found: Alert) -> str:
        moved = service.assign_user(ws, found.ref, request.POST.get("assignee", ""))
        return f"{moved.ref} assigned to {moved.assignee or 'nobody'}"

    return _write(request, pk, act)


@page(Action.TRIAGE)
def escalate(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Open an incident for the alert (through the incidents service) and mark it escalated."""

    def act(ws: Workspace, found: Alert) -> str:
        title = request.POST.get("title", "")
        severity = request.POST.get("severity", "").strip().lower()
        moved, ref = service.escalate(ws, found.ref, title=title, severity=severity)
        return f"{moved.ref} escalated to incident {ref}"

    return _write(request, pk, act)


urlpatterns = [
    path("alerts/", index, name="index"),
    path("alerts/<int:pk>/", detail, name="detail"),
    path("alerts/<int:pk>/triage/", triage, name="triage"),
    path("alerts/<int:pk>/assign/", assign, name="assign"),
    path("alerts/<int:pk>/escalate/", escalate, name="escalate"),
]
