"""What the incident commands (and later the web form and monitoring escalation) call.

``report(ws, ...)`` is the one way an incident comes into being; it returns the stored
incident, whose ``ref`` (INC-0001, ...) names it from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from django.db import transaction

from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action, Role, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.incidents import library, scope, store
from dataward.incidents.engine.clocks import NOT_REQUIRED, clock_state
from dataward.incidents.engine.register import SEVERITIES, ImpactSpec, parse_impact
from dataward.incidents.engine.when import parse_instant, stamp
from dataward.incidents.engine.workflow import CLOSED, move_kind
from dataward.incidents.models import Impact, Incident, IncidentTask, NotificationClock


def report(
    ws: Workspace,
    *,
    title: str,
    severity: str,
    impacts: Sequence[ImpactSpec] = (),
    detected_at: datetime | None = None,
    occurred_at: datetime | None = None,
    description: str = "",
    handler: str = "",
    playbooks: Sequence[str] = (),
    rules_file: Path | None = None,
    personal_data: bool | None = None,
) -> Incident:
    """Record a new incident with its impacts, clocks and playbook tasks; return it.

    ``detected_at`` is when the operation became aware (default: now); every notification
    clock counts from it. Categories left empty on an impact are assumed to be everything the
    client entrusts, until corrected with ``set_impact``.
    """
    now = ws.clock()
    detected = detected_at or now
    _check_report(title, severity, detected, occurred_at, now)
    clients = [scope.client_of(ws, i.client, Action.TRIAGE) for i in impacts]
    if not clients:
        ws.require(Action.TRIAGE, None)
    if len({c.slug for c in clients}) != len(clients):
        raise DatawardError("a client is named twice", "--client", "name each client once")
    extra = library.file_rules(rules_file) if rules_file else []
    books = [library.playbook(ws, name) for name in playbooks]
    with transaction.atomic():
        incident = Incident.objects.create(
            client=ensure_operation(ws), ref=store.next_ref(), title=title.strip(),
            description=description.strip(), severity=severity, detected_at=detected,
            occurred_at=occurred_at, reported_at=now, reported_by=ws.actor.name,
            handler=handler.strip() or ws.actor.name, extra_rules=[r.as_dict() for r in extra],
        )  # fmt: skip
        store.entry(ws, incident, "report", f"reported ({severity}): {incident.title}", at=now)
        store.record(ws, "incident.report", incident, None, None, incident.as_state())
        for client, spec in zip(clients, impacts, strict=True):
            store.save_impact(ws, incident, client, spec, personal_data)
        store.sync_clocks(ws, incident, library.rules_in_force(ws, incident.extra_rules))
        for book in books:
            store.add_tasks(ws, incident, book)
    return incident


def _check_report(
    title: str, severity: str, detected: datetime, occurred: datetime | None, now: datetime
) -> None:
    """Refuse a report without a title, with an unknown severity, or with impossible times."""
    if not title.strip() or len(title.strip()) > 200:
        raise DatawardError("the title must be 1-200 characters", "--title", "say what happened")
    if severity not in SEVERITIES:
        raise DatawardError(f"unknown severity {severity!r}", "--severity", ", ".join(SEVERITIES))
    if detected > now:
        raise DatawardError("awareness cannot be in the future", "--detected-at", "fix it")
    if occurred and occurred > detected:
        raise DatawardError(
            "the incident cannot occur after the operation became aware of it",
            "--occurred-at",
            "fix --occurred-at or --detected-at",
        )


def set_status(ws: Workspace, ref: str, new: str, *, note: str = "", lessons: str = "") -> str:
    """Move the incident to a new status; return the kind of move (forward, back, ...)."""
    incident = scope.get(ws, ref, Action.TRIAGE)
    with transaction.atomic():
        incident = store.lock(incident)
        scope.require_all(ws, incident, Action.TRIAGE)  # clients added meanwhile too
        kind = move_kind(
            incident.status, new, where=incident.ref, note=note, lessons=lessons,
            admin=ws.actor.role is Role.ADMIN,
            unsettled=_unsettled(incident) if new == CLOSED else (),
        )  # fmt: skip
        before, old = incident.as_state(), incident.status
        incident.status = new
        if kind == "close":
            incident.closed_at, incident.lessons_learned = ws.clock(), lessons.strip()
        if kind == "reopen":
            incident.closed_at = None
        incident.save()
        text = f"status {old} -> {new}" + (f": {note.strip()}" if note.strip() else "")
        store.entry(ws, incident, "status", text)
        store.record(ws, "incident.status", incident, None, before, incident.as_state(),
                     move=kind, previous=old, status=new)  # fmt: skip
    return kind


def _unsettled(incident: Incident) -> list[str]:
    """Describe every clock and task that still blocks closing."""
    clocks = NotificationClock.objects.unscoped("closing judges every clock").filter(
        incident=incident, decision=""
    )
    out = [f"clock {c.rule_id} for {c.client.slug}" for c in clocks.select_related("client")]
    tasks = IncidentTask.objects.unscoped("closing judges every task").filter(
        incident=incident, outcome=""
    )
    return out + [f"task {t.number}" for t in tasks.order_by("number")]


def add_note(ws: Workspace, ref: str, text: str, client: str | None = None) -> None:
    """Append a note to the timeline: about one client (--client) or shared with all."""
    if not text.strip():
        raise DatawardError("the note is empty", "TEXT", "write what happened")
    incident = scope.get(ws, ref, Action.VIEW)
    target = scope.client_of(ws, client, Action.TRIAGE) if client else None
    if target is None:
        scope.require_all(ws, incident, Action.TRIAGE)
    elif target not in scope.affected(incident):
        raise DatawardError(f"{incident.ref} does not affect {client}", "--client", "check it")
    with transaction.atomic():
        store.entry(ws, incident, "note", text.strip(), target)
        store.record(ws, "incident.note", incident, target)


def set_detected(ws: Workspace, ref: str, detected_at: datetime, note: str) -> None:
    """Correct when the operation became aware (say, staff knew before security was told).

    Every clock moves with it; a notification already made may turn from met to met late.
    """
    incident = scope.get(ws, ref, Action.TRIAGE)
    if not note.strip():
        raise DatawardError("correcting awareness needs a reason", "--note", "say who knew when")
    with transaction.atomic():
        incident = store.lock(incident)
        scope.require_all(ws, incident, Action.TRIAGE)  # clients added meanwhile too
        _open(incident)
        _check_report(
            incident.title, incident.severity, detected_at, incident.occurred_at, ws.clock()
        )
        before, old = incident.as_state(), incident.detected_at
        incident.detected_at = detected_at
        incident.save(update_fields=["detected_at"])
        text = f"awareness moved from {stamp(old)} to {stamp(detected_at)}: {note.strip()}"
        store.entry(ws, incident, "detected", text)
        store.record(ws, "incident.detected", incident, None, before, incident.as_state())
        store.sync_clocks(ws, incident, library.rules_in_force(ws, incident.extra_rules))


def assign(ws: Workspace, ref: str, handler: str) -> None:
    """Hand the incident (and its clocks and tasks) to another handler."""
    if not handler.strip():
        raise DatawardError("the handler is empty", "HANDLER", "name a user or an address")
    incident = scope.get(ws, ref, Action.TRIAGE)
    with transaction.atomic():
        incident = store.lock(incident)
        scope.require_all(ws, incident, Action.TRIAGE)  # clients added meanwhile too
        before, old = incident.as_state(), incident.handler
        incident.handler = handler.strip()
        incident.save(update_fields=["handler"])
        store.entry(ws, incident, "assign", f"handler {old} -> {incident.handler}")
        store.record(ws, "incident.assign", incident, None, before, incident.as_state())


def set_impact(
    ws: Workspace, ref: str, spec: ImpactSpec, personal_data: bool | None = None
) -> bool:
    """Add or correct one client's impact and recompute the clocks; return whether it changed."""
    incident = scope.get(ws, ref, Action.VIEW)
    client = scope.client_of(ws, spec.client, Action.TRIAGE)
    with transaction.atomic():
        incident = store.lock(incident)
        _open(incident)
        changed = store.save_impact(ws, incident, client, spec, personal_data)
        if changed:
            store.sync_clocks(ws, incident, library.rules_in_force(ws, incident.extra_rules))
    return changed


