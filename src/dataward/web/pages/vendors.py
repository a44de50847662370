"""The vendor register: who serves which clients, with what data, and where due diligence stands."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse

from dataward.core.engine.permissions import Action
from dataward.vendors import diligence, service
from dataward.vendors.engine.model import TIERS
from dataward.vendors.engine.questionnaire import load_template
from dataward.vendors.models import Vendor
from dataward.web import tables
from dataward.web.app import request_ws
from dataward.web.nav import MenuItem
from dataward.web.views import clients_for, page, selected_client

MENU = MenuItem("Vendors", "vendors:index", Action.VIEW, order=80)
OBJECTS = {"detail": (Vendor, {"pk": "pk"})}
REVIEW_STATES = ("overdue", "never reviewed", "due soon", "current")
QUESTION_COLUMNS = ["question", "text", *diligence.STATUS_COLUMNS[1:]]


def _questionnaire(row: dict[str, Any]) -> str:
    if not row["questionnaire_required"]:
        return "none required"
    if row["answered_on"] is None:
        return f"no answers ({row['questionnaire_required']} required)"
    return f"{row['questionnaire_done']}/{row['questionnaire_required']} ({row['score']}%)"


def _text(value: Any) -> str:
    """Return a cell as text, booleans as yes and no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return tables.text(value)


def _contract(row: dict[str, Any]) -> str:
    if not row["dpa_signed"]:
        return "no DPA"
    return f"DPA {row['dpa_date']}" if row["dpa_date"] else "DPA signed"


def _detail_link(row: dict[str, Any]) -> str:
    return reverse("vendors:detail", kwargs={"pk": row["id"]})


COLUMNS = [
    tables.Column("vendor", "Vendor", sort="vendor", link=_detail_link),
    tables.Column("tier", "Tier", sort="tier"),
    tables.Column("clients", "Clients"),
    tables.Column("data_categories", "Data categories"),
    tables.Column("questionnaire", "Questionnaire", sort="score", value=_questionnaire),
    tables.Column("gaps", "Gaps", sort="gaps"),
    tables.Column("last_review", "Last review", sort="last_review"),
    tables.Column("next_review_due", "Next review due", sort="next_review_due"),
    tables.Column("review", "Review", sort="review"),
    tables.Column("contract", "Contract", sort="dpa_signed", value=_contract),
    tables.Column("owner", "Owner", sort="owner"),
    tables.Column("status", "Status", sort="status"),
]
FILTERS = [
    tables.Filter("tier", "Tier", [(t, t) for t in TIERS], "tier"),
    tables.Filter("review", "Review", [(s, s) for s in REVIEW_STATES], "review"),
    tables.Filter("dpa", "DPA", [("True", "signed"), ("False", "not signed")], "dpa_signed"),
    tables.Filter(
        "status", "Status", [("active", "active"), ("offboarded", "offboarded")], "status"
    ),
]


RECORD_FIELDS = [
    ("services", "Services"),
    ("clients", "Clients served"),
    ("data_categories", "Data categories"),
    ("access", "Access"),
    ("tier", "Risk tier"),
    ("declared_tier", "Declared tier"),
    ("computed_tier", "Computed tier"),
    ("tier_reasons", "Why"),
    ("dpa_signed", "DPA signed"),
    ("dpa_date", "DPA date"),
    ("last_review", "Last review"),
    ("next_review_due", "Next review due"),
    ("review", "Review state"),
    ("owner", "Owner"),
    ("status", "Status"),
]


@page(Action.VIEW)
def index(request: HttpRequest) -> HttpResponseBase:
    """List the vendors the user may see: a client-scoped user sees only those serving them."""
    ws = request_ws(request)
    client = selected_client(request)
    table = tables.Table(
        name="vendors",
        columns=COLUMNS,
        rows=service.register_rows(ws, client.slug if client else None),
        filters=FILTERS,
        search=["vendor", "owner", "services"],
        default_sort="vendor",
    )
    extra = {
        "clients": clients_for(ws),
        "client": client,
        "scoped": ws.actor.clients is not None,
    }
    return tables.respond(request, "web/vendors.html", extra, table)


@page(Action.VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Show one vendor: record, tier and why, reviews, questionnaire, responsibilities."""
    ws = request_ws(request)
    name = service.name_of(ws, pk)
    if name is None:
        raise Http404("no such vendor")
    doc = service.show(ws, name)
    template = load_template()
    questions = [
        {**row, "text": getattr(template.question(row["question"]), "text", "")}
        for row in doc["questionnaire"]
    ]
    sections = [
        ("Reviews", service.REVIEW_COLUMNS, doc["reviews"]),
        ("Due-diligence questionnaire", QUESTION_COLUMNS, questions),
        ("Responsibilities", diligence.DUTY_COLUMNS, doc["responsibilities"]),
    ]
    context = {
        "v": doc,
        "fields": [(label, _text(doc[key])) for key, label in RECORD_FIELDS],
        "sections": [
            {
                "title": title,
                "headers": [c.replace("_", " ") for c in columns],
                "rows": [[_text(r.get(c)) for c in columns] for r in rows],
            }
            for title, columns, rows in sections
        ],
        "scoped": ws.actor.clients is not None,
    }
    return render(request, "web/vendors_detail.html", context)


@page(Action.EXPORT)
def register(request: HttpRequest) -> HttpResponseBase:
    """Download the register the user may see, in the columns `dataward vendors import` reads."""
    ws = request_ws(request)
    client = selected_client(request, Action.EXPORT)
    rows = service.export_rows(ws)
    if client is not None:
        rows = [r for r in rows if client.slug in r["clients_served"].split(";")]
    table = tables.Table(
        name="vendor-register",
        columns=[tables.Column(c, c) for c in service.EXPORT_COLUMNS],
        rows=rows,
    )
    return tables.export(request, table, "xlsx" if request.GET.get("format") == "xlsx" else "csv")


urlpatterns = [
    path("vendors/", index, name="index"),
    path("vendors/register/", register, name="register"),
    path("vendors/<int:pk>/", detail, name="detail"),
]
