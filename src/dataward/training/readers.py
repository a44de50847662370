"""Read training records from the store as engine records, for the checks and the commands."""

from __future__ import annotations

from dataward.core.clients import ensure_operation
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.training.engine.types import (
    Completion,
    Course,
    Holding,
    PhishingPolicy,
    PhishingResult,
    Policy,
    Requirement,
    TrainingData,
)
from dataward.training.models import Completion as CompletionRecord
from dataward.training.models import Course as CourseRecord
from dataward.training.models import PhishingResult as PhishingRecord
from dataward.training.models import Requirement as RequirementRecord
from dataward.training.models import TrainingImport, TrainingSettings

COMPLETION_FIELDS = ("course", "employee_id", "email", "completed_on", "due_on", "score", "row")
PHISHING_FIELDS = ("campaign", "employee_id", "email", "sent_on", "clicked", "reported", "row")


def policy(op: Client, client: Client | None) -> Policy | None:
    """Return the requirements in force: workforce-wide plus one client's (None: every client's).

    None when no requirements file was loaded.
    """
    settings = TrainingSettings.objects.for_client(op).first()
    if settings is None:
        return None
    owners = [op, client] if client is not None else list(Client.objects.all())
    slugs = {c.pk: c.slug for c in owners}
    courses = tuple(
        Course(c.code, c.title, tuple(c.aliases))
        for c in CourseRecord.objects.for_client(op).order_by("id")
    )
    requirements = tuple(
        Requirement(
            course=r.course_code,
            client=None if r.client_id == op.pk else slugs[r.client_id],
            roles=tuple(r.roles),
            every_days=r.every_days,
            within_days=r.within_days,
            after=r.after,
            before_access=r.before_access,
        )
        for r in RequirementRecord.objects.for_clients(owners).order_by("position", "id")
    )
    phishing = PhishingPolicy(
        settings.phishing_threshold,
        settings.phishing_min_sample,
        settings.phishing_team,
        settings.phishing_window_days,
    )
    return Policy(courses, requirements, phishing, settings.due_soon_days, settings.joiner_days)


def completions(op: Client) -> tuple[Completion, ...]:
    """Return the imported LMS completions."""
    rows = CompletionRecord.objects.for_client(op).order_by("id").values_list(*COMPLETION_FIELDS)
    return tuple(Completion(*r) for r in rows.iterator(chunk_size=20000))


def phishing(op: Client) -> tuple[PhishingResult, ...]:
    """Return the imported phishing-simulation results."""
    rows = PhishingRecord.objects.for_client(op).order_by("id").values_list(*PHISHING_FIELDS)
    return tuple(PhishingResult(*r) for r in rows.iterator(chunk_size=20000))


def imported(op: Client, kind: str) -> bool:
    """Return whether an import of this kind ever ran."""
    return TrainingImport.objects.for_client(op).filter(kind=kind).exists()


def data(ws: Workspace, client: Client) -> TrainingData:
    """Return everything the training rules read for one client (or the operation)."""
    from dataward.access.readers import people

    op = ensure_operation(ws)
    scoped = None if client.is_operation else client
    return TrainingData(
        client=scoped.slug if scoped else None,
        today=ws.clock().date(),
        people=people(op),
        policy=policy(op, scoped) if scoped else policy(op, op),
        completions=completions(op),
        phishing=phishing(op) if client.is_operation else (),
        completions_imported=imported(op, "completions"),
        phishing_imported=imported(op, "phishing"),
    )


def client_access(ws: Workspace, client: Client) -> tuple[Holding, ...] | None:
    """Return who holds what on the client's systems, or None when nothing was imported.

    Entitlement accounts resolve to employee ids as the access rules resolve them (directory
    account by employee id, email or confirmed link).
    """
    from dataward.access.engine.context import Context
    from dataward.access.models import Entitlement
    from dataward.access.readers import load

    if client.is_operation or not Entitlement.objects.for_client(client).exists():
        return None
    ctx = Context(load(ws, client))
    return tuple(
        Holding(eid, g.system, g.entitlement.account, g.entitlement.permission,
                g.entitlement.granted_date)
        for g, eid in ctx.held
        if eid
    )  # fmt: skip
