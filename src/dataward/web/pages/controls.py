"""Controls: each client's checklist with its latest status, and attestations with evidence."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse

from dataward.controls import attestations, catalog_service, frameworks_service, posture_service
from dataward.controls.engine.catalog import ID_FORMATS
from dataward.controls.models import Attestation
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.pages.retention import require_export
from dataward.web.views import client_or_404, clients_for, page, selected_client

MENU = MenuItem("Controls", "controls:index", Action.VIEW, order=70)
OBJECTS = {
    "control": (Attestation, {"client": "client__slug", "control_id": "control_id"}),
    "attest": (Attestation, {"client": "client__slug", "control_id": "control_id"}),
}
SCREEN = ["client", "control", "area", "title", "status", "failing_checks", "owner", "due"]
LABELS = {
    "client": "Client",
    "control": "Control",
    "area": "Area",
    "title": "Title",
    "applies_because": "Applies because",
    "evidence": "Evidence",
    "status": "Status",
    "failing_checks": "Failing checks",
    "owner": "Owner",
    "due": "Due",
    "requirements": "Requirements",
}


def frameworks_of(clients: list[Client]) -> list[str]:
    """Return the built-in frameworks and the clients' own, in order."""
    own = {fw for c in clients for fw in frameworks_service.custom(c)}
    return [*ID_FORMATS, *sorted(own)]


def checklist(ws: Workspace, clients: list[Client], framework: str) -> list[dict[str, Any]]:
    """Return the checklists of these clients (one framework's controls, or every one)."""
    chosen = [framework] if framework else []
    return [
        {**row, "client": c.slug}
        for c in clients
        for row in catalog_service.checklist_rows(ws, c, chosen)
    ]


def _link(row: dict[str, Any]) -> str:
    return reverse("controls:control", args=[row["client"], row["control"]])


@page(Action.VIEW)
def index(request: HttpRequest) -> HttpResponseBase:
    """Show the checklist of one client or every client in scope, filtered by framework."""
    ws = request_ws(request)
    client = selected_client(request)
    targets = [client] if client else clients_for(ws)
    require_export(request, ws, [c.slug for c in targets])
    known = frameworks_of(targets)
    framework = request.GET.get("framework", "").upper()
    framework = framework if framework in known else ""
    rows = checklist(ws, targets, framework)
    full = ["client", *catalog_service.CHECKLIST_COLUMNS]
    keys = full if request.GET.get("export") else SCREEN
    columns = [
        tables.Column(
            k, LABELS[k], sort=k if k != "failing_checks" else None,
            link=_link if k == "control" else None,
        )
        for k in keys
    ]  # fmt: skip
    statuses = sorted({r["status"] for r in rows})
    areas = sorted({r["area"] for r in rows})
    table = tables.Table(
        name="checklist" + (f"-{client.slug}" if client else ""),
        columns=columns,
        rows=rows,
        filters=[
            tables.Filter("status", "Status", [(s, s) for s in statuses], "status"),
            tables.Filter("area", "Area", [(a, a) for a in areas], "area"),
        ],
        search=["control", "title", "failing_checks", "owner"],
    )
    extra = {
        "clients": clients_for(ws),
        "client": client,
        "frameworks": known,
        "framework": framework,
    }
    return tables.respond(request, "web/controls.html", extra, table)


def control_doc_or_404(control_id: str) -> dict[str, Any]:
    """Return one control of the catalog in full, or 404."""
    try:
        return catalog_service.control_doc(control_id)
    except DatawardError:
        raise Http404("no such control") from None


def detail_context(ws: Workspace, client: Client, doc: dict[str, Any]) -> dict[str, Any]:
    """Return what the control page shows: status, results, attestations and mappings."""
    cid = doc["id"]
    row = next((r for r in catalog_service.checklist_rows(ws, client) if r["control"] == cid), None)
    today = ws.clock().date()
    own = []
    for fw in frameworks_service.custom(client).values():
        reqs = fw.by_control().get(cid)
        if reqs:
            own.append({"id": fw.id, "title": fw.title, "requirements": reqs})
    return {
        "client": client,
        "control": doc,
        "row": row,
        "results": [
            (r, evidence_lines(r.evidence))
            for r in posture_service.control_results(ws, client, cid)
        ],
        "attestations": [
            (a, attestations.state(a.expires, today)) for a in attestations.history(ws, client, cid)
        ],
        "own_frameworks": own,
        "may_attest": bool(doc["attestation"]) and may(ws.actor, Action.APPROVE, client.slug),
        "max_mb": attestations.MAX_FILE // 2**20,
        "max_files": attestations.MAX_UPLOADS,
    }


def evidence_lines(evidence: list[Any]) -> list[str]:
    """Return a result's evidence as readable lines ("key: value · key: value")."""
    lines = []
    for item in evidence:
        if isinstance(item, dict):
            lines.append(" · ".join(f"{k}: {v}" for k, v in item.items()))
        else:
            lines.append(str(item))
    return lines


@page(Action.VIEW)
def control(request: HttpRequest, client: str, control_id: str) -> HttpResponse:
    """Show one control for a client: why it applies, the results behind it, attestations."""
    ws = request_ws(request)
    target = client_or_404(ws, client)
    doc = control_doc_or_404(control_id)
    return render(request, "web/controls_detail.html", detail_context(ws, target, doc))


def parse_day(text: str, where: str) -> date | None:
    """Return a YYYY-MM-DD date from a form field, None when empty, or a one-line error."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DatawardError(
            f"{text.strip()[:20]!r} is not a date", where, "write YYYY-MM-DD"
        ) from None


@page(Action.APPROVE)
def attest(request: HttpRequest, client: str, control_id: str) -> HttpResponse:
    """Record an attestation with uploaded evidence (POST; the service stores and audits it)."""
    ws = request_ws(request)
    target = client_or_404(ws, client, Action.APPROVE)
    doc = control_doc_or_404(control_id)
    here = reverse("controls:control", args=[target.slug, doc["id"]])
    if request.method != "POST":
        return HttpResponseRedirect(here)
    try:
        until = parse_day(request.POST.get("expires", ""), "expires")
        record = attestations.add_uploaded(
            ws,
            target,
            doc["id"],
            request.POST.get("statement", ""),
            request.FILES.getlist("evidence"),
            until,
        )
    except DatawardError as exc:
        ctx = {**detail_context(ws, target, doc), "error": exc.line(), "form": request.POST}
        return render(request, "web/controls_detail.html", ctx, status=400)
    files = len(record.files)
    messages.success(
        request, f"{record.control_id} attested until {record.expires} ({files} files)"
    )
    return HttpResponseRedirect(here)


urlpatterns = [
    path("controls/", index, name="index"),
    path("controls/<str:client>/<str:control_id>/", control, name="control"),
    path("controls/<str:client>/<str:control_id>/attest/", attest, name="attest"),
]
