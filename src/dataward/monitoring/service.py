"""What the CLI (and later the web) calls: log sources, running the rules, triaging alerts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from dataward.core import audit
from dataward.core.clients import visible
from dataward.core.engine.permissions import Action, may
from dataward.core.models import AuditEvent, Client, User
from dataward.core.users import to_principal
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.monitoring import detection, settings, store
from dataward.monitoring.engine import ingest as parse
from dataward.monitoring.engine.rules import PACK, RuleSet, load, rule_files
from dataward.monitoring.models import STATES, Alert, LogEvent, LogSource

#: Which states an alert may move to from each state.
MOVES = {
    "new": ("investigating", "false_positive", "escalated", "resolved"),
    "investigating": ("false_positive", "escalated", "resolved", "new"),
    "false_positive": ("investigating",),
    "resolved": ("investigating",),
    "escalated": (),
}
LEVEL_TO_SEVERITY = {
    "informational": "low",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "critical": "critical",
}


def ruleset(ws: Workspace, extra: Sequence[Path] = ()) -> RuleSet:
    """Return the shipped pack plus the workspace's rule folders and any extra files."""
    conf = settings.load(ws.paths.root)
    return load(rule_files([PACK, *conf.rule_folders, *extra]))


def mapping_spec(mapping: str) -> str:
    """Return how a source remembers its mapping: a shipped name, or a file's absolute path."""
    path = Path(mapping)
    return str(path.resolve()) if path.is_file() else mapping


def add_source(
    ws: Workspace,
    name: str,
    *,
    client: str | None,
    mapping: str,
    systems: Sequence[str] = (),
    expected_hours: int | None = None,
    retention_days: int | None = None,
) -> LogSource:
    """Declare a log source (or update one): mapping, systems covered, expected cadence."""
    owner = store.operation_or(ws, client)
    ws.require(Action.IMPORT, None if owner.is_operation else owner.slug)
    name = name.strip()
    if not name or len(name) > 100:
        raise DatawardError("a source needs a name of 1-100 characters", "--source", "name it")
    for value, option in ((expected_hours, "--expect-every"), (retention_days, "--retention-days")):
        if value is not None and value <= 0:
            raise DatawardError("must be a whole number above 0", option, "fix it")
    spec = parse.load_mapping(mapping)
    with transaction.atomic():
        found = LogSource.objects.unscoped("source names are unique").filter(name=name).first()
        if found is not None and found.client_id != owner.pk:
            whose = found.client.slug if _may(ws, Action.VIEW, _slug(found)) else "someone else"
            raise DatawardError(
                f"source {name!r} belongs to {whose}", "--source", "pick another name"
            )
        before = _state(found) if found else None
        source = found or LogSource(
            client=owner, name=name, created_at=ws.clock(), created_by=ws.actor.name
        )
        source.mapping = mapping_spec(mapping)
        source.product = spec.product or ""
        source.service = spec.service or ""
        source.systems = sorted({s.strip().lower() for s in systems if s.strip()}) or (
            source.systems if found else []
        )
        if expected_hours is not None:
            source.expected_hours = expected_hours
        if retention_days is not None:
            source.retention_days = retention_days
        source.save()
        audit.record(
            ws,
            "logs.source",
            None if owner.is_operation else owner.slug,
            "log_source",
            name,
            before=before,
            after=_state(source),
        )
    return source


def _state(source: LogSource) -> dict[str, object]:
    """Return a source's settings for the audit trail."""
    return {
        "mapping": source.mapping,
        "systems": source.systems,
        "expected_hours": source.expected_hours,
        "retention_days": source.retention_days,
    }


def sources(ws: Workspace) -> list[LogSource]:
    """Return the sources the acting user may see."""
    allowed = [c.pk for c in visible(ws)]
    rows = LogSource.objects.unscoped("filtered to the user's clients below").select_related(
        "client"
    )
    out = []
    for s in rows.order_by("name"):
        if s.client.is_operation and ws.actor.clients is None or s.client_id in allowed:
            out.append(s)
    return out


def prune(ws: Workspace) -> list[tuple[str, int]]:
    """Apply each source's retention to the sources the user may import into (deletes events)."""
    seen = sources(ws)
    mine = [s for s in seen if _may(ws, Action.IMPORT, _slug(s))]
    if seen and not mine:
        ws.require(Action.IMPORT, _slug(seen[0]))
    return [(s.name, store.prune(ws, s)) for s in mine]


def _slug(found: LogSource) -> str | None:
    """Return the slug permissions name a source's client by (None: the operation)."""
    return None if found.client.is_operation else found.client.slug


