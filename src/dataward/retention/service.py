"""What the CLI (and later the web) calls: policies, legal holds, overdue data, disposal plans."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum

from dataward.core import audit
from dataward.core.clients import visible
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.retention import readers
from dataward.retention.engine import policy
from dataward.retention.engine.dispose import METHODS, RefusedError, Target, measure
from dataward.retention.engine.overdue import Overdue, duplicate_extracts, overdue
from dataward.retention.models import DisposalItem, DisposalPlan, LegalHold, RetentionPolicy


def client_of(ws: Workspace, slug: str, action: Action) -> Client:
    """Return a client (never the operation) the user may take the action on."""
    found = Client.objects.filter(slug=slug, kind="client").first()
    if found is None or not may(ws.actor, Action.VIEW, found.slug):
        raise DatawardError(f"no client {slug!r}", "--client", "see `dataward clients list`")
    ws.require(action, found.slug)
    return found


def load_policy(ws: Workspace, path: Path) -> dict[str, int]:
    """Load a policy file: each client gets its own rules and the rules for every client."""
    ws.require(Action.IMPORT, None)
    clients = {c.slug: c for c in Client.objects.filter(kind="client")}
    rules = policy.load(path, set(clients))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    counts = {}
    with transaction.atomic():
        for slug, client in clients.items():
            mine = [r for r in rules if r.client in ("*", slug)]
            RetentionPolicy.objects.for_client(client).delete()
            RetentionPolicy.objects.create(
                client=client,
                rules=[vars(r) for r in mine],
                location=str(path.resolve()),
                sha256=sha,
                loaded_at=ws.clock(),
                loaded_by=ws.actor.name,
            )
            counts[slug] = len(mine)
        audit.record(
            ws,
            "retention.policy",
            None,
            "retention_policy",
            path.name,
            detail={"sha256": sha, "rules": len(rules), "per_client": counts},
        )
    return counts


def add_hold(
    ws: Workspace, slug: str, *, matter: str, reason: str, path: str = "", category: str = ""
) -> LegalHold:
    """Place a legal hold on a client's data by path glob and/or category."""
    client = client_of(ws, slug, Action.APPROVE)
    category = category.strip().upper()
    if category and category not in policy.CATEGORIES:
        raise DatawardError(
            f"unknown category {category!r}", "--category", f"use {', '.join(policy.CATEGORIES)}"
        )
    if not matter.strip() or not reason.strip():
        raise DatawardError("a hold needs a matter and a reason", "--matter/--reason", "give both")
    with transaction.atomic():
        hold = LegalHold.objects.create(
            client=client,
            ref=f"tmp-{uuid.uuid4().hex}"[:32],
            matter=matter.strip(),
            path=path.strip(),
            category=category,
            reason=reason.strip(),
            placed_by=ws.actor.name,
            placed_at=ws.clock(),
        )
        hold.ref = f"LH-{hold.pk:04d}"
        hold.save(update_fields=["ref"])
        audit.record(
            ws,
            "retention.hold",
            slug,
            "legal_hold",
            hold.ref,
            after={
                "matter": hold.matter,
                "path": hold.path,
                "category": category,
                "reason": hold.reason,
            },
        )
    return hold


def release_hold(ws: Workspace, ref: str, reason: str) -> LegalHold:
    """Release a legal hold (who and why are kept)."""
    with transaction.atomic():
        hold: LegalHold | None = (
            LegalHold.objects.unscoped("looked up by unique ref, scope checked below")
            .select_related("client")
            .filter(ref=ref.strip().upper())
            .first()
        )
        if hold is None or not may(ws.actor, Action.VIEW, hold.client.slug):
            raise DatawardError(
                f"no legal hold {ref!r}", "hold", "see `dataward retention hold list`"
            )
        ws.require(Action.APPROVE, hold.client.slug)
        if hold.released_at is not None:
            raise DatawardError(f"{hold.ref} was released already", hold.ref, "nothing to do")
        if not reason.strip():
            raise DatawardError("releasing a hold needs a reason", "--reason", "say why")
        hold.released_at, hold.released_by = ws.clock(), ws.actor.name
        hold.release_reason = reason.strip()
        hold.save()
        audit.record(
            ws,
            "retention.hold_release",
            hold.client.slug,
            "legal_hold",
            hold.ref,
            detail={"reason": hold.release_reason},
        )
    return hold


