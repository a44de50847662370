"""Turn stored vendors into engine records, and find the ones the acting user may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client, User
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.vendors.engine.model import Answer, VendorFacts
from dataward.vendors.engine.register import Known, key
from dataward.vendors.models import QuestionnaireAnswer, Vendor, VendorReview

STATE_FIELDS = (
    "name",
    "services",
    "clients",
    "data_categories",
    "access",
    "owner",
    "dpa_signed",
    "dpa_date",
    "last_review",
    "next_review_due",
    "declared_tier",
    "status",
)


def known(ws: Workspace) -> Known:
    """Return the client slugs and user names vendor records are checked against."""
    slugs = Client.objects.filter(kind="client").values_list("slug", flat=True)
    return Known(frozenset(slugs), frozenset(User.objects.values_list("username", flat=True)))


def state(v: Vendor) -> dict[str, Any]:
    """Return what the audit trail digests about a vendor."""
    out = {f: getattr(v, f) for f in STATE_FIELDS}
    for f in ("dpa_date", "last_review", "next_review_due"):
        out[f] = str(out[f]) if out[f] else None
    return out


def all_vendors(op: Client) -> list[Vendor]:
    """Return every vendor of the operation, by name."""
    return list(Vendor.objects.for_client(op).order_by("key"))


def may_view(ws: Workspace, v: Vendor, action: Action = Action.VIEW) -> bool:
    """Return whether the acting user may see this vendor: operation-wide, or via a client."""
    if may(ws.actor, action, None):
        return True
    return any(may(ws.actor, action, slug) for slug in v.clients)


def shown_clients(ws: Workspace, v: Vendor) -> list[str]:
    """Return the vendor's clients the acting user may know about."""
    return [c for c in v.clients if may(ws.actor, Action.VIEW, c)]


def visible(ws: Workspace, action: Action = Action.VIEW) -> list[Vendor]:
    """Return the vendors the acting user may see (or take another action on)."""
    return [v for v in all_vendors(ensure_operation(ws)) if may_view(ws, v, action)]


def find(ws: Workspace, name: str) -> Vendor:
    """Return one vendor the acting user may see, or a one-line error (never saying it exists)."""
    op = ensure_operation(ws)
    v: Vendor | None = Vendor.objects.for_client(op).filter(key=key(name)).first()
    if v is None or not may_view(ws, v):
        raise DatawardError(f"no vendor {name!r}", "VENDOR", "see dataward vendors list")
    return v


def facts(op: Client, vendors: Iterable[Vendor]) -> dict[int, VendorFacts]:
    """Return each vendor's engine record, with its last review outcome and current answers."""
    chosen = list(vendors)
    ids = [v.pk for v in chosen]
    last = {v.pk: v.last_review for v in chosen}
    outcome: dict[int, str] = {}
    reviews = VendorReview.objects.for_client(op).filter(vendor_id__in=ids)
    for vid, on, result in reviews.order_by("reviewed_on", "id").values_list(
        "vendor_id", "reviewed_on", "outcome"
    ):
        # A recorded outcome stands only while it is the last review: a later one entered in
        # the register (import, update --last-review) supersedes it.
        outcome[vid] = result if last[vid] is None or on >= last[vid] else ""
    answers: dict[int, dict[str, Answer]] = {}
    oldest: dict[int, Any] = {}
    rows = QuestionnaireAnswer.objects.for_client(op).filter(vendor_id__in=ids)
    for a in rows.order_by("id"):
        evidence = tuple(e["sha256"] for e in a.evidence)
        answers.setdefault(a.vendor_id, {})[a.question] = Answer(
            a.question, a.value, a.comment, evidence
        )
        oldest[a.vendor_id] = min(oldest.get(a.vendor_id, a.answered_on), a.answered_on)
    return {
        v.pk: VendorFacts(
            name=v.name,
            clients=tuple(v.clients),
            data_categories=tuple(v.data_categories),
            access=tuple(v.access),
            services=tuple(v.services),
            owner=v.owner,
            dpa_signed=v.dpa_signed,
            dpa_date=v.dpa_date,
            last_review=v.last_review,
            next_review_due=v.next_review_due,
            declared_tier=v.declared_tier,
            status=v.status,
            last_outcome=outcome.get(v.pk, ""),
            answered_on=oldest.get(v.pk),
            answers=answers.get(v.pk, {}),
        )
        for v in chosen
    }
