"""Put playbook checklists on incidents and tick their tasks off, each step audited."""

from __future__ import annotations

from django.db import transaction

from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.incidents import library, scope, store
from dataward.incidents.engine.workflow import CLOSED
from dataward.incidents.models import IncidentTask


def apply_playbook(ws: Workspace, ref: str, name_or_file: str) -> int:
    """Put a playbook's task checklist on the incident; return the number of tasks added."""
    incident = scope.get(ws, ref, Action.TRIAGE)
    book = library.playbook(ws, name_or_file)
    with transaction.atomic():
        incident = store.lock(incident)  # two playbooks at once must not share task numbers
        scope.require_all(ws, incident, Action.TRIAGE)
        if incident.status == CLOSED:
            raise DatawardError("the incident is closed", incident.ref, "reopen it first")
        if book.name in incident.playbooks:
            raise DatawardError(
                f"playbook {book.name} is already on {incident.ref}",
                "PLAYBOOK",
                "see its tasks with show",
            )
        return store.add_tasks(ws, incident, book)


def finish_task(
    ws: Workspace, ref: str, number: int, *, skip: bool = False, note: str = ""
) -> None:
    """Mark a task done (or skipped, with a reason)."""
    incident = scope.get(ws, ref, Action.TRIAGE)
    if skip and not note.strip():
        raise DatawardError("say why the task is skipped", "--note", "e.g. no device was involved")
    with transaction.atomic():
        incident = store.lock(incident)
        scope.require_all(ws, incident, Action.TRIAGE)
        rows = IncidentTask.objects.for_client(ensure_operation(ws))
        task = rows.filter(incident=incident, number=number).first()
        if task is None:
            raise DatawardError(
                f"{incident.ref} has no task {number}", "N", "see the tasks with show"
            )
        if task.outcome:
            raise DatawardError(
                f"task {number} is already {task.outcome}", incident.ref, "nothing to do"
            )
        task.outcome = "skipped" if skip else "done"
        task.done_at, task.done_by, task.note = ws.clock(), ws.actor.name, note.strip()
        task.save()
        store.entry(
            ws,
            incident,
            "task",
            f"task {number} {task.outcome}: {task.text}" + (f" ({task.note})" if task.note else ""),
        )
        store.record(ws, f"incident.task.{task.outcome}", incident, None, None, None, task=number)
