"""Training per client: who is current, due, overdue or has never completed each required course."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path

from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.training import service
from dataward.training.engine.status import STATES
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.views import clients_for, page, selected_client

MENU = MenuItem("Training", "training:index", Action.VIEW, order=85)
COUNT_COLUMNS = [
    ("people", "People"),
    ("current", "Current"),
    ("due_soon", "Due soon"),
    ("overdue", "Overdue"),
    ("not_yet_due", "Not yet due"),
    ("on_leave", "On leave"),
    ("never_completed", "Never completed"),
]
COLUMNS = [
    tables.Column("employee_id", "Employee", sort="employee_id"),
    tables.Column("name", "Name", sort="name"),
    tables.Column("job_role", "Job role", sort="job_role"),
    tables.Column("client", "Client", sort="client"),
    tables.Column("title", "Course", sort="title"),
    tables.Column("state", "State", sort="state"),
    tables.Column("due", "Due", sort="due"),
    tables.Column("days", "Days left", sort="days"),
    tables.Column(
        "last_completed",
        "Last completed",
        sort="last_completed",
        value=lambda r: r["last_completed"] or "never",
    ),
]


def chosen_client(request: HttpRequest, ws: Workspace) -> Client | None:
    """Return ``?client=``; without it, None (everyone) for operation-wide users, else the first."""
    client = selected_client(request)
    if client is not None or may(ws.actor, Action.VIEW, None):
        return client
    scope = clients_for(ws)
    if not scope:
        raise PermissionDenied("no client in scope")
    return scope[0]


@page(Action.VIEW)
def index(request: HttpRequest) -> HttpResponseBase:
    """List each person's standing per required course, for one client or everyone."""
    ws = request_ws(request)
    client = chosen_client(request, ws)
    slug = client.slug if client else None
    requirements, settings = service.requirement_rows(ws, slug)
    extra: dict[str, Any] = {
        "clients": clients_for(ws),
        "client": client,
        "everyone": may(ws.actor, Action.VIEW, None),
        "settings": settings,
        "count_columns": COUNT_COLUMNS,
    }
    if not settings:
        return render(request, "web/training.html", extra)
    rows = service.status_rows_reused(ws, slug)
    courses = {r["course"]: r["title"] for r in requirements}
    table = tables.Table(
        name=f"training-{slug or 'everyone'}",
        columns=COLUMNS,
        rows=rows,
        filters=[
            tables.Filter("course", "Course", sorted(courses.items()), "course"),
            tables.Filter("state", "State", [(s, s) for s in STATES], "state"),
        ],
        search=["employee_id", "name", "job_role"],
        default_sort="days",
    )
    partial = request.headers.get("HX-Target") == f"table-{table.name}"
    if not request.GET.get("export") and not partial:
        extra["counts"] = [
            {"title": c["title"], "cells": [c[k] for k, _ in COUNT_COLUMNS]}
            for c in service.course_counts(rows)
        ]
        extra["imported"] = service.imported(ws, "completions")
    return tables.respond(request, "web/training.html", extra, table)


urlpatterns = [path("training/", index, name="index")]