def holds(ws: Workspace, slug: str | None) -> list[LegalHold]:
    """Return the legal holds of one client or of every client the user may see."""
    targets = [client_of(ws, slug, Action.VIEW)] if slug else visible(ws)
    return list(LegalHold.objects.for_clients(targets).select_related("client").order_by("id"))


def overdue_items(ws: Workspace, client: Client) -> list[Overdue]:
    """Return the client's locations past their retention (held ones marked)."""
    rules, _ = readers.rules(client)
    return overdue(readers.holdings(client), rules, client.slug, ws.clock(), readers.holds(client))


def overdue_rows(ws: Workspace, slug: str) -> list[dict[str, Any]]:
    """Return overdue locations and duplicate extracts of one client as rows."""
    client = client_of(ws, slug, Action.VIEW)
    rows: list[dict[str, Any]] = [
        {
            "client": slug,
            "problem": "past retention",
            "location": o.location,
            "category": o.category,
            "age_days": o.age_days,
            "keep_days": o.keep_days,
            "size": o.size,
            "records": o.records,
            "held_by": ", ".join(o.held_by),
            "note": o.note,
        }
        for o in overdue_items(ws, client)
    ]
    for m in readers.measures(client):
        if not (m["expired"] or m["error"]):
            continue
        note = m["error"] or (
            f"{m['expired']} of {m['total']} rows by {m['column']} (oldest {m['oldest']}); "
            f"{m['undated']} undated"
        )
        rows.append(
            {
                "client": slug,
                "problem": "rows past retention" if m["expired"] else "not measured",
                "location": m["location"],
                "category": m["category"],
                "age_days": None,
                "keep_days": m["keep_days"],
                "size": None,
                "records": m["expired"],
                "held_by": "",
                "note": note,
            }
        )
    found = readers.holdings(client)
    from dataward.discovery.readers import fingerprints

    for d in duplicate_extracts(found, fingerprints(ws, client)):
        problem = "forgotten copy" if d.forgotten else "duplicate extract"
        rows.append(
            {
                "client": slug,
                "problem": problem,
                "location": d.copy,
                "category": "",
                "age_days": None,
                "keep_days": None,
                "size": None,
                "records": d.shared,
                "held_by": "",
                "note": f"{d.how} as {d.original}",
            }
        )
    return rows


def make_plan(
    ws: Workspace, slug: str, method: str = "delete", note: str = ""
) -> tuple[DisposalPlan, list[tuple[str, str]]]:
    """Write a disposal plan of every file past retention and not held, hashed now.

    Returns the plan and the overdue files left out of it, each with the reason (a file that is
    gone, a symlink, not a regular file, hard-linked or unreadable cannot be planned).
    """
    client = client_of(ws, slug, Action.DISPOSE)
    if method not in METHODS:
        raise DatawardError(f"unknown method {method!r}", "--method", f"use {', '.join(METHODS)}")
    roots = readers.roots(client)
    items, left_out = [], []
    for o in overdue_items(ws, client):
        if o.held_by or o.kind != "file" or o.location not in roots:
            continue
        target = Target(roots[o.location], o.rel)
        try:
            size, sha = measure(target)
        except RefusedError as exc:
            left_out.append((o.location, str(exc)))
            continue
        reason = f"{o.category} kept {o.age_days} days; policy keeps {o.keep_days}"
        why = (reason + f" ({o.note})") if o.note else reason
        items.append((target, size, sha, o.category, sorted(o.categories), why))
    if left_out and not items:
        raise DatawardError(
            f"no overdue file of {slug} can be planned ({len(left_out)} left out; the first: "
            f"{left_out[0][1]})",
            "retention plan",
            "rescan the client (`dataward scan`), then see `dataward retention overdue`",
        )
    if not items:
        raise DatawardError(
            f"nothing of {slug} is past its retention and free of holds",
            "retention plan",
            "see `dataward retention overdue`",
        )
    with transaction.atomic():
        plan = DisposalPlan.objects.create(
            client=client,
            ref=f"tmp-{uuid.uuid4().hex}"[:32],
            method=method,
            created_by=ws.actor.name,
            created_at=ws.clock(),
            note=note.strip(),
        )
        plan.ref = f"DP-{plan.pk:04d}"
        plan.save(update_fields=["ref"])
        DisposalItem.objects.bulk_create(
            DisposalItem(
                client=client,
                plan=plan,
                seq=n,
                root=t.root,
                rel=t.rel,
                size=size,
                sha256=sha,
                category=cat,
                categories=cats,
                reason=why,
            )
            for n, (t, size, sha, cat, cats, why) in enumerate(items, start=1)
        )
        audit.record(
            ws,
            "retention.plan",
            slug,
            "disposal_plan",
            plan.ref,
            detail={
                "items": len(items),
                "method": method,
                "bytes": sum(i[1] for i in items),
                "left_out": len(left_out),
            },
        )
    return plan, left_out


