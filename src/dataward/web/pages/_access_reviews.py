"""Access review campaigns: list, start, decide items one at a time or in bulk, close, export.

Mounted by pages/access.py under /access/reviews/ (the "access" namespace). Every decision goes
through dataward.access.reviews, which checks the role and records the audit event; users who may
not review see the campaign without buttons, and their POSTs get 403 (404 outside their scope).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse

from dataward.access import reviews
from dataward.access.models import ReviewCampaign, ReviewItem
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.views import client_or_404, clients_for, page, selected_client

C = tables.Column
CAMPAIGN = (ReviewCampaign, {"client": "client__slug", "pk": "pk"})
OBJECTS: dict[str, tuple[type[Any], dict[str, str]]] = {
    "review": CAMPAIGN,
    "review_decide": CAMPAIGN,
    "review_close": CAMPAIGN,
    "review_revocations": CAMPAIGN,
    "review_item": (
        ReviewItem,
        {"client": "client__slug", "pk": "campaign_id", "number": "number"},
    ),
}
DECISIONS = [
    ("pending", "pending"),
    ("certify", "certify"),
    ("revoke", "revoke"),
    ("modify", "modify"),
]
ITEM_COLUMNS = [
    C("number", "#", sort="number"), C("manager_id", "Manager", sort="manager_id"),
    C("person_name", "Person", sort="person_name"),
    C("employee_id", "Employee", sort="employee_id"),
    C("job_role", "Job role", sort="job_role"), C("system", "System", sort="system"),
    C("account", "Account", sort="account"), C("permission", "Permission", sort="permission"),
    C("privileged", "Privileged", sort="privileged", value=lambda i: "yes" if i.privileged else ""),
    C("flags", "Rules say"), C("decision", "Decision", sort="decision"),
    C("comment", "Reason"), C("decided_by", "Decided by", sort="decided_by"),
]  # fmt: skip


def _count(key: str) -> Callable[[ReviewCampaign], int]:
    """Return a cell function giving one of a campaign's counts (read with the campaigns)."""

    def value(camp: ReviewCampaign) -> int:
        return int(getattr(camp, f"count_{key}"))

    return value


CAMPAIGN_COLUMNS = [
    C("client.slug", "Client", sort="client__slug"),
    C("name", "Campaign", sort="name",
      link=lambda c: reverse("access:review", args=[c.client.slug, c.pk])),
    C("status", "Status", sort="status"), C("started_at", "Started (UTC)", sort="started_at"),
    C("due", "Due", sort="due"), C("items", "Items", value=_count("items")),
    C("pending", "Pending", value=_count("pending")),
    C("revoke", "Revoke / modify", value=_count("revoke")),
    C("closed_at", "Closed (UTC)", sort="closed_at"),
]  # fmt: skip


def _campaign(
    request: HttpRequest, slug: str, pk: int, action: Action
) -> tuple[Workspace, Client, ReviewCampaign]:
    """Return the campaign of a client in the user's scope for ``action``; 404 otherwise."""
    ws = request_ws(request)
    client = client_or_404(ws, slug, action)
    return ws, client, get_object_or_404(reviews.campaigns([client]), pk=pk)


def _may_decide(ws: Workspace, client: Client, camp: ReviewCampaign) -> bool:
    return camp.status == "open" and may(ws.actor, Action.REVIEW_ACCESS, client.slug)


def _back(request: HttpRequest, client: Client, camp: ReviewCampaign) -> HttpResponse:
    """Redirect to the campaign page with the filters the form was posted from."""
    url = reverse("access:review", args=[client.slug, camp.pk])
    query = QueryDict(request.POST.get("back", "")).urlencode()
    return redirect(f"{url}?{query}" if query else url)


