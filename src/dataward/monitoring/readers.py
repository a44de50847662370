"""Give the monitoring checks their data, and `dataward remind` the triage deadlines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from dataward.core.clients import ensure_operation, visible
from dataward.core.engine.obligations import Obligation
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.monitoring import settings
from dataward.monitoring.engine.judge import AlertFact, Monitoring, SourceFact
from dataward.monitoring.models import Alert, LogEvent, LogSource


def monitoring(ws: Workspace, client: Client) -> Monitoring:
    """Return the alerts, sources, event count and systems of one scope."""
    conf = settings.load(ws.paths.root)
    now = ws.clock()
    since = now - timedelta(days=conf.lookback_days)
    op = ensure_operation(ws)
    owners = [client] if client.is_operation else [client, op]
    rows = list(LogSource.objects.for_clients(owners).order_by("name"))
    facts = {
        s.pk: SourceFact(s.name, tuple(s.systems), s.expected_hours, s.last_event_at) for s in rows
    }
    return Monitoring(
        alerts=tuple(_fact(a) for a in Alert.objects.for_client(client).order_by("id")),
        sources=tuple(facts[s.pk] for s in rows if s.client_id == client.pk),
        covering=tuple(facts.values()),
        events=LogEvent.objects.for_client(client).filter(ts__gte=since).count(),
        systems=_systems(client),
        sla_hours=conf.sla_hours,
        lookback_days=conf.lookback_days,
        now=now,
    )


def _fact(a: Alert) -> AlertFact:
    """Return an alert as plain data."""
    return AlertFact(
        a.ref,
        a.rule,
        a.title,
        a.level,
        a.subject,
        a.state,
        a.summary,
        a.first_seen,
        a.last_seen,
        a.created_at,
        a.triaged_at,
        a.event_count,
        a.incident_ref,
    )


def _systems(client: Client) -> tuple[str, ...]:
    """Return the client's systems as the access package knows them (entitlement imports)."""
    if client.is_operation:
        return ()
    from dataward.access.models import Entitlement

    rows = Entitlement.objects.for_client(client).values_list("system", flat=True).distinct()
    return tuple(sorted({r.lower() for r in rows}))


def obligations(ws: Workspace, today: date) -> Iterator[Obligation]:
    """Yield each new alert's triage deadline, owed by its assignee (else the security lead)."""
    conf = settings.load(ws.paths.root)
    scope = [ensure_operation(ws)] if ws.actor.clients is None else []
    scope += visible(ws)
    for a in Alert.objects.for_clients(scope).filter(state="new").select_related("client"):
        due_at: datetime = a.created_at + timedelta(hours=conf.sla_hours.get(a.level, 72))
        yield Obligation(
            kind="alert triage",
            ref=a.ref,
            title=f"triage {a.level} alert: {a.title}",
            owner=a.assignee or "security lead",
            due=due_at.date(),
            client=None if a.client.is_operation else a.client.slug,
            due_at=due_at,
        )
