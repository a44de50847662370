"""What the training commands (and later the web pages) call: imports, listings, duties."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from dataward.core.clients import ensure_operation, get
from dataward.core.engine.obligations import Obligation
from dataward.core.engine.permissions import Action, may
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.training import readers, store
from dataward.training.engine import phishing as ph
from dataward.training.engine.status import OVERDUE, CompletionIndex, statuses
from dataward.training.engine.types import role_key

KINDS = ("completions", "phishing")
IMPORT_COLUMNS = ["kind", "rows", "replaced", "unchanged"]
REQUIREMENT_COLUMNS = [
    "course", "title", "client", "roles", "every_days", "within_days", "after", "before_access",
]  # fmt: skip
STATUS_COLUMNS = [
    "employee_id", "name", "job_role", "client", "course", "title", "state", "due", "days",
    "last_completed",
]  # fmt: skip
PHISHING_COLUMNS = [
    "campaign", "team", "people", "sent", "clicked", "reported", "click_rate", "report_rate",
    "verdict",
]  # fmt: skip
ALL_CAMPAIGNS = "all campaigns"


def run_import(
    ws: Workspace, kind: str, path: Path, mapping: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Read an LMS export and replace the stored rows of its kind; return the summary row."""
    from dataward.training.engine.lms import read_completions, read_phishing

    if kind not in KINDS:
        raise DatawardError(f"no import kind {kind!r}", "import", f"use {' or '.join(KINDS)}")
    ws.require(Action.IMPORT, None)
    today = ws.clock().date()
    sha = store.digest(path) if path.is_file() else ""
    if kind == "completions":
        rows = read_completions(path, mapping, today)
        row = store.import_completions(ws, rows, str(path), sha)
        row["notes"] = _completion_notes(ws, rows)
        return row
    results = read_phishing(path, mapping, today)
    row = store.import_phishing(ws, results, str(path), sha)
    people = roster(ws)
    unknown = sum(t.sent for t in ph.rates(people, results) if t.team == ph.NOT_ON_ROSTER)
    row["notes"] = (
        [f"{unknown} rows name people not on the HR roster; no team is judged on them"]
        if people and unknown
        else []
    )
    return row


def imported(ws: Workspace, kind: str) -> bool:
    """Return whether an import of this kind (completions, phishing) ever ran."""
    return readers.imported(ensure_operation(ws), kind)


def roster(ws: Workspace) -> tuple[Any, ...]:
    """Return the HR roster the access package imported."""
    from dataward.access.readers import people

    return people(ensure_operation(ws))


def _completion_notes(ws: Workspace, rows: tuple[Any, ...]) -> list[str]:
    """Return notes on rows that match no person on the roster or no declared course."""
    op = ensure_operation(ws)
    policy = readers.policy(op, None)
    people = roster(ws)
    if policy is None or not people:
        return []
    index = CompletionIndex(people, rows, policy)
    notes = []
    if index.unknown_people:
        notes.append(f"{index.unknown_people} rows name people not on the HR roster")
    if index.unknown_courses:
        notes.append(f"{index.unknown_courses} rows name courses the requirements do not declare")
    return notes


def load_requirements(ws: Workspace, path: Path) -> dict[str, Any]:
    """Validate a requirements YAML file and make it the one in force."""
    from dataward.training.engine.policy import load_policy

    ws.require(Action.IMPORT, None)
    slugs = set(Client.objects.filter(kind="client").values_list("slug", flat=True))
    policy = load_policy(path, slugs)
    row = store.save_policy(ws, policy, str(path), store.digest(path))
    held = {role_key(p.job_role) for p in roster(ws)}
    named = dict.fromkeys(r for req in policy.requirements for r in req.roles)
    row["notes"] = [
        f"roles names {r!r}, which no one on the HR roster holds: the requirement binds nobody "
        "in that role; check the spelling"
        for r in named
        if held and role_key(r) not in held
    ]
    return row


def requirement_rows(ws: Workspace, slug: str | None) -> tuple[list[dict[str, Any]], str]:
    """Return the requirements in force (one client's and the workforce-wide ones) and settings."""
    op = ensure_operation(ws)
    client = get(ws, slug) if slug else None
    if client is None:
        ws.require(Action.VIEW, None)
    policy = readers.policy(op, client)
    if policy is None:
        return [], ""
    rows = [
        {
            "course": r.course, "title": policy.course(r.course).title,
            "client": r.client or "(everyone)", "roles": list(r.roles) or ["(every role)"],
            "every_days": r.every_days or "once", "within_days": r.within_days,
            "after": r.after, "before_access": r.before_access,
        }
        for r in policy.requirements
    ]  # fmt: skip
    p = policy.phishing
    settings = (
        f"due soon within {policy.due_soon_days} days; joiners started within "
        f"{policy.joiner_days} days; phishing: a team fails above {p.click_rate_threshold:g}% "
        f"clicked, judged from {p.min_sample} simulated emails in the last {p.window_days} days, "
        f"teams by {p.team}"
    )
    return rows, settings


