"""Access review campaigns: start, decide (certify / revoke / modify), close, export, verify."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from dataward.access.engine import types as t
from dataward.access.models import ReviewCampaign, ReviewItem
from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

DECISIONS = ("certify", "revoke", "modify")
ITEM_COLUMNS = [
    "number",
    "manager_id",
    "employee_id",
    "person_name",
    "job_role",
    "system",
    "account",
    "permission",
    "privileged",
    "flags",
    "decision",
    "new_permission",
    "comment",
    "decided_by",
    "decided_at",
    "verified",
]


def start(ws: Workspace, client: Client, name: str = "", due: date | None = None) -> ReviewCampaign:
    """Create a campaign with one item per person x entitlement on the client's systems."""
    from dataward.access import readers
    from dataward.access.engine.context import Context

    ws.require(Action.REVIEW_ACCESS, client.slug)
    data = readers.load(ws, client)
    if not data.grants:
        raise DatawardError(
            f"no entitlements imported for {client.slug}",
            "review start",
            f"run dataward access import entitlements FILE --client {client.slug} first",
        )
    ctx = Context(data)
    flags = _flags(ctx)
    with transaction.atomic():
        campaign = ReviewCampaign.objects.create(
            client=client,
            name=name or f"{client.slug} access review {ws.clock().date()}",
            started_at=ws.clock(),
            started_by=ws.actor.name,
            due=due,
        )
        items = []
        ordered = sorted(
            ctx.held,
            key=lambda h: (
                ctx.people[h[1]].manager_id if h[1] else "~",
                h[1] or "~",
                h[0].system,
                h[0].entitlement.account,
                h[0].entitlement.permission,
            ),
        )
        for number, (grant, eid) in enumerate(ordered, start=1):
            person = ctx.people.get(eid) if eid else None
            ent = grant.entitlement
            items.append(
                ReviewItem(
                    client=client,
                    campaign=campaign,
                    number=number,
                    employee_id=eid,
                    person_name=person.name if person else "",
                    job_role=person.job_role if person else "",
                    manager_id=person.manager_id if person else "",
                    system=grant.system,
                    account=ent.account,
                    permission=ent.permission,
                    privileged=ctx.privileged_grant(grant),
                    flags=flags.get(
                        (grant.system, ent.account.lower(), ent.permission.lower()), []
                    ),
                )
            )
        ReviewItem.objects.bulk_create(items, batch_size=5000)
        detail = {"name": campaign.name, "items": len(items), "due": str(due or "")}
        audit.record(
            ws, "access.review.start", client.slug, "review", str(campaign.id), detail=detail
        )
    return campaign


def _flags(ctx: Any) -> dict[tuple[str, str, str], list[str]]:
    """Return what the rules say about each entitlement, to guide the reviewer."""
    from dataward.access.engine.evaluate import CLIENT_RULES

    marks: dict[tuple[str, str, str], list[str]] = {}
    for rule_id, rule in CLIENT_RULES.items():
        if rule_id in ("access_reviews_current", "access_exceptions_not_expired"):
            continue
        for v in rule(ctx).violations:
            for row in v.evidence:
                if "system" in row and "permission" in row and "account" in row:
                    key = (
                        row["system"],
                        str(row["account"]).lower(),
                        str(row["permission"]).lower(),
                    )
                    marks.setdefault(key, []).append(rule_id.removeprefix("access_"))
            account_grants = ctx.grants_by_account.get(v.subject.lower(), [])
            if not any("permission" in r for r in v.evidence):
                for g in account_grants:
                    key = (
                        g.system,
                        g.entitlement.account.lower(),
                        g.entitlement.permission.lower(),
                    )
                    marks.setdefault(key, []).append(rule_id.removeprefix("access_"))
    return {k: sorted(set(v)) for k, v in marks.items()}


def campaign(client: Client, ident: int) -> ReviewCampaign:
    """Return one of the client's campaigns, or a one-line error."""
    found: ReviewCampaign | None = (
        ReviewCampaign.objects.for_client(client).filter(id=ident).first()
    )
    if found is None:
        raise DatawardError(
            f"no review campaign {ident} for {client.slug}",
            "review",
            f"see dataward access review list --client {client.slug}",
        )
    return found


def items(
    client: Client, camp: ReviewCampaign, manager: str = "", pending: bool = False
) -> list[dict[str, Any]]:
    """Return the campaign's items as rows, optionally for one manager or only undecided."""
    rows = ReviewItem.objects.for_client(client).filter(campaign=camp).order_by("number")
    if manager:
        rows = rows.filter(manager_id=manager)
    if pending:
        rows = rows.filter(decision="pending")
    return [{c: getattr(i, c) for c in ITEM_COLUMNS} for i in rows]


