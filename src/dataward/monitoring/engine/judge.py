"""Judge alerts, log sources and coverage for the monitoring checks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class AlertFact:
    """One alert as the checks see it."""

    ref: str
    rule: str
    title: str
    level: str
    subject: str
    state: str
    summary: str
    first_seen: datetime
    last_seen: datetime
    created_at: datetime
    triaged_at: datetime | None
    event_count: int
    incident_ref: str


@dataclass(frozen=True)
class SourceFact:
    """One log source as the checks see it."""

    name: str
    systems: tuple[str, ...]
    expected_hours: int | None
    last_event_at: datetime | None


@dataclass(frozen=True)
class Monitoring:
    """What the monitoring checks read for one scope (a client, or the operation)."""

    alerts: tuple[AlertFact, ...]
    sources: tuple[SourceFact, ...]  # owned by this scope: judged for silence
    covering: tuple[SourceFact, ...]  # this scope's and the operation's: judged for coverage
    events: int
    systems: tuple[str, ...]
    sla_hours: Mapping[str, int]
    lookback_days: int
    now: datetime


@dataclass(frozen=True)
class Verdict:
    """One check result before it becomes a registry Result."""

    status: str
    subject: str
    summary: str
    evidence: tuple[dict[str, Any], ...] = ()


def detections(data: Monitoring, rules: Sequence[str], what: str) -> Iterator[Verdict]:
    """Fail on each alert of the rules seen in the lookback window, unless a false positive."""
    if not data.events and not data.alerts:
        yield Verdict("not_applicable", "logs", "no log events of this scope are stored")
        return
    since = data.now - timedelta(days=data.lookback_days)
    hits = [
        a
        for a in data.alerts
        if a.rule in rules and a.last_seen >= since and a.state != "false_positive"
    ]
    for a in sorted(hits, key=lambda a: (a.first_seen, a.ref)):
        yield Verdict("fail", a.subject or a.ref, f"{a.ref} ({a.state}): {a.summary}", (_row(a),))
    if not hits:
        yield Verdict(
            "pass",
            "logs",
            f"no {what} in the last {data.lookback_days} days ({data.events} events stored)",
        )


def untriaged(data: Monitoring) -> Iterator[Verdict]:
    """Fail on each alert still new after its level's triage SLA."""
    waiting = [a for a in data.alerts if a.state == "new"]
    if not data.alerts:
        status = "pass" if data.events else "not_applicable"
        yield Verdict(status, "alerts", "no alerts raised" if data.events else "no logs stored")
        return
    late = []
    for a in waiting:
        limit = timedelta(hours=data.sla_hours.get(a.level, 72))
        age = data.now - a.created_at
        if age > limit:
            late.append(a)
            hours = int(age.total_seconds() // 3600)
            sla = int(limit.total_seconds() // 3600)
            summary = f"{a.level} alert untriaged for {hours} h (SLA {sla} h): {a.title}"
            yield Verdict("fail", a.ref, summary, (_row(a),))
    if not late:
        yield Verdict(
            "pass", "alerts", f"every alert triaged within its SLA ({len(waiting)} new, within SLA)"
        )


def silent(data: Monitoring) -> Iterator[Verdict]:
    """Fail on each expected source that sent nothing for longer than it should."""
    expected = [s for s in data.sources if s.expected_hours]
    if not expected:
        yield Verdict("not_applicable", "log sources", "no source declares how often it must send")
        return
    for s in expected:
        limit = timedelta(hours=s.expected_hours or 0)
        if s.last_event_at is None:
            yield Verdict(
                "fail", s.name, f"expected every {s.expected_hours} h, never sent an event"
            )
        elif data.now - s.last_event_at > limit:
            hours = int((data.now - s.last_event_at).total_seconds() // 3600)
            yield Verdict(
                "fail",
                s.name,
                f"silent for {hours} h (expected every {s.expected_hours} h)",
                ({"source": s.name, "last_event_at": s.last_event_at.isoformat()},),
            )
        else:
            yield Verdict("pass", s.name, f"last event {s.last_event_at:%Y-%m-%d %H:%M} UTC")


def coverage(data: Monitoring) -> Iterator[Verdict]:
    """Fail on each client system no log source covers."""
    if not data.systems:
        yield Verdict("not_applicable", "systems", "no client systems known (import entitlements)")
        return
    covered = {s for src in data.covering for s in src.systems}
    for system in data.systems:
        if system in covered:
            names = sorted(src.name for src in data.covering if system in src.systems)
            yield Verdict("pass", system, f"logged by {', '.join(names)}")
        else:
            yield Verdict(
                "fail",
                system,
                "no log source covers this system",
                ({"system": system, "sources": sorted(src.name for src in data.covering)},),
            )


def _row(a: AlertFact) -> dict[str, Any]:
    """Return an alert's evidence row."""
    return {
        "alert": a.ref,
        "rule": a.rule,
        "level": a.level,
        "state": a.state,
        "events": a.event_count,
        "first_seen": a.first_seen.isoformat(),
        "last_seen": a.last_seen.isoformat(),
        "incident": a.incident_ref,
    }