@page()
def campaign_list(request: HttpRequest) -> HttpResponseBase:
    """List the campaigns of the clients in scope with their progress; reviewers may start one."""
    ws = request_ws(request)
    client = selected_client(request)
    clients = clients_for(ws)
    rows = reviews.campaigns([client] if client else clients, counted=True)
    table = tables.Table(
        name="access-reviews",
        columns=CAMPAIGN_COLUMNS,
        rows=rows,
        filters=[
            tables.Filter("status", "Status", [("open", "open"), ("closed", "closed")], "status")
        ],
        search=["name"],
        default_sort="-started_at",
    )
    reviewable = clients_for(ws, Action.REVIEW_ACCESS)
    extra = {"clients": clients, "client": client, "tab": "reviews", "reviewable": reviewable,
             "today": ws.clock().date()}  # fmt: skip
    return tables.respond(request, "web/access_reviews.html", extra, table)


@page(Action.REVIEW_ACCESS)
def start(request: HttpRequest) -> HttpResponseBase:
    """Start a campaign for a client: one item per person x entitlement on its systems."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ws = request_ws(request)
    client = client_or_404(ws, request.POST.get("client", ""), Action.REVIEW_ACCESS)
    name = request.POST.get("name", "").strip()
    try:
        if len(name) > 200:
            raise DatawardError("the name is too long", "name", "use up to 200 characters")
        due = request.POST.get("due", "")
        try:
            day = date.fromisoformat(due) if due else None
        except ValueError:
            raise DatawardError("not a date", "due", "use YYYY-MM-DD") from None
        camp = reviews.start(ws, client, name, day)
    except DatawardError as exc:
        messages.error(request, exc.line())
        return redirect("access:reviews")
    messages.success(request, f"campaign {camp.pk} ({camp.name}) started")
    return redirect("access:review", client.slug, camp.pk)


@page()
def campaign(request: HttpRequest, client: str, pk: int) -> HttpResponseBase:
    """Show a campaign's items; reviewers certify or revoke each with one click, or in bulk."""
    ws, c, camp = _campaign(request, client, pk, Action.VIEW)
    rows = reviews.items_query(c, camp)
    table = tables.Table(
        name=f"review-{camp.pk}",
        columns=ITEM_COLUMNS,
        rows=rows,
        filters=[
            tables.Filter("decision", "Decision", DECISIONS, "decision"),
            tables.Filter("system", "System", _distinct(rows, "system"), "system"),
            tables.Filter(
                "privileged", "Privileged", [("True", "yes"), ("False", "no")], "privileged"
            ),
        ],  # fmt: skip
        search=["person_name", "employee_id", "manager_id", "account", "permission", "flags"],
        default_sort="number",
        per_page=100,
    )
    fmt = request.GET.get("export", "")
    if fmt in ("csv", "xlsx"):
        ws.require(Action.EXPORT, c.slug)
        return tables.export(request, table, fmt)
    ctx = tables.context(request, table)
    pairs = list(zip(ctx["objects"], ctx["body"], strict=True))
    ctx.update(client=c, camp=camp, can_decide=_may_decide(ws, c, camp), rows=pairs, tab="reviews",
               back=request.GET.urlencode(), counts=reviews.progress(camp))  # fmt: skip
    htmx = getattr(request, "htmx", False)
    partial = htmx and request.headers.get("HX-Target") == ctx["table_id"]
    return render(
        request, "web/access_review_items.html" if partial else "web/access_review.html", ctx
    )


def _distinct(rows: Any, field: str) -> list[tuple[str, str]]:
    values = rows.order_by().values_list(field, flat=True).distinct()
    return [(v, v) for v in sorted({v for v in values if v})]