def plan_of(ws: Workspace, ref: str, action: Action = Action.VIEW) -> DisposalPlan:
    """Return one plan the user may act on."""
    found: DisposalPlan | None = (
        DisposalPlan.objects.unscoped("looked up by unique ref, scope checked below")
        .select_related("client")
        .filter(ref=ref.strip().upper())
        .first()
    )
    if found is None or not may(ws.actor, Action.VIEW, found.client.slug):
        # a plan of a client the user may not see does not exist for them
        raise DatawardError(f"no disposal plan {ref!r}", "plan", "see `dataward retention plans`")
    ws.require(action, found.client.slug)
    return found


def approve(ws: Workspace, ref: str) -> DisposalPlan:
    """Approve a draft plan: four eyes, so never by the user who made it."""
    with transaction.atomic():
        plan = plan_of(ws, ref, Action.APPROVE)
        plan = _locked(plan)
        if plan.status != "draft":
            raise DatawardError(
                f"{plan.ref} is {plan.status}, not a draft",
                plan.ref,
                "only a draft plan can be approved",
            )
        if plan.created_by.lower() == ws.actor.name.lower():
            raise DatawardError(
                "you made this plan; another user must approve it",
                plan.ref,
                "ask a manager or admin to run `dataward retention approve`",
            )
        plan.status, plan.approved_by, plan.approved_at = "approved", ws.actor.name, ws.clock()
        plan.save()
        audit.record(
            ws,
            "retention.approve",
            plan.client.slug,
            "disposal_plan",
            plan.ref,
            before={"status": "draft"},
            after={"status": "approved"},
        )
    return plan


def _locked(plan: DisposalPlan) -> DisposalPlan:
    """Return the plan again, locked until the transaction ends."""
    found: DisposalPlan = (
        DisposalPlan.objects.for_client(plan.client).select_for_update().get(pk=plan.pk)
    )
    return found


def plans(ws: Workspace, slug: str | None) -> list[DisposalPlan]:
    """Return the plans of one client or of every client the user may see, newest first."""
    targets = [client_of(ws, slug, Action.VIEW)] if slug else visible(ws)
    rows = DisposalPlan.objects.for_clients(targets).select_related("client")
    return list(rows.order_by("-id"))


def items(plan: DisposalPlan) -> list[DisposalItem]:
    """Return a plan's items in order."""
    return list(DisposalItem.objects.for_client(plan.client).filter(plan=plan).order_by("seq"))


def item_rows(plan: DisposalPlan) -> QuerySet[DisposalItem]:
    """Return a plan's items as a query (sorted and paged in the database), in order."""
    return DisposalItem.objects.for_client(plan.client).filter(plan=plan).order_by("seq")


def totals(found: list[DisposalPlan]) -> dict[int, tuple[int, int]]:
    """Return each plan's number of items and planned bytes, by plan id."""
    rows = (
        DisposalItem.objects.for_clients({p.client for p in found})
        .filter(plan__in=found)
        .values("plan")
        .annotate(count=Count("id"), size=Sum("size"))
    )
    return {r["plan"]: (r["count"], r["size"] or 0) for r in rows}
