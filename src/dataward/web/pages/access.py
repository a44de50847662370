"""Access: what the access rules found, the roster, accounts, entitlements and review campaigns.

Violations come from each client's latest stored assessment: a few queries however many
identities the workspace holds. Evaluating the rules now (what `dataward access violations`
does) takes seconds on 100,000 identities, so it runs for one client, on request (?live=1).
Account links, which need the whole workforce and the client's grants resolved, are left to
`dataward access accounts`; the pages list the stored directory accounts and entitlements.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path

from dataward.access import service
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.pages import _access_reviews as reviews
from dataward.web.views import clients_for, page, selected_client

MENU = MenuItem("Access", "access:index", Action.VIEW, order=30)
OBJECTS = reviews.OBJECTS
C = tables.Column
YES_NO = [("True", "yes"), ("False", "no")]


def _sortable(*pairs: str) -> list[tables.Column]:
    """Return columns from (field, label) pairs, each sortable by its field."""
    return [C(key, label, sort=key) for key, label in zip(pairs[::2], pairs[1::2], strict=True)]


PERSON = _sortable(
    "employee_id", "Employee", "name", "Name", "status", "Status", "job_role", "Job role"
)  # fmt: skip
PERSON_MORE = _sortable(
    "department", "Department", "manager_id", "Manager", "start_date", "Started", "end_date",
    "Left", "last_role_change", "Role changed",
)  # fmt: skip
DIRECTORY = _sortable(
    "source", "Source", "username", "Account", "display_name", "Name", "employee_id",
    "Employee (per directory)", "enabled", "Enabled", "privileged", "Privileged",
    "mfa_registered", "MFA registered", "mfa_enforced", "MFA enforced", "last_login",
    "Last login (UTC)",
)  # fmt: skip
ENTITLEMENT = _sortable(
    "system", "System", "account", "Account", "application", "Application", "permission",
    "Permission", "privileged", "Privileged", "granted_date", "Granted", "last_used", "Last used",
    "granted_by", "Granted by",
)  # fmt: skip
STORED = [
    C("client.slug", "Client", sort="client__slug"), C("check_id", "Rule", sort="check_id"),
    C("status", "Status", sort="status"), C("severity", "Severity", sort="severity"),
    C("subject", "Subject", sort="subject"), C("summary", "Summary"),
    C("at", "Assessed (UTC)", sort="at"),
]  # fmt: skip
LIVE = [
    C("client", "Client", sort="client"), C("check", "Rule", sort="check"),
    C("status", "Status", sort="status"), C("subject", "Subject", sort="subject"),
    C("summary", "Summary"),
]  # fmt: skip


def _scope(request: HttpRequest, first: bool) -> tuple[Workspace, Client | None, dict[str, Any]]:
    """Return the workspace, the client chosen by ?client= and what every access page shares.

    With ``first``, a page that needs a client gets the first one in scope when none is chosen.
    """
    ws = request_ws(request)
    clients = clients_for(ws)
    client = selected_client(request)
    if client is None and first and clients:
        client = clients[0]
    return ws, client, {"clients": clients, "client": client}


def _choices(rows: Any, field: str) -> list[tuple[str, str]]:
    """Return the distinct values of a field as filter choices (one query)."""
    values = rows.order_by().values_list(field, flat=True).distinct()
    return [(str(v), str(v)) for v in sorted({v for v in values if v not in (None, "")})]


@page()
def index(request: HttpRequest) -> HttpResponseBase:
    """List what the access rules found wrong: stored results, or evaluated now for one client."""
    live = request.GET.get("live") == "1"
    ws, client, extra = _scope(request, first=live)
    rules = service.rule_ids()
    if live and client is not None:
        rule = request.GET.get("rule", "")
        rows: Any = service.violation_rows(ws, client.slug, [rule] if rule in rules else [])
        statuses: tuple[str, ...] = ("fail", "warning")
        columns, key = LIVE, "check"
    else:
        live = False
        rows = service.stored_violations(ws, client.slug if client else None)
        columns, key, statuses = STORED, "check_id", service.VIOLATION_STATUSES
    table = tables.Table(
        name="access-violations",
        columns=columns,
        rows=rows,
        filters=[
            tables.Filter("rule", "Rule", [(r, r.removeprefix("access_")) for r in rules], key),
            tables.Filter("status", "Status", [(s, s) for s in statuses], "status"),
        ],
        search=["subject", "summary"],
        default_sort=columns[0].sort or "",
    )
    extra.update(tab="violations", live=live)
    return tables.respond(request, "web/access.html", extra, table)


@page()
def people(request: HttpRequest) -> HttpResponseBase:
    """List the HR roster, or one client's people (a client's view names no other client)."""
    ws = request_ws(request)
    ws, client, extra = _scope(request, first=not may(ws.actor, Action.VIEW, None))
    rows = service.people_query(ws, client.slug if client else None)
    shown = (lambda p: [client.slug]) if client else (lambda p: p.clients)
    table = tables.Table(
        name="people",
        columns=[*PERSON, C("clients", "Clients", value=shown), *PERSON_MORE],
        rows=rows,
        filters=[
            tables.Filter("status", "Status", _choices(rows, "status"), "status"),
            tables.Filter("role", "Job role", _choices(rows, "job_role"), "job_role"),
        ],
        search=["employee_id", "name", "department"],
        default_sort="employee_id",
    )
    return tables.respond(request, "web/access.html", {**extra, "tab": "people"}, table)


@page()
def accounts(request: HttpRequest) -> HttpResponseBase:
    """List the directory accounts as imported (operation-wide users: they serve every client)."""
    ws, _, extra = _scope(request, first=False)
    rows = service.directory_query(ws)
    table = tables.Table(
        name="directory-accounts",
        columns=DIRECTORY,
        rows=rows,
        filters=[
            tables.Filter("source", "Source", _choices(rows, "source"), "source"),
            tables.Filter("enabled", "Enabled", YES_NO, "enabled"),
            tables.Filter("privileged", "Privileged", YES_NO, "privileged"),
        ],
        search=["username", "display_name", "employee_id"],
        default_sort="username",
    )
    extra["clients"] = []  # the directory belongs to the operation: no client picker
    return tables.respond(request, "web/access.html", {**extra, "tab": "accounts"}, table)


@page()
def entitlements(request: HttpRequest) -> HttpResponseBase:
    """List the permissions held on one client's systems (the first client in scope by default)."""
    ws, client, extra = _scope(request, first=True)
    rows: Any = service.entitlement_query(ws, client.slug) if client else []
    table = tables.Table(
        name="entitlements",
        columns=ENTITLEMENT,
        rows=rows,
        filters=[
            tables.Filter("system", "System", _choices(rows, "system") if client else [], "system"),
            tables.Filter("privileged", "Privileged", YES_NO, "privileged"),
        ],
        search=["account", "permission", "application"],
        default_sort="system",
    )
    return tables.respond(request, "web/access.html", {**extra, "tab": "entitlements"}, table)


urlpatterns = [
    path("access/", index, name="index"),
    path("access/people/", people, name="people"),
    path("access/accounts/", accounts, name="accounts"),
    path("access/entitlements/", entitlements, name="entitlements"),
    *reviews.urlpatterns,
]