def remove_impact(ws: Workspace, ref: str, slug: str, note: str) -> None:
    """Record that a client turned out not to be affected; its unsettled clocks are dropped."""
    incident = scope.get(ws, ref, Action.VIEW)
    client = scope.client_of(ws, slug, Action.TRIAGE)
    if not note.strip():
        raise DatawardError("removing a client needs a reason", "--note", "say why")
    with transaction.atomic():
        incident = store.lock(incident)
        _open(incident)
        row = Impact.objects.for_client(client).filter(incident=incident).first()
        if row is None:
            raise DatawardError(f"{incident.ref} does not affect {slug}", "--client", "check it")
        clocks = NotificationClock.objects.for_client(client).filter(incident=incident)
        if clocks.exclude(decision="").exists():
            raise DatawardError(
                f"a notification to or about {slug} is recorded", incident.ref, "keep the impact"
            )
        before = row.as_state()
        row.delete()
        store.entry(ws, incident, "impact", f"{slug} not affected: {note.strip()}", client)
        store.record(ws, "incident.impact.remove", incident, client, before, None)
        store.sync_clocks(ws, incident, library.rules_in_force(ws, incident.extra_rules))


def _clock(incident: Incident, client: Client, rule: str) -> NotificationClock:
    """Return the client's unsettled clock of this rule, or a one-line error."""
    rows = NotificationClock.objects.for_client(client).filter(incident=incident)
    clock: NotificationClock | None = rows.filter(rule_id=rule).first()
    if clock is None:
        known = ", ".join(rows.values_list("rule_id", flat=True)) or "none"
        raise DatawardError(
            f"{incident.ref} has no clock {rule!r} for {client.slug}",
            "--rule",
            f"its clocks: {known}",
        )
    if clock.decision:
        raise DatawardError(
            f"clock {rule} for {client.slug} is already recorded ({clock.decision})",
            incident.ref,
            "it cannot be recorded twice",
        )
    return clock


