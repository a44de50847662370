"""Store what the readers read: each import replaces its kind in one audited transaction."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.db import transaction

from dataward.core import audit
from dataward.core.bulk import insert_rows
from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.training.engine.policy import as_dict
from dataward.training.engine.types import Completion as CompletionRow
from dataward.training.engine.types import PhishingResult as PhishingRow
from dataward.training.engine.types import Policy
from dataward.training.models import (
    Completion,
    Course,
    PhishingResult,
    Requirement,
    TrainingImport,
    TrainingSettings,
)

BATCH = 5000
COMPLETION_FIELDS = ("employee_id", "email", "course", "completed_on", "due_on", "score", "row")
PHISHING_FIELDS = ("employee_id", "email", "campaign", "sent_on", "clicked", "reported", "row")


def digest(path: Path) -> str:
    """Return the sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _run(
    ws: Workspace,
    op: Client,
    kind: str,
    source: tuple[str, str],
    counts: dict[str, int],
    unchanged: bool,
    states: tuple[dict[str, Any] | None, dict[str, Any] | None] = (None, None),
) -> dict[str, Any]:
    """Record the import (``source``: location and sha256) and its audit event."""
    location, sha = source
    TrainingImport.objects.create(
        client=op, kind=kind, location=location, sha256=sha, counts=counts,
        imported_at=ws.clock(), actor=ws.actor.name,
    )  # fmt: skip
    detail = {"kind": kind, "location": location, "sha256": sha, "unchanged": unchanged, **counts}
    action = "training.requirements.load" if kind == "requirements" else f"training.import.{kind}"
    audit.record(ws, action, None, "training_import", kind, *states, detail=detail)
    return {"kind": kind, "unchanged": unchanged, **counts}


def _replace(
    ws: Workspace,
    kind: str,
    model: type[Completion] | type[PhishingResult],
    fields: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    source: tuple[str, str],
) -> dict[str, Any]:
    """Make ``rows`` the operation's stored rows of one kind; leave them be when they are equal.

    Unchanged means the same rows in the same order, whatever the file's bytes (another
    ``--map`` of the same file is a change; a re-saved file with the same rows is not).
    """
    op = ensure_operation(ws)
    ws.require(Action.IMPORT, None)
    with transaction.atomic():
        current = model.objects.for_client(op)
        stored = list(current.order_by("id").values_list(*fields))
        unchanged = stored == rows
        if not unchanged:
            current.delete()
            values = ((op.pk, *r) for r in rows)
            insert_rows(model, ("client", *fields), values, BATCH)
        counts = {"rows": len(rows), "replaced": 0 if unchanged else len(stored)}
        return _run(ws, op, kind, source, counts, unchanged)


def import_completions(
    ws: Workspace, rows: tuple[CompletionRow, ...], location: str, sha: str
) -> dict[str, Any]:
    """Replace the operation's LMS completions with these."""
    values = [
        (c.employee_id, c.email, c.course, c.completed_on, c.due_on, c.score, c.row) for c in rows
    ]
    return _replace(ws, "completions", Completion, COMPLETION_FIELDS, values, (location, sha))


def import_phishing(
    ws: Workspace, rows: tuple[PhishingRow, ...], location: str, sha: str
) -> dict[str, Any]:
    """Replace the operation's phishing-simulation results with these."""
    values = [
        (r.employee_id, r.email, r.campaign, r.sent_on, r.clicked, r.reported, r.row) for r in rows
    ]
    return _replace(ws, "phishing", PhishingResult, PHISHING_FIELDS, values, (location, sha))


def stored_policy(op: Client) -> dict[str, Any] | None:
    """Return the stored requirements as the file's plain shape (for audit before/after)."""
    from dataward.training import readers

    policy = readers.policy(op, None)
    return as_dict(policy) if policy else None


def save_policy(ws: Workspace, policy: Policy, location: str, sha: str) -> dict[str, Any]:
    """Replace the courses, requirements and settings with this policy, audited."""
    op = ensure_operation(ws)
    ws.require(Action.IMPORT, None)
    clients = {c.slug: c for c in Client.objects.filter(kind="client")}
    for slug in sorted({r.client for r in policy.requirements if r.client}):
        ws.require(Action.IMPORT, slug)
    with transaction.atomic():
        before = stored_policy(op)
        Course.objects.for_client(op).delete()
        Requirement.objects.for_clients([op, *clients.values()]).delete()
        TrainingSettings.objects.for_client(op).delete()
        Course.objects.bulk_create(
            Course(client=op, code=c.code, title=c.title, aliases=list(c.aliases))
            for c in policy.courses
        )
        Requirement.objects.bulk_create(
            Requirement(
                client=clients[r.client] if r.client else op,
                course_code=r.course,
                roles=list(r.roles),
                every_days=r.every_days,
                within_days=r.within_days,
                after=r.after,
                before_access=r.before_access,
                position=n,
            )  # fmt: skip
            for n, r in enumerate(policy.requirements, start=1)
        )
        p = policy.phishing
        TrainingSettings.objects.create(
            client=op, due_soon_days=policy.due_soon_days, joiner_days=policy.joiner_days,
            phishing_threshold=p.click_rate_threshold, phishing_min_sample=p.min_sample,
            phishing_team=p.team, phishing_window_days=p.window_days, location=location,
            sha256=sha, loaded_at=ws.clock(),
        )  # fmt: skip
        after = as_dict(policy)
        counts = {"courses": len(policy.courses), "requirements": len(policy.requirements)}
        source = (location, sha)
        return _run(ws, op, "requirements", source, counts, before == after, (before, after))
