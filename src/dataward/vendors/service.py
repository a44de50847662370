"""What the vendor commands (and later the web pages) read: listings, one vendor, export, duties."""

from __future__ import annotations

from datetime import date
from typing import Any

from dataward.core.clients import ensure_operation, get
from dataward.core.engine.obligations import Obligation
from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace
from dataward.vendors import diligence, records
from dataward.vendors.engine import questionnaire as q
from dataward.vendors.engine.model import VendorFacts
from dataward.vendors.models import Vendor, VendorReview

LIST_COLUMNS = [
    "vendor",
    "tier",
    "declared_tier",
    "clients",
    "data_categories",
    "dpa_signed",
    "last_review",
    "next_review_due",
    "review",
    "owner",
    "status",
]
#: The register's own columns first, so an export imports back unchanged.
EXPORT_COLUMNS = [
    "vendor",
    "service",
    "clients_served",
    "data_categories",
    "last_review",
    "next_review_due",
    "risk_tier",
    "dpa_signed",
    "dpa_date",
    "owner",
    "access",
    "computed_tier",
    "tier",
    "tier_reasons",
    "review",
    "status",
]
REVIEW_COLUMNS = ["reviewed_on", "outcome", "tier", "next_due", "reviewer", "note"]


def _pairs(ws: Workspace, vendors: list[Vendor]) -> list[tuple[Vendor, VendorFacts]]:
    """Return each vendor with its engine record."""
    facts = records.facts(ensure_operation(ws), vendors)
    return [(v, facts[v.pk]) for v in vendors]


def _row(ws: Workspace, v: Vendor, f: VendorFacts, today: date) -> dict[str, Any]:
    """Return a listing row; a scoped user sees only the clients in their scope."""
    return {
        "vendor": v.name,
        "tier": f.tier,
        "declared_tier": v.declared_tier,
        "clients": records.shown_clients(ws, v),
        "data_categories": list(v.data_categories),
        "dpa_signed": v.dpa_signed,
        "last_review": v.last_review,
        "next_review_due": f.review_due(),
        "review": f.review_state(today),
        "owner": v.owner,
        "status": v.status,
    }


def list_rows(
    ws: Workspace, client: str | None = None, overdue: bool = False, offboarded: bool = False
) -> list[dict[str, Any]]:
    """Return the vendors the user may see (touching --client, overdue or never reviewed)."""
    if client:
        get(ws, client)  # exists and may be viewed
    today = ws.clock().date()
    rows = []
    for v, f in _pairs(ws, records.visible(ws)):
        if client and client not in v.clients:
            continue
        if v.status != "active" and not offboarded:
            continue
        row = _row(ws, v, f, today)
        if overdue and row["review"] not in ("overdue", "never reviewed"):
            continue
        rows.append(row)
    return rows


def show(ws: Workspace, name: str) -> dict[str, Any]:
    """Return one vendor: its record, tier and why, reviews, questionnaire and duties."""
    v = records.find(ws, name)
    f = records.facts(ensure_operation(ws), [v])[v.pk]
    today = ws.clock().date()
    reviews = VendorReview.objects.for_client(ensure_operation(ws)).filter(vendor=v)
    _, questions = diligence.status_rows(ws, name)
    return {
        **_row(ws, v, f, today),
        "services": list(v.services),
        "access": list(v.access),
        "dpa_date": v.dpa_date,
        "computed_tier": f.computed.tier,
        "tier_reasons": list(f.computed.reasons),
        "reviews": [
            {c: getattr(r, c) for c in REVIEW_COLUMNS}
            for r in reviews.order_by("reviewed_on", "id")
        ],
        "questionnaire": [q for q in questions if q["state"] != "optional"],
        "responsibilities": diligence.duty_rows(ws, name),
    }


def export_rows(ws: Workspace) -> list[dict[str, Any]]:
    """Return every visible vendor in the register's columns, ready to re-import."""
    today = ws.clock().date()
    rows = []
    for v, f in _pairs(ws, records.visible(ws, Action.EXPORT)):
        rows.append(
            {
                "vendor": v.name,
                "service": ";".join(v.services),
                "clients_served": ";".join(records.shown_clients(ws, v)),
                "data_categories": ";".join(v.data_categories),
                "last_review": v.last_review,
                "next_review_due": v.next_review_due,
                "risk_tier": v.declared_tier,
                "dpa_signed": "true" if v.dpa_signed else "false",
                "dpa_date": v.dpa_date,
                "owner": v.owner,
                "access": ";".join(v.access) or "none",
                "computed_tier": f.computed.tier,
                "tier": f.tier,
                "tier_reasons": "; ".join(f.computed.reasons),
                "review": f.review_state(today),
                "status": v.status,
            }
        )
    return rows


def obligations(ws: Workspace, today: date) -> list[Obligation]:
    """Return each visible active vendor's next review, owed by the vendor's owner.

    A vendor serving one client is that client's duty (so `remind --client` and a scoped
    owner's digest carry it); one serving several clients, or none, is the operation's.
    """
    out = []
    for v, f in _pairs(ws, records.visible(ws)):
        if v.status != "active":
            continue
        due = f.review_due() or today  # never reviewed: due now
        title = f"Review vendor {v.name} ({f.tier} tier)"
        if f.review_due() is None:
            title += ": never reviewed"
        client = v.clients[0] if len(v.clients) == 1 else None
        out.append(Obligation("vendor review", v.name, title, v.owner, due, client))
    return out


def register_rows(ws: Workspace, client: str | None = None) -> list[dict[str, Any]]:
    """Return every vendor the user may see, offboarded too, with its id and questionnaire score.

    ``questionnaire_done`` counts the questions the vendor's tier requires that are answered
    with no gap (unanswered, bad answer, evidence missing); ``score`` is that share in percent
    (None when its tier requires none); ``gaps`` counts every gap.
    """
    if client:
        get(ws, client)  # exists and may be viewed
    template, today = q.load_template(), ws.clock().date()
    rows = []
    for v, f in _pairs(ws, records.visible(ws)):
        if client and client not in v.clients:
            continue
        required = [x.id for x in template.questions if x.required(f)]
        gaps = {g.question for g in q.gaps(template, f, today)}
        done = sum(1 for x in required if x not in gaps)
        rows.append(
            {
                **_row(ws, v, f, today),
                "id": v.pk,
                "services": list(v.services),
                "dpa_date": v.dpa_date,
                "questionnaire_done": done,
                "questionnaire_required": len(required),
                "score": round(100 * done / len(required)) if required else None,
                "gaps": len(gaps),
                "answered_on": f.answered_on,
            }
        )
    return rows


def name_of(ws: Workspace, pk: int) -> str | None:
    """Return the name of the vendor with this id when the acting user may see it, else None."""
    v = Vendor.objects.for_client(ensure_operation(ws)).filter(pk=pk).first()
    return v.name if v is not None and records.may_view(ws, v) else None
