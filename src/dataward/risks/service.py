"""What the risk commands (and later the web pages) call: add, edit, accept, close, list, map."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction

from dataward.core import audit
from dataward.core.clients import ensure_operation, get
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.risks import store
from dataward.risks.engine import scoring
from dataward.risks.models import Risk, RiskEvent

COLUMNS = [
    "ref", "client", "rating", "likelihood", "impact", "inherent", "residual", "status",
    "treatment", "owner", "due", "controls", "title",
]  # fmt: skip
EXPORT_COLUMNS = [
    "ref", "client", "title", "category", "likelihood", "impact", "inherent",
    "residual_likelihood", "residual_impact", "residual", "rating", "status", "treatment",
    "owner", "due", "controls", "plan", "description", "checks", "findings", "alerts",
    "incidents", "accepted_by",
    "acceptance_expires", "acceptance_reason", "source", "external_ref", "created_at",
    "updated_at", "closed_at",
]  # fmt: skip
EVENT_COLUMNS = ["at", "actor", "kind", "detail"]
RATINGS = tuple(name for _, name in scoring.BANDS)


def client_of(ws: Workspace, slug: str | None) -> Client:
    """Return the named client, or the operation when no slug is given."""
    return get(ws, slug) if slug else ensure_operation(ws)


def _slug(client: Client) -> str | None:
    return None if client.is_operation else client.slug


def visible_clients(ws: Workspace, slug: str | None) -> list[Client]:
    """Return the clients (and the operation) whose risks the actor may see."""
    if slug:
        client = client_of(ws, slug)
        ws.require(Action.VIEW, _slug(client))
        return [client]
    return [
        c for c in Client.objects.order_by("kind", "slug") if may(ws.actor, Action.VIEW, _slug(c))
    ]


def find(ws: Workspace, ref: str, action: Action = Action.VIEW) -> Risk:
    """Return one risk by reference if the actor may take ``action`` on its client."""
    risk: Risk | None = (
        Risk.objects.unscoped("looked up by reference, then checked against the actor's scope")
        .select_related("client")
        .filter(ref=ref.strip().upper())
        .first()
    )
    if risk is None or not may(ws.actor, Action.VIEW, _slug(risk.client)):
        raise DatawardError(f"no risk {ref!r}", "ref", "see dataward risks list")
    ws.require(action, _slug(risk.client))
    return risk


def add(ws: Workspace, slug: str | None, **fields: Any) -> Risk:
    """Enter a risk by hand (title, category, likelihood, impact, owner, treatment, plan, due)."""
    client = client_of(ws, slug)
    ws.require(Action.TRIAGE, _slug(client))
    values = clean(fields)
    if not values.get("title", "").strip():
        raise DatawardError("a risk needs a title", "--title", "say what could go wrong")
    values.setdefault("category", "audit")
    if values.get("treatment") == "accept":
        raise DatawardError(
            "a new risk cannot start accepted", "--treatment", "add it, then dataward risks accept"
        )
    now = ws.clock()
    with transaction.atomic():
        risk: Risk = store.create(client=client, created_at=now, updated_at=now, **values)
        store.record_event(ws, risk, "entered", {"by": ws.actor.name})
        audit.record(ws, "risk.add", _slug(client), "risk", risk.ref, after=store.state(risk))
    return risk


def clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate user-given fields: levels 1-5 (or words), category, treatment, links."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if name in ("likelihood", "residual_likelihood"):
            value = scoring.level(value, scoring.LIKELIHOOD_WORDS, name.replace("_", "-"))
        elif name in ("impact", "residual_impact"):
            value = scoring.level(value, scoring.IMPACT_WORDS, name.replace("_", "-"))
        elif name == "category":
            value = scoring.category(value)
        elif name == "treatment":
            value = scoring.choice(value, scoring.TREATMENTS, "treatment")
        elif name in store.LINKS:
            value = sorted(set(value))
        out[name] = value
    return out


def update(ws: Workspace, ref: str, note: str = "", **fields: Any) -> Risk:
    """Change a risk's fields (scores, owner, plan, due date, links)."""
    risk = find(ws, ref, Action.TRIAGE)
    values = clean(fields)
    if values.get("treatment") == "accept" and risk.status != "accepted":
        raise DatawardError(
            "accepting needs an approver and expiry", "--treatment", "use dataward risks accept"
        )
    if not values:
        raise DatawardError("nothing to change", ref, "give at least one field option")
    owner = values.get("owner")
    if (
        risk.status == "accepted"
        and owner is not None
        and (not str(owner).strip() or store.same_person(risk.accepted_by, str(owner)))
    ):
        raise DatawardError(
            f"{risk.ref} is accepted with {risk.accepted_by}'s approval: its owner must be "
            "someone else",
            "--owner",
            "name another owner, or reopen the risk first",
        )
    return store.change(ws, risk, "updated", note, **values)


def link(ws: Workspace, ref: str, kind: str, targets: Iterable[str], note: str = "") -> Risk:
    """Add links (controls, findings, alerts, incidents) to a risk."""
    risk = find(ws, ref, Action.TRIAGE)
    merged = sorted({*getattr(risk, kind), *(t.strip() for t in targets if t.strip())})
    return store.change(ws, risk, "linked", note, **{kind: merged})


