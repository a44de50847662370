"""Write incident records: references, timeline entries, impacts, clocks and tasks, audited.

Every function here runs inside the caller's transaction and writes an audit event for each
state change, so a failed command leaves neither records nor events behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction

from dataward.core import audit
from dataward.core.clients import ensure_operation
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.incidents.engine.clocks import due_clocks, personal_data
from dataward.incidents.engine.playbooks import Playbook
from dataward.incidents.engine.register import ImpactSpec
from dataward.incidents.engine.rules import Affected, Rule
from dataward.incidents.engine.when import stamp
from dataward.incidents.models import (
    Impact,
    Incident,
    IncidentCounter,
    IncidentTask,
    NotificationClock,
    TimelineEntry,
)

REF_PREFIX = "INC-"


def next_ref() -> str:
    """Hand out the next reference; the counter row is locked until the caller commits."""
    with transaction.atomic():
        counter, _ = IncidentCounter.objects.select_for_update().get_or_create(id=1)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{REF_PREFIX}{counter.last:04d}"


def lock(incident: Incident) -> Incident:
    """Re-read the incident and hold it until the caller's transaction ends.

    Changes to one incident go one at a time, each judging what the last one left: closing
    sees the clocks an impact change started a moment before, and no save overwrites another's
    fields with a stale copy. NO KEY UPDATE still lets readers and new timeline rows through.
    """
    rows = Incident.objects.unscoped("the caller already may act on this incident")
    locked: Incident = rows.select_for_update(no_key=True).get(pk=incident.pk)
    return locked


def entry(
    ws: Workspace,
    incident: Incident,
    kind: str,
    text: str,
    client: Client | None = None,
    at: datetime | None = None,
    actor: str | None = None,
) -> TimelineEntry:
    """Append one timeline entry (about one client when given, else shared)."""
    return TimelineEntry.objects.create(
        incident=incident,
        client=client or ensure_operation(ws),
        at=at or ws.clock(),
        actor=actor or ws.actor.name,
        kind=kind,
        text=text,
    )


def record(ws: Workspace, action: str, incident: Incident, client: Client | None = None,
           before: dict[str, object] | None = None, after: dict[str, object] | None = None,
           **detail: object) -> None:  # fmt: skip
    """Write one audit event about an incident (client: the one it concerns, if any)."""
    audit.record(
        ws, action, client.slug if client else None, "incident", incident.ref,
        before=before, after=after, detail={k: v for k, v in detail.items() if v is not None},
    )  # fmt: skip


def save_impact(ws: Workspace, incident: Incident, client: Client, spec: ImpactSpec,
                personal: bool | None) -> bool:  # fmt: skip
    """Create or update the client's impact; return whether it changed."""
    row = Impact.objects.for_client(client).filter(incident=incident).first()
    before = row.as_state() if row else None
    cats = list(spec.categories) or list(client.data_categories)
    chosen = spec.personal_data if spec.personal_data is not None else personal
    row = row or Impact(incident=incident, client=client)
    row.data_categories = cats
    row.categories_assumed = not spec.categories
    row.records = spec.records
    row.personal_data = personal_data(cats) if chosen is None else chosen
    if before == row.as_state():
        return False
    row.updated_at = ws.clock()
    row.save()
    records = "unknown" if row.records is None else str(row.records)
    assumed = " (assumed from the client record)" if row.categories_assumed else ""
    text = f"impact on {client.slug}: {', '.join(cats) or 'no categories'}{assumed}; records "
    text += f"{records}; personal data {'yes' if row.personal_data else 'no'}"
    entry(ws, incident, "impact", text, client)
    record(ws, "incident.impact", incident, client, before, row.as_state())
    return True