def decide(
    ws: Workspace,
    client: Client,
    camp: ReviewCampaign,
    numbers: Sequence[int],
    decision: str,
    comment: str = "",
    new_permission: str = "",
    manager: str = "",
) -> int:
    """Record one decision on the given items (or all of a manager's pending ones); audit each."""
    ws.require(Action.REVIEW_ACCESS, client.slug)
    if camp.status != "open":
        raise DatawardError(f"campaign {camp.id} is closed", "review decide", "start a new one")
    if decision not in DECISIONS:
        raise DatawardError(
            f"unknown decision {decision!r}", "review decide", "certify, revoke or modify"
        )
    if decision in ("revoke", "modify") and not comment.strip():
        raise DatawardError(f"a {decision} needs a reason", "--comment", "say why, for the record")
    if decision == "modify" and not new_permission.strip():
        raise DatawardError("modify needs the permission to keep", "--to", "e.g. --to view")
    query = ReviewItem.objects.for_client(client).filter(campaign=camp)
    if numbers:
        chosen = list(query.filter(number__in=list(numbers)))
        missing = sorted(set(numbers) - {i.number for i in chosen})
        if missing:
            raise DatawardError(
                f"no item {missing[0]} in campaign {camp.id}", "review decide", "see review items"
            )
    elif manager:
        chosen = list(query.filter(manager_id=manager, decision="pending"))
    else:
        raise DatawardError("no items named", "review decide", "give item numbers or --manager E")
    now = ws.clock()
    with transaction.atomic():
        for item in chosen:
            before = {"decision": item.decision, "new_permission": item.new_permission}
            item.decision, item.comment, item.new_permission = decision, comment, new_permission
            item.decided_by, item.decided_at, item.verified = ws.actor.name, now, None
            item.save()
            after = {"decision": decision, "new_permission": new_permission, "comment": comment}
            where = {"system": item.system, "account": item.account, "permission": item.permission}
            audit.record(
                ws,
                f"access.review.{decision}",
                client.slug,
                "review_item",
                f"{camp.id}/{item.number}",
                before,
                after,
                detail=where,
            )
    return len(chosen)


def close(ws: Workspace, client: Client, camp: ReviewCampaign) -> int:
    """Close a campaign whose every item is decided; return the number of revocations."""
    ws.require(Action.REVIEW_ACCESS, client.slug)
    if camp.status != "open":
        raise DatawardError(
            f"campaign {camp.id} is already closed",
            "review close",
            "start a new campaign for a new review",
        )
    query = ReviewItem.objects.for_client(client).filter(campaign=camp)
    with transaction.atomic():
        pending = query.filter(decision="pending").count()
        if pending:
            raise DatawardError(
                f"{pending} items are still undecided", f"campaign {camp.id}", "decide them first"
            )
        camp.status, camp.closed_at, camp.closed_by = "closed", ws.clock(), ws.actor.name
        camp.save()
        revokes = query.filter(decision__in=("revoke", "modify")).count()
        audit.record(
            ws,
            "access.review.close",
            client.slug,
            "review",
            str(camp.id),
            detail={"revocations": revokes},
        )
    return revokes


def revocations(client: Client, camp: ReviewCampaign) -> list[dict[str, Any]]:
    """Return the identity team's work list: every revoke and modify decision."""
    rows = ReviewItem.objects.for_client(client).filter(
        campaign=camp, decision__in=("revoke", "modify")
    )
    return [
        {
            "campaign": camp.name,
            "item": i.number,
            "system": i.system,
            "account": i.account,
            "permission": i.permission,
            "action": "revoke" if i.decision == "revoke" else f"change to {i.new_permission}",
            "employee_id": i.employee_id,
            "person": i.person_name,
            "reason": i.comment,
            "decided_by": i.decided_by,
            "decided_at": i.decided_at,
            "verified": i.verified,
        }
        for i in rows.order_by("system", "account", "permission")
    ]


def verify_revocations(
    ws: Workspace, client: Client, system: str, held: Iterable[t.Entitlement]
) -> dict[str, int]:
    """Mark each revoke/modify decision on this system done or not, from a fresh export."""
    still = {(e.account.lower(), e.permission.lower()) for e in held}
    query = ReviewItem.objects.for_client(client).filter(
        system=system, decision__in=("revoke", "modify"), decided_at__isnull=False
    )
    done = missing = 0
    now = ws.clock()
    for item in query:
        ok = (item.account.lower(), item.permission.lower()) not in still
        done, missing = done + ok, missing + (not ok)
        if item.verified != ok:
            item.verified, item.verified_at = ok, now
            item.save(update_fields=["verified", "verified_at"])
    return {"revocations_done": done, "revocations_missing": missing} if done or missing else {}


def campaigns(clients: Iterable[Client], counted: bool = False) -> QuerySet[ReviewCampaign]:
    """Return the clients' campaigns, each with its client, as a query.

    With ``counted``, each also carries count_items, count_pending and count_revoke (what
    progress() returns), read in the same query: a listing costs one query, not one a campaign.
    """
    chosen = list(clients)
    rows = ReviewCampaign.objects.for_clients(chosen).select_related("client")
    if not counted:
        return rows
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    def count(*decisions: str) -> Coalesce:
        items = ReviewItem.objects.for_clients(chosen).filter(campaign=OuterRef("pk"))
        items = items.filter(decision__in=decisions) if decisions else items
        n = items.order_by().values("campaign").annotate(n=Count("id")).values("n")
        return Coalesce(Subquery(n, output_field=IntegerField()), Value(0))

    counts = {"count_items": count(), "count_pending": count("pending"),
              "count_revoke": count("revoke", "modify")}  # fmt: skip
    annotated: QuerySet[ReviewCampaign] = rows.annotate(**counts)
    return annotated


def progress(camp: ReviewCampaign) -> dict[str, int]:
    """Return a campaign's item count, undecided items and revocations, in one query."""
    from django.db.models import Count, Q

    rows = ReviewItem.objects.for_client(camp.client).filter(campaign=camp).order_by()
    return rows.aggregate(
        items=Count("id"),
        pending=Count("id", filter=Q(decision="pending")),
        revoke=Count("id", filter=Q(decision__in=("revoke", "modify"))),
    )


def items_query(client: Client, camp: ReviewCampaign) -> QuerySet[ReviewItem]:
    """Return the campaign's items in number order as a query, for paging in the database."""
    return ReviewItem.objects.for_client(client).filter(campaign=camp).order_by("number")