def _open(incident: Incident) -> None:
    if incident.status == CLOSED:
        raise DatawardError("the incident is closed", incident.ref, "reopen it first")


def notify(
    ws: Workspace, ref: str, rule: str, client: str, *, at: datetime | None = None,
    note: str = "", not_required: bool = False,
) -> str:  # fmt: skip
    """Record that a clock's audience was told (or that telling it is not required).

    Returns the clock's state after the record: met, met late or not required.
    """
    incident = scope.get(ws, ref, Action.VIEW)
    target = scope.client_of(ws, client, Action.TRIAGE)
    if not_required and not note.strip():
        raise DatawardError(
            "say why no notification is required", "--note", "e.g. data was encrypted"
        )
    with transaction.atomic():
        incident = store.lock(incident)  # the clock is judged as the last change left it
        clock = _clock(incident, target, rule)
        when = at or ws.clock()
        if when < incident.detected_at or when > ws.clock():
            raise DatawardError(
                "the notification time must lie between awareness and now", "--at", "fix it"
            )
        before = clock.as_state()
        clock.decision = NOT_REQUIRED if not_required else "notified"
        clock.notified_at = None if not_required else when
        clock.notified_by, clock.note = ws.actor.name, note.strip()
        clock.save()
        state = clock_state(
            clock.due_at, store.soon_of(clock), clock.notified_at, clock.decision, ws.clock()
        )
        what = "not required" if not_required else f"{clock.audience} notified {stamp(when)}"
        store.entry(
            ws,
            incident,
            "notify",
            f"{rule}: {what} ({state})" + (f"; {note.strip()}" if note.strip() else ""),
            target,
        )
        store.record(
            ws,
            "incident.notify",
            incident,
            target,
            before,
            clock.as_state(),
            rule=rule,
            state=state,
        )
    return state


def intake(
    ws: Workspace, *, title: str, severity: str, clients: Sequence[str] = (),
    categories: Sequence[str] = (), records: str | int | None = None,
    personal_data: bool | None = None, detected_at: str = "", occurred_at: str = "",
    description: str = "", handler: str = "", playbooks: Sequence[str] = (),
) -> Incident:  # fmt: skip
    """Report an incident from a form: times as text (UTC unless an offset), playbooks by name.

    Categories and records apply to each client given without its own (as the CLI's
    --category and --records do). Only playbooks in force are accepted, never a file path.
    """
    now = ws.clock()
    detected = parse_instant(detected_at, "detected at", now=now) if detected_at.strip() else None
    occurred = parse_instant(occurred_at, "occurred at", now=now) if occurred_at.strip() else None
    known = library.playbooks(ws)
    if any(p not in known for p in playbooks):
        raise DatawardError(
            "no playbook of that name in force", "playbooks", f"use {', '.join(known)}"
        )
    if len(handler.strip()) > 254:
        raise DatawardError("the handler is too long", "handler", "use up to 254 characters")
    count = _records(str(records).strip() if records is not None else "", "records")
    cats = tuple(c.strip().upper() for c in categories if c.strip())
    specs = []
    for value in (c.strip() for c in clients if c.strip()):
        parts = value.split(":")
        if len(parts) == 3:  # SLUG:CATEGORIES:RECORDS; parse_impact takes any Unicode digit
            _records(parts[2].strip(), "client")
        spec = parse_impact(value, "client")
        in_view(ws, spec.client)
        chosen = spec.categories or cats
        parse_impact(f"{spec.client}:{','.join(chosen)}", "data categories")  # validates names
        specs.append(
            ImpactSpec(spec.client, chosen, count if spec.records is None else spec.records)
        )
    return report(
        ws, title=title, severity=severity.strip().lower(), impacts=specs, detected_at=detected,
        occurred_at=occurred, description=description, handler=handler, playbooks=list(playbooks),
        personal_data=personal_data,
    )  # fmt: skip


MAX_RECORDS = 2**31 - 1  # what the database's integer column holds


def _records(text: str, where: str) -> int | None:
    """Return a record count typed as text (None when empty); digits 0-9 only, within range."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_RECORDS:
        raise DatawardError(
            "records must be a whole number", where, "use digits 0-9; leave it empty if unknown"
        )
    return int(text)


def in_view(ws: Workspace, slug: str) -> str:
    """Return the slug when the user may see that client; else the error an unknown slug gets.

    Keeps a client-scoped user from telling another client's slug (refused) from a made-up
    one (unknown): both get this same line, so form fields reveal no other client.
    """
    if not may(ws.actor, Action.VIEW, slug.strip()):
        raise DatawardError("no such client in your scope", "client", "pick one of your clients")
    return slug.strip()
