"""Judge vendors: reviews on time, agreements for personal data, due diligence complete.

Each rule returns one ``Finding`` per vendor in scope (status fail, warning or pass). Which
vendors are in scope is the reader's business: for a client, the vendors touching that client;
for the operation, the vendors touching no client. Evidence never names other clients.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dataward.vendors.engine.model import CADENCE_MONTHS, DUE_SOON_DAYS, VendorFacts, add_months
from dataward.vendors.engine.questionnaire import Template, gaps


@dataclass(frozen=True)
class Finding:
    """What a rule says about one vendor."""

    status: str  # fail, warning, pass
    subject: str
    summary: str
    evidence: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def _facts(v: VendorFacts, **extra: Any) -> dict[str, Any]:
    """Return the evidence row every finding carries: tier and review dates."""
    return {
        "vendor": v.name,
        "tier": v.tier,
        "declared_tier": v.declared_tier or None,
        "last_review": str(v.last_review) if v.last_review else None,
        "next_review_due": str(v.review_due()) if v.review_due() else None,
        **extra,
    }


def _review_verdict(v: VendorFacts, today: date) -> tuple[str, str]:
    """Return the status and summary of one vendor's review standing."""
    due, months = v.review_due(), CADENCE_MONTHS[v.tier]
    if v.last_outcome == "rejected":
        return "fail", f"{v.name}: its last review rejected it, yet it is still an active vendor"
    if due is None:
        return "fail", f"{v.name} ({v.tier} tier) has never been reviewed"
    days = (due - today).days
    if days < 0:
        return "fail", f"{v.name} ({v.tier} tier): review overdue by {-days} days (due {due})"
    if days <= DUE_SOON_DAYS:
        return "warning", f"{v.name}: review due in {days} days ({due})"
    if v.last_review is not None and due > add_months(v.last_review, months):
        later = f"is more than {months} months after the last ({v.tier} tier)"
        return "warning", f"{v.name}: next review {due} {later}"
    return "pass", f"{v.name}: reviewed {v.last_review or '-'}, next due {due}"


def reviews(vendors: Iterable[VendorFacts], today: date) -> list[Finding]:
    """Fail a vendor never reviewed, overdue, or rejected at its last review; warn when near."""
    out = []
    for v in vendors:
        status, summary = _review_verdict(v, today)
        out.append(Finding(status, v.name, summary, (_facts(v, state=v.review_state(today)),)))
    return out


def agreements(vendors: Iterable[VendorFacts]) -> list[Finding]:
    """Fail a vendor that receives personal data without a signed data-processing agreement."""
    out = []
    for v in vendors:
        personal = v.personal_data
        if not personal:
            continue
        ev = (
            _facts(
                v,
                personal_data=list(personal),
                dpa_signed=v.dpa_signed,
                dpa_date=str(v.dpa_date) if v.dpa_date else None,
            ),
        )
        if v.dpa_signed:
            signed = f" on {v.dpa_date}" if v.dpa_date else ""
            out.append(Finding("pass", v.name, f"{v.name}: DPA signed{signed}", ev))
        else:
            out.append(
                Finding(
                    "fail",
                    v.name,
                    f"{v.name} receives {', '.join(personal)} "
                    "without a signed data-processing agreement",
                    ev,
                )
            )
    return out


def diligence(vendors: Iterable[VendorFacts], template: Template, today: date) -> list[Finding]:
    """Fail missing required answers, bad answers or missing evidence; warn when none on file.

    A vendor with no answers at all is a warning, not a failure: its due diligence may live
    outside dataward, which cannot tell; the warning says to record it here.
    """
    out = []
    for v in vendors:
        ev0 = _facts(v, answered_on=str(v.answered_on) if v.answered_on else None)
        if not v.answers:
            out.append(
                Finding(
                    "warning",
                    v.name,
                    f"{v.name} ({v.tier} tier): no due-diligence questionnaire on record",
                    (ev0,),
                )
            )
            continue
        found = gaps(template, v, today)
        if found:
            kinds = sorted({g.problem for g in found})
            ids = ", ".join(g.question for g in found[:5]) + (", ..." if len(found) > 5 else "")
            rows = tuple(
                {**ev0, "question": g.question, "problem": g.problem, "detail": g.detail}
                for g in found
            )
            out.append(
                Finding(
                    "fail",
                    v.name,
                    f"{v.name}: {len(found)} questionnaire gaps ({', '.join(kinds)}): {ids}",
                    rows,
                )
            )
            continue
        stale = v.answered_on and add_months(v.answered_on, CADENCE_MONTHS[v.tier]) < today
        if stale:
            out.append(
                Finding(
                    "warning",
                    v.name,
                    f"{v.name}: questionnaire answered "
                    f"{v.answered_on}, before this {v.tier}-tier review cycle",
                    (ev0,),
                )
            )
        else:
            out.append(
                Finding(
                    "pass",
                    v.name,
                    f"{v.name}: due diligence complete for its {v.tier} tier",
                    (ev0,),
                )
            )
    return out