def source(ws: Workspace, name: str) -> LogSource:
    """Return one source the user may import into."""
    found: LogSource | None = (
        LogSource.objects.unscoped("looked up by unique name, scope checked below")
        .select_related("client")
        .filter(name=name)
        .first()
    )
    if found is None or not _may(ws, Action.VIEW, _slug(found)):  # others' names stay unknown
        raise DatawardError(
            f"no log source {name!r}", "--source", "declare it with `dataward logs sources add`"
        )
    ws.require(Action.IMPORT, _slug(found))
    return found


def detect(
    ws: Workspace, client: str | None, *, full: bool = False
) -> list[detection.DetectResult]:
    """Run the rules over new events of one client (or of every client the user may see)."""
    rules = ruleset(ws)
    targets = _targets(ws, client, Action.SCAN)
    return [detection.run(ws, c, rules, full=full) for c in targets]


def _targets(ws: Workspace, client: str | None, action: Action) -> list[Client]:
    """Return the named client, or the operation and every visible client."""
    if client is not None:
        found = store.operation_or(ws, client)
        ws.require(action, None if found.is_operation else found.slug)
        return [found]
    out = [c for c in visible(ws) if _may(ws, action, c.slug)]
    if ws.actor.clients is None:
        out.insert(0, store.operation_or(ws, None))
    return out


def _may(ws: Workspace, action: Action, slug: str | None) -> bool:
    """Return whether the acting user may take the action for the client."""
    from dataward.core.engine.permissions import may

    return may(ws.actor, action, slug)


def alert(ws: Workspace, ref: str, action: Action = Action.VIEW) -> Alert:
    """Return one alert the user may act on."""
    found: Alert | None = (
        Alert.objects.unscoped("looked up by unique ref, scope checked below")
        .select_related("client")
        .filter(ref=ref.strip().upper())
        .first()
    )
    if found is None or not _may(
        ws, Action.VIEW, None if found.client.is_operation else found.client.slug
    ):
        raise DatawardError(f"no alert {ref!r}", "alerts", "see `dataward alerts list`")
    ws.require(action, None if found.client.is_operation else found.client.slug)
    return found


def _locked(found: Alert) -> Alert:
    """Return the alert again, locked for update until the transaction ends."""
    locked: Alert = Alert.objects.for_client(found.client).select_for_update().get(pk=found.pk)
    return locked


def alerts(ws: Workspace, client: str | None, states: Sequence[str] = ()) -> list[Alert]:
    """Return the alerts of one client or every visible one, newest first."""
    unknown = [s for s in states if s not in STATES]
    if unknown:
        raise DatawardError(f"unknown state {unknown[0]!r}", "--state", f"use {', '.join(STATES)}")
    rows = Alert.objects.for_clients(_targets(ws, client, Action.VIEW)).select_related("client")
    if states:
        rows = rows.filter(state__in=states)
    return list(rows.order_by("-last_seen", "-id"))


def triage(
    ws: Workspace, ref: str, state: str, *, reason: str = "", assignee: str | None = None
) -> Alert:
    """Move an alert to a new state (a reason is required to close it) and record who did."""
    with transaction.atomic():
        found = alert(ws, ref, Action.TRIAGE)
        found = _locked(found)
        if state not in STATES:
            raise DatawardError(f"unknown state {state!r}", "state", f"use {', '.join(STATES)}")
        if state == "escalated":
            raise DatawardError(
                "escalate with `dataward alerts escalate`", found.ref, "it opens the incident"
            )
        if state != found.state and state not in MOVES[found.state]:
            raise DatawardError(
                f"cannot move from {found.state} to {state}",
                found.ref,
                f"allowed: {', '.join(MOVES[found.state]) or 'none'}",
            )
        if state in ("false_positive", "resolved") and not reason.strip():
            raise DatawardError("closing an alert needs a reason", "--reason", "say why")
        before = {"state": found.state, "assignee": found.assignee}
        found.state = state
        if assignee is not None:
            found.assignee = assignee.strip()
        if reason.strip():
            found.reason = reason.strip()
        if state != "new" and found.triaged_at is None:
            found.triaged_at = ws.clock()
        found.updated_at = ws.clock()
        found.save()
        _audit(ws, found, before, "alerts.triage")
    return found


def assign(ws: Workspace, ref: str, assignee: str) -> Alert:
    """Give an alert to someone to investigate."""
    with transaction.atomic():
        found = alert(ws, ref, Action.TRIAGE)
        before = {"state": found.state, "assignee": found.assignee}
        found.assignee = assignee.strip()
        found.updated_at = ws.clock()
        found.save(update_fields=["assignee", "updated_at"])
        _audit(ws, found, before, "alerts.assign")
    return found


