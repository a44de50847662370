"""The audit trail viewer: every state-changing action, filterable, with the chain's state."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.views import clients_for, page, selected_client

MENU = MenuItem("Audit trail", "audit:list", Action.VIEW_AUDIT, order=90)


@page(Action.VIEW_AUDIT)
def audit_list(request: HttpRequest) -> HttpResponseBase:
    """List audit events the user may read; admins and auditors also see the chain check."""
    ws = request_ws(request)
    client = selected_client(request, Action.VIEW_AUDIT)
    rows = audit.visible_events(ws, client.slug if client else None)
    actions = rows.order_by().values_list("action", flat=True).distinct()
    table = tables.Table(
        name="audit-trail",
        columns=[
            tables.Column("seq", "#", sort="seq"),
            tables.Column("at", "When (UTC)", sort="at"),
            tables.Column("actor", "Who", sort="actor"),
            tables.Column("action", "Action", sort="action"),
            tables.Column(
                "client", "Client", sort="client", value=lambda e: e.client or "(operation)"
            ),
            tables.Column("object", "Object", value=lambda e: f"{e.object_type}:{e.object_id}"),
        ],
        rows=rows,
        filters=[
            tables.Filter("action", "Action", [(a, a) for a in sorted(set(actions))], "action"),
        ],
        search=["actor", "object_id"],
        default_sort="-seq",
    )
    extra = {
        "clients": clients_for(ws, Action.VIEW_AUDIT),
        "client": client,
        "operation_wide": ws.actor.clients is None,
    }
    return tables.respond(request, "web/audit.html", extra, table)


@page(Action.VIEW_AUDIT)
def audit_chain(request: HttpRequest) -> HttpResponse:
    """Walk the hash chain (operation-wide users only; loaded after the page, as it takes time)."""
    ws = request_ws(request)
    if ws.actor.clients is not None:
        raise PermissionDenied("the whole chain is for operation-wide users")
    report = audit.verify(ws)
    return render(request, "web/_audit_chain.html", {"report": report})


urlpatterns = [
    path("audit/", audit_list, name="list"),
    path("audit/chain/", audit_chain, name="chain"),
]