@page(Action.REVIEW_ACCESS)
def decide_item(request: HttpRequest, client: str, pk: int, number: int) -> HttpResponseBase:
    """Record one decision on one item; an htmx request gets the item's row back."""
    ws, c, camp = _campaign(request, client, pk, Action.REVIEW_ACCESS)
    item = get_object_or_404(reviews.items_query(c, camp), number=number)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    decision, comment = request.POST.get("decision", ""), request.POST.get("comment", "").strip()
    error = ""
    try:
        reviews.decide(ws, c, camp, [item.number], decision, comment)
    except DatawardError as exc:
        error = exc.line()
    if not getattr(request, "htmx", False):
        (messages.error if error else messages.success)(
            request, error or f"item {number}: {decision}"
        )
        return _back(request, c, camp)
    item.refresh_from_db()
    cells = [{"text": tables.text(tables.cell(item, col)), "link": ""} for col in ITEM_COLUMNS]
    ctx = {"item": item, "cells": cells, "client": c, "camp": camp, "error": error, "oob": True,
           "can_decide": _may_decide(ws, c, camp), "counts": reviews.progress(camp)}  # fmt: skip
    html = render_to_string("web/access_review_row.html", ctx, request)
    return HttpResponse(html + render_to_string("web/access_review_progress.html", ctx, request))


@page(Action.REVIEW_ACCESS)
def decide(request: HttpRequest, client: str, pk: int) -> HttpResponseBase:
    """Record one decision on every selected item (bulk), audited item by item."""
    ws, c, camp = _campaign(request, client, pk, Action.REVIEW_ACCESS)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    items = request.POST.getlist("item")
    numbers = sorted({int(n) for n in items if n.isascii() and n.isdigit() and len(n) < 10})
    decision = request.POST.get("decision", "")
    if not numbers:
        messages.error(request, "no item selected: tick the items to decide first")
        return _back(request, c, camp)
    try:
        done = reviews.decide(
            ws, c, camp, numbers, decision, request.POST.get("comment", "").strip()
        )
    except DatawardError as exc:
        messages.error(request, exc.line())
    else:
        messages.success(request, f"{decision}: {done} items recorded")
    return _back(request, c, camp)


@page(Action.REVIEW_ACCESS)
def close(request: HttpRequest, client: str, pk: int) -> HttpResponseBase:
    """Close a campaign once every item is decided."""
    ws, c, camp = _campaign(request, client, pk, Action.REVIEW_ACCESS)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        revokes = reviews.close(ws, c, camp)
    except DatawardError as exc:
        messages.error(request, exc.line())
    else:
        messages.success(request, f"campaign closed; {revokes} revocations for the identity team")
    return _back(request, c, camp)


@page()
def revocations(request: HttpRequest, client: str, pk: int) -> HttpResponseBase:
    """List the identity team's work (revoke and modify decisions), exportable as CSV or XLSX."""
    ws, c, camp = _campaign(request, client, pk, Action.VIEW)
    if request.GET.get("export"):
        ws.require(Action.EXPORT, c.slug)
    names = ["item", "system", "account", "permission", "action", "employee_id", "person",
             "reason", "decided_by", "decided_at", "verified"]  # fmt: skip
    table = tables.Table(
        name=f"revocations-{camp.pk}",
        columns=[C(n, n.replace("_", " ").capitalize(), sort=n) for n in names],
        rows=reviews.revocations(c, camp),
        search=["account", "person", "permission"],
    )
    extra = {"client": c, "camp": camp, "tab": "reviews"}
    return tables.respond(request, "web/access_revocations.html", extra, table)


urlpatterns = [
    path("access/reviews/", campaign_list, name="reviews"),
    path("access/reviews/start/", start, name="review_start"),
    path("access/reviews/<slug:client>/<int:pk>/", campaign, name="review"),
    path("access/reviews/<slug:client>/<int:pk>/decide/", decide, name="review_decide"),
    path("access/reviews/<slug:client>/<int:pk>/close/", close, name="review_close"),
    path(
        "access/reviews/<slug:client>/<int:pk>/revocations/", revocations, name="review_revocations"
    ),
    path(
        "access/reviews/<slug:client>/<int:pk>/items/<int:number>/", decide_item, name="review_item"
    ),
]
