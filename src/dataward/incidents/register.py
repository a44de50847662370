"""Import an incident register (JSON) in one transaction: all incidents or none.

Each register entry keeps its own id as the incident's ``source_ref``; an entry whose id was
imported before is left as it is (importing the same register twice changes nothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError, ImportFileError
from dataward.incidents import library, store
from dataward.incidents.engine.clocks import NOT_REQUIRED
from dataward.incidents.engine.register import IncidentSpec, parse_register
from dataward.incidents.engine.workflow import CLOSED, MIN_LESSONS
from dataward.incidents.models import Incident, NotificationClock

IMPORT_COLUMNS = ["file", "imported", "unchanged", "refs"]


def import_register(ws: Workspace, path: Path) -> dict[str, Any]:
    """Validate every incident of the register, then store the new ones; return a summary."""
    specs = parse_register(library.read_text(path), str(path), ws.clock())
    ws.require(Action.IMPORT, None)
    op = ensure_operation(ws)
    rules = library.rules_in_force(ws)
    refs = []
    with transaction.atomic():
        # A second import of the same register waits here, then skips what the first stored.
        list(Client.objects.select_for_update(no_key=True).filter(pk=op.pk).values_list("pk"))
        rows = Incident.objects.for_client(op).exclude(source_ref="")
        known = set(rows.values_list("source_ref", flat=True))
        for spec in specs:
            if spec.source_ref not in known:
                refs.append(_store(ws, spec, rules).ref)
    return {
        "file": str(path),
        "imported": len(refs),
        "unchanged": len(specs) - len(refs),
        "refs": refs,
    }


def _store(ws: Workspace, spec: IncidentSpec, rules: list[Any]) -> Incident:
    """Store one validated incident with its impacts, clocks, notifications and timeline."""
    clients = []
    for impact in spec.impacts:
        client = Client.objects.filter(slug=impact.client, kind="client").first()
        if client is None:
            raise ImportFileError(
                f"affected client {impact.client!r} is not a known client",
                spec.where,
                "add it with dataward clients add, or fix the slug",
            )
        clients.append(client)
    incident = Incident.objects.create(
        client=ensure_operation(ws), ref=store.next_ref(), title=spec.title,
        description=spec.description, severity=spec.severity, status=spec.status,
        detected_at=spec.detected_at, occurred_at=spec.occurred_at, reported_at=ws.clock(),
        reported_by=spec.reported_by or ws.actor.name, handler=spec.handler or ws.actor.name,
        lessons_learned=spec.lessons_learned, closed_at=spec.closed_at, source_ref=spec.source_ref,
    )  # fmt: skip
    for item in spec.timeline:
        store.entry(ws, incident, "note", item.text, at=item.at, actor=item.actor or "register")
    text = f"imported from the register as {spec.source_ref} ({spec.status})"
    store.entry(ws, incident, "report", text)
    store.record(ws, "incident.import", incident, None, None, incident.as_state(),
                 source_ref=spec.source_ref)  # fmt: skip
    for client, impact in zip(clients, spec.impacts, strict=True):
        store.save_impact(ws, incident, client, impact, None)
    store.sync_clocks(ws, incident, rules)
    for notice in spec.notices:
        _notice(ws, incident, spec, notice)
    for name in spec.playbooks:
        try:
            book = library.playbook(ws, name)
        except DatawardError as exc:
            raise ImportFileError(f"field 'playbooks': {exc.what}", spec.where, exc.hint) from None
        store.add_tasks(ws, incident, book)
    if spec.status == CLOSED:
        _closable(spec, incident)
    return incident


def _notice(ws: Workspace, incident: Incident, spec: IncidentSpec, notice: Any) -> None:
    """Record one notification of the register against its clock."""
    clock = (
        NotificationClock.objects.unscoped("the register names the client")
        .filter(incident=incident, rule_id=notice.rule, client__slug=notice.client)
        .select_related("client")
        .first()
    )
    if clock is None:
        raise ImportFileError(
            f"notification for rule {notice.rule!r} and client {notice.client!r} matches no clock",
            spec.where,
            "check the rule id and the affected clients",
        )
    if clock.decision:
        raise ImportFileError(f"clock {notice.rule} for {notice.client} is given twice", spec.where)
    before = clock.as_state()
    clock.decision = NOT_REQUIRED if notice.not_required else "notified"
    clock.notified_at, clock.notified_by = notice.at, notice.by or ws.actor.name
    clock.note = notice.note
    clock.save()
    what = "not required" if notice.not_required else f"{clock.audience} notified"
    store.entry(ws, incident, "notify", f"{notice.rule}: {what}", clock.client,
                at=notice.at or ws.clock(), actor=clock.notified_by)  # fmt: skip
    store.record(ws, "incident.notify", incident, clock.client, before, clock.as_state(),
                 rule=notice.rule)  # fmt: skip


def _closable(spec: IncidentSpec, incident: Incident) -> None:
    """Refuse a closed incident without lessons learned or with an unsettled clock."""
    if len(spec.lessons_learned) < MIN_LESSONS:
        raise ImportFileError(
            "field 'lessons_learned' is required on a closed incident",
            spec.where,
            f"write at least {MIN_LESSONS} characters on what changed",
        )
    open_clock = (
        NotificationClock.objects.unscoped("a closed incident settles every clock")
        .filter(incident=incident, decision="")
        .select_related("client")
        .first()
    )
    if open_clock is not None:
        raise ImportFileError(
            f"closed, but clock {open_clock.rule_id} for {open_clock.client.slug} has no "
            "notification",
            spec.where,
            "add it under notifications (with not_required and a note if none was needed)",
        )