def accept(ws: Workspace, ref: str, *, approved_by: str, expires: date, reason: str) -> Risk:
    """Accept a risk until a date, approved by someone other than its owner."""
    risk = find(ws, ref, Action.TRIAGE)
    return store.accept(ws, risk, approved_by=approved_by, expires=expires, reason=reason)


def close(ws: Workspace, ref: str, note: str) -> Risk:
    """Close a risk whose control passes again (or a risk entered by hand)."""
    risk = find(ws, ref, Action.TRIAGE)
    return store.close(ws, risk, note, still_failing(risk))


def reopen(ws: Workspace, ref: str, note: str) -> Risk:
    """Reopen a closed risk."""
    return store.reopen(ws, find(ws, ref, Action.TRIAGE), note)


def still_failing(risk: Risk) -> list[str]:
    """Return the risk's checks that fail in the client's latest assessment."""
    if not risk.checks:
        return []
    from dataward.controls.models import Assessment, CheckResult

    latest = Assessment.objects.for_client(risk.client).order_by("-started_at", "-id").first()
    if latest is None:
        return []
    rows = CheckResult.objects.for_client(risk.client).filter(
        assessment=latest, check_id__in=risk.checks, status="fail"
    )
    return sorted(set(rows.values_list("check_id", flat=True)))


def row(risk: Risk) -> dict[str, Any]:
    """Return one risk as a listing row."""
    residual = risk.residual
    return {
        "ref": risk.ref,
        "client": risk.client.slug,
        "title": risk.title,
        "category": risk.category,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "inherent": risk.inherent,
        "residual": residual,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "rating": scoring.band(residual if residual is not None else risk.inherent),
        "owner": risk.owner,
        "treatment": risk.treatment,
        "due": risk.due,
        "status": risk.status,
        "controls": ", ".join(risk.controls),
        "plan": risk.plan,
        "description": risk.description,
        "checks": ", ".join(risk.checks),
        "findings": "; ".join(risk.findings),
        "alerts": ", ".join(risk.alerts),
        "incidents": ", ".join(risk.incidents),
        "accepted_by": risk.accepted_by,
        "acceptance_expires": risk.acceptance_expires,
        "acceptance_reason": risk.acceptance_reason,
        "source": risk.source_key,
        "external_ref": risk.external_ref,
        "created_at": risk.created_at,
        "updated_at": risk.updated_at,
        "closed_at": risk.closed_at,
    }


def risks(ws: Workspace, slug: str | None, **filters: Any) -> list[Risk]:
    """Return the risks the actor may see, filtered by status, category, owner or rating."""
    for name, allowed in (("status", scoring.STATUSES), ("rating", RATINGS)):
        if filters.get(name) and filters[name] not in allowed:  # a typo must not look empty
            raise DatawardError(
                f"unknown {name} {filters[name]!r}", f"--{name}", f"use {', '.join(allowed)}"
            )
    qs = Risk.objects.for_clients(visible_clients(ws, slug)).select_related("client")
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    elif not filters.get("all"):
        qs = qs.exclude(status="closed")
    for name in ("category", "owner"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    out = list(qs.order_by("ref"))
    if filters.get("rating"):
        out = [r for r in out if row(r)["rating"] == filters["rating"]]
    return out


def rows(ws: Workspace, slug: str | None, **filters: Any) -> list[dict[str, Any]]:
    """Return the register as listing rows."""
    return [row(r) for r in risks(ws, slug, **filters)]


def history(ws: Workspace, ref: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return one risk and its history, oldest first."""
    risk = find(ws, ref)
    events = RiskEvent.objects.for_client(risk.client).filter(risk=risk).order_by("at", "id")
    return row(risk), [
        {"at": e.at, "actor": e.actor, "kind": e.kind, "detail": e.detail} for e in events
    ]


def heat_map(ws: Workspace, slug: str | None, residual: bool = False) -> list[scoring.Cell]:
    """Return the 5 x 5 heat map of open risks (residual scores where judged, with --residual)."""
    points = []
    for r in risks(ws, slug):
        li, im = r.likelihood, r.impact
        if residual and r.residual_likelihood and r.residual_impact:
            li, im = r.residual_likelihood, r.residual_impact
        points.append((r.ref, li, im))
    return scoring.heat_map(points)


def heat_counts(ws: Workspace, slug: str | None = None) -> list[scoring.Cell]:
    """Return the 5 x 5 heat map of risks not closed, counted in the database (cells carry no refs).

    For dashboards over large registers; ``heat_map`` lists each cell's refs as well.
    """
    from django.db.models import Count

    open_risks = Risk.objects.for_clients(visible_clients(ws, slug)).exclude(status="closed")
    counts = open_risks.values_list("likelihood", "impact").annotate(n=Count("id")).order_by()
    found = {(li, im): n for li, im, n in counts}
    return [
        scoring.Cell(li, im, found.get((li, im), 0), ())
        for li in reversed(scoring.LEVELS)
        for im in scoring.LEVELS
    ]