def escalate(ws: Workspace, ref: str, *, title: str = "", severity: str = "") -> tuple[Alert, str]:
    """Open an incident for an alert (its client affected, detected when the alert was raised)."""
    from dataward.incidents.engine.register import ImpactSpec
    from dataward.incidents.service import report

    with transaction.atomic():
        found = alert(ws, ref, Action.TRIAGE)
        found = _locked(found)
        if found.state == "escalated":
            raise DatawardError(
                f"already escalated to {found.incident_ref}",
                found.ref,
                f"see `dataward incidents show {found.incident_ref}`",
            )
        if found.state not in MOVES or "escalated" not in MOVES[found.state]:
            raise DatawardError(
                f"a {found.state} alert cannot be escalated",
                found.ref,
                "reopen it first with `dataward alerts triage REF investigating`",
            )
        impacts = [] if found.client.is_operation else [ImpactSpec(found.client.slug)]
        incident = report(
            ws,
            title=title.strip() or f"{found.title} ({found.ref})",
            severity=severity or LEVEL_TO_SEVERITY.get(found.level, "medium"),
            impacts=impacts,
            detected_at=found.created_at,
            occurred_at=found.first_seen,
            description=f"Raised by rule {found.rule} as {found.ref}: {found.summary} "
            f"({found.event_count} events, {found.first_seen:%Y-%m-%d %H:%M} to "
            f"{found.last_seen:%Y-%m-%d %H:%M} UTC).",
        )
        before = {"state": found.state, "assignee": found.assignee}
        found.state = "escalated"
        found.incident_ref = incident.ref
        found.triaged_at = found.triaged_at or ws.clock()
        found.updated_at = ws.clock()
        found.save()
        _audit(ws, found, before, "alerts.escalate")
    return found, incident.ref


def _audit(ws: Workspace, found: Alert, before: dict[str, str], action: str) -> None:
    """Record an alert's change in the audit trail."""
    audit.record(
        ws,
        action,
        None if found.client.is_operation else found.client.slug,
        "alert",
        found.ref,
        before=before,
        after={
            "state": found.state,
            "assignee": found.assignee,
            "incident": found.incident_ref,
        },
        detail={"reason": found.reason} if found.reason else None,
    )


def alert_rows(ws: Workspace, client: str | None) -> QuerySet[Alert]:
    """Return the alerts of one client or every visible one, as a query (for tables)."""
    rows = Alert.objects.for_clients(_targets(ws, client, Action.VIEW))
    return rows.select_related("client")


def assignees(found: Alert) -> list[str]:
    """Return the active users who may triage this alert's client."""
    slug = None if found.client.is_operation else found.client.slug
    users = User.objects.filter(is_active=True).prefetch_related("clients").order_by("username")
    return [u.username for u in users if may(to_principal(u), Action.TRIAGE, slug)]


def assign_user(ws: Workspace, ref: str, username: str) -> Alert:
    """Give an alert to a dataward user who may triage its client (empty: nobody)."""
    found = alert(ws, ref, Action.TRIAGE)
    if username.strip() and username.strip() not in assignees(found):
        raise DatawardError(
            f"no active user of that name may triage {found.ref}",
            "assignee",
            "pick an active user with the triage right on its client",
        )
    return assign(ws, ref, username)


def alert_events(found: Alert) -> list[dict[str, Any]]:
    """Return the alert's evidence with what each stored event says (masked at ingest)."""
    ids = [e["event"] for e in found.evidence if isinstance(e.get("event"), int)]
    rows = LogEvent.objects.for_client(found.client).filter(pk__in=ids)
    stored = {r["pk"]: r for r in rows.values("pk", "category", "action", "user_name")}
    return [
        e | stored.get(e.get("event"), {"action": "(no longer stored)"}) for e in found.evidence
    ]


def alert_history(ws: Workspace, found: Alert) -> list[AuditEvent]:
    """Return the alert's audit events, when the user may read that client's audit trail."""
    slug = None if found.client.is_operation else found.client.slug
    if not _may(ws, Action.VIEW_AUDIT, slug):
        return []
    rows = audit.visible_events(ws, slug) if slug else audit.visible_events(ws).filter(client="")
    return list(rows.filter(object_type="alert", object_id=found.ref))


def triage_backlog(ws: Workspace, client: str | None = None) -> dict[str, dict[str, Any]]:
    """Return per client slug (and ``operation``) the alerts new or investigating, and oldest."""
    from django.db.models import Count, Min

    waiting = Alert.objects.for_clients(_targets(ws, client, Action.VIEW))
    counts = waiting.filter(state__in=("new", "investigating")).values_list("client__slug", "state")
    out: dict[str, dict[str, Any]] = {}
    for slug, state, n, oldest in counts.annotate(n=Count("id"), at=Min("created_at")).order_by():
        row = out.setdefault(slug, {"new": 0, "investigating": 0, "oldest": oldest})
        row[state], row["oldest"] = n, min(row["oldest"], oldest)
    return out