def status_rows(ws: Workspace, slug: str | None, overdue: bool = False) -> list[dict[str, Any]]:
    """Return each person's status per required course (of one client, or everyone's)."""
    op = ensure_operation(ws)
    client = get(ws, slug) if slug else None
    if client is None:
        ws.require(Action.VIEW, None)
    policy = readers.policy(op, client)
    if policy is None:
        raise DatawardError(
            "no training requirements loaded", "training status",
            "run dataward training requirements load FILE",
        )  # fmt: skip
    people = roster(ws)
    today = ws.clock().date()
    index = CompletionIndex(people, readers.completions(op), policy)
    rows = []
    for s in statuses(people, policy, index, today, slug):
        if overdue and s.state != OVERDUE:
            continue
        rows.append(
            {
                "employee_id": s.person.employee_id, "name": s.person.name,
                "job_role": s.person.job_role, "client": s.client or "(everyone)",
                "course": s.course, "title": s.title, "state": s.state, "due": s.due,
                "days": s.days(today), "last_completed": s.last_completed,
            }
        )  # fmt: skip
    return rows


def phishing_rows(ws: Workspace, team: str | None = None) -> list[dict[str, Any]]:
    """Return click rates per campaign and team, then per team over the judging window."""
    from dataward.training.engine.types import PhishingPolicy

    op = ensure_operation(ws)
    ws.require(Action.VIEW, None)
    policy = readers.policy(op, op)
    judging = policy.phishing if policy else PhishingPolicy()
    by = team or judging.team
    people = roster(ws)
    results = readers.phishing(op)
    today = ws.clock().date()
    rows = [_rate_row(r, r.campaign, "") for r in ph.rates(people, results, by, per_campaign=True)]
    window = ph.in_window(results, today, judging.window_days)
    label = f"{ALL_CAMPAIGNS} (last {judging.window_days} days)"
    for r in ph.rates(people, window, by):
        verdict = (
            "too few to judge"
            if not r.judged(judging)
            else ("above threshold" if r.over(judging) else "within threshold")
        )
        rows.append(_rate_row(r, label, verdict))
    return rows


def _rate_row(r: ph.TeamRate, campaign: str, verdict: str) -> dict[str, Any]:
    """Return one listing row of a team's rate."""
    return {
        "campaign": campaign, "team": r.team, "people": r.people, "sent": r.sent,
        "clicked": r.clicked, "reported": r.reported, "click_rate": r.rate,
        "report_rate": r.report_rate, "verdict": verdict,
    }  # fmt: skip


def obligations(ws: Workspace, today: date) -> list[Obligation]:
    """Return every required course's due date as a duty of the person's manager (or theirs).

    Workforce-wide courses are the operation's (seen by unscoped users); a client's courses are
    that client's (seen by users who may view it). Leavers and people on leave owe nothing.
    """
    op = ensure_operation(ws)
    policy = readers.policy(op, None)
    if policy is None:
        return []
    people = roster(ws)
    email = {p.employee_id.lower(): p.email for p in people}
    index = CompletionIndex(people, readers.completions(op), policy)
    out = []
    for s in statuses(people, policy, index, today):
        if s.person.status != "active" or not may(ws.actor, Action.VIEW, s.client):
            continue
        due = s.due or (today if s.state == OVERDUE else None)  # never done, no start date
        if due is None:
            continue  # a one-off course completed: nothing more is owed
        p = s.person
        owner = email.get(p.manager_id.lower(), "") if p.manager_id else ""
        out.append(
            Obligation(
                kind="training",
                ref=f"{p.employee_id}/{s.course}",
                title=f"{p.name} ({p.employee_id}) to complete {s.title}",
                owner=owner or p.email or p.employee_id,
                due=due,
                client=s.client,
            )
        )
    return out


_REUSED: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
_REUSED_LOCK = threading.Lock()
REUSED_VIEWS = 2  # about 45 MB each for 50,000 people


def status_rows_reused(ws: Workspace, slug: str | None) -> list[dict[str, Any]]:
    """Return ``status_rows(ws, slug)``, recomputed only after a change or on a new day.

    For the web pages, which page, filter and sort 100,000 rows at every click. Every change
    moves the audit trail's head, so the head keys the kept copy. Do not modify the rows.
    """
    from dataward.core.models import AuditHead

    if slug:
        get(ws, slug)  # exists and may be viewed, checked on every call
    else:
        ws.require(Action.VIEW, None)
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    key = (str(ws.paths.root), ws.config.database_url, slug, ws.clock().date(), head)
    with _REUSED_LOCK:
        rows = _REUSED.get(key)
    if rows is None:
        rows = status_rows(ws, slug)
        with _REUSED_LOCK:
            while len(_REUSED) >= REUSED_VIEWS:
                _REUSED.pop(next(iter(_REUSED)))
            _REUSED[key] = rows
    return rows


def course_counts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return per course of status rows: people, how many in each state, never completed.

    Keys are the states with underscores (``due_soon``), so templates can name them.
    """
    from dataward.training.engine.status import STATES

    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        c = out.setdefault(
            r["course"],
            {"course": r["course"], "title": r["title"], "people": 0, "never_completed": 0}
            | {s.replace(" ", "_"): 0 for s in STATES},
        )
        c["people"] += 1
        c[r["state"].replace(" ", "_")] += 1
        c["never_completed"] += r["last_completed"] is None
    return sorted(out.values(), key=lambda c: c["course"])