def facts(incident: Incident) -> list[Affected]:
    """Return what the rules read about each affected client."""
    rows = Impact.objects.unscoped("rules read every affected client").filter(incident=incident)
    out = []
    for imp in rows.select_related("client"):
        c = imp.client
        out.append(
            Affected(
                c.slug,
                tuple(c.frameworks),
                tuple(imp.data_categories),
                imp.records,
                imp.personal_data,
                c.breach_notification_hours,
            )  # fmt: skip
        )
    return out


def sync_clocks(ws: Workspace, incident: Incident, rules: Sequence[Rule]) -> None:
    """Start, move or drop clocks so they match the rules for the incident's impacts now.

    A clock already notified (or decided not required) is kept even when its rule no longer
    applies; an unsettled one whose rule no longer applies is dropped. Clocks of rules not in
    ``rules`` (a rule file removed since) are left alone.
    """
    wanted = {
        (d.client, d.rule): d for d in due_clocks(rules, incident.detected_at, facts(incident))
    }
    rows = NotificationClock.objects.unscoped("an incident's clocks across its clients")
    have = {
        (c.client.slug, c.rule_id): c
        for c in rows.filter(incident=incident).select_related("client")
    }
    clients = {c.slug: c for c in Client.objects.filter(slug__in={k[0] for k in wanted})}
    for key, due in wanted.items():
        clock = have.get(key)
        soon = int(due.soon.total_seconds())
        if clock is None:
            clock = NotificationClock.objects.create(
                incident=incident, client=clients[due.client], rule_id=due.rule, title=due.title,
                audience=due.audience, due_at=due.due_at, soon_seconds=soon,
            )  # fmt: skip
            text = (
                f"clock {due.rule} started for {due.client}: {due.title}; due {stamp(due.due_at)}"
            )
            entry(ws, incident, "clock", text, clock.client)
            record(ws, "incident.clock.start", incident, clock.client, None, clock.as_state())
        elif (clock.due_at, clock.title, clock.audience, clock.soon_seconds) != (
            due.due_at, due.title, due.audience, soon,
        ):  # fmt: skip
            before = clock.as_state()
            clock.due_at, clock.title, clock.audience = due.due_at, due.title, due.audience
            clock.soon_seconds = soon
            clock.save()
            entry(
                ws,
                incident,
                "clock",
                f"clock {due.rule} for {due.client} now due {stamp(due.due_at)}",
                clock.client,
            )
            record(ws, "incident.clock.move", incident, clock.client, before, clock.as_state())
    known = {r.id for r in rules}
    for key, clock in have.items():
        if key not in wanted and not clock.decision and clock.rule_id in known:
            before = clock.as_state()
            clock.delete()
            entry(
                ws,
                incident,
                "clock",
                f"clock {clock.rule_id} for {clock.client.slug} no longer applies",
                clock.client,
            )
            record(ws, "incident.clock.drop", incident, clock.client, before, None)


def add_tasks(ws: Workspace, incident: Incident, book: Playbook) -> int:
    """Put a playbook's tasks on the incident, numbered after its existing ones."""
    op = ensure_operation(ws)
    rows = IncidentTask.objects.for_client(op).filter(incident=incident)
    start = max(rows.values_list("number", flat=True), default=0)
    IncidentTask.objects.bulk_create(
        IncidentTask(
            incident=incident,
            client=op,
            number=start + n,
            playbook=book.name,
            phase=task.phase,
            text=task.text,
        )  # fmt: skip
        for n, task in enumerate(book.tasks, start=1)
    )
    incident.playbooks = [*incident.playbooks, book.name]
    incident.save(update_fields=["playbooks"])
    entry(ws, incident, "playbook", f"playbook {book.name} applied: {len(book.tasks)} tasks")
    record(ws, "incident.playbook", incident, None, None, None, playbook=book.name,
           tasks=len(book.tasks))  # fmt: skip
    return len(book.tasks)


def soon_of(clock: NotificationClock) -> timedelta:
    """Return a stored clock's due-soon window."""
    return timedelta(seconds=clock.soon_seconds)
