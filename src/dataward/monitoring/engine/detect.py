"""Run compiled rules over events and turn matches into alert episodes.

Events reach a rule only when its logsource fits: a rule's ``category`` must be one of the event's
``event.category`` values, and its ``product``/``service`` those of the log source. Matches are
grouped by the rule's dedup fields; matches of one group closer together than the rule's dedup
window form one episode, which becomes (or extends) one alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dataward.monitoring.engine.enrich import ENRICHED_FIELDS, Enricher
from dataward.monitoring.engine.rules import Correlation, Rule

#: The logsource product of rules over any normalised source (they read dataward.* fields);
#: service ``client-access`` narrows them to events of a client, not of the operation itself.
DATAWARD = "dataward"
CLIENT_ACCESS = "client-access"
#: Evidence kept per alert: the first events (source, line, time), never more.
EVIDENCE = 20


@dataclass(frozen=True)
class StoredEvent:
    """One stored event as the evaluator sees it."""

    id: int
    ts: datetime
    client: str
    source: str
    product: str | None
    service: str | None
    line: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class Match:
    """One event matching one rule."""

    rule: str
    client: str
    event: int
    ts: datetime
    group: tuple[str, ...]
    source: str
    line: int
    value: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    via: str = ""


@dataclass
class Episode:
    """Matches of one rule and group close together in time: one alert's worth."""

    rule: str
    client: str
    group: tuple[str, ...]
    first: datetime
    last: datetime
    count: int
    events: list[int]
    evidence: list[dict[str, Any]]
    values: dict[str, Any]


class Evaluator:
    """Evaluate a rule set over events; collect matches per rule."""

    def __init__(
        self, rules: list[Rule], enricher: Enricher, correlations: Iterable[Correlation] = ()
    ) -> None:
        self.rules = rules
        self.enricher = enricher
        self.feeds: dict[str, list[Correlation]] = {}
        for corr in correlations:
            for key in corr.rules:
                self.feeds.setdefault(key, []).append(corr)
        self.wanted = set().union(*(r.fields for r in rules)) & ENRICHED_FIELDS if rules else set()
        self.by_category: dict[str | None, list[Rule]] = {}
        for rule in rules:
            self.by_category.setdefault(rule.category, []).append(rule)

    def run(self, events: Iterable[StoredEvent]) -> Iterator[Match]:
        """Yield every (rule, event) match."""
        anywhere = self.by_category.get(None, [])
        for ev in events:
            fields = ev.fields
            cats = fields.get("event.category")
            candidates = list(anywhere)
            if isinstance(cats, list):
                for cat in cats:
                    candidates += self.by_category.get(str(cat).lower(), [])
            elif cats is not None:
                candidates += self.by_category.get(str(cats).lower(), [])
            if not candidates:
                continue
            self.enricher.apply(fields, ev.client, ev.ts, self.wanted)
            for rule in candidates:
                if rule.product == DATAWARD:
                    if rule.service == CLIENT_ACCESS and ev.client == self.enricher.operation:
                        continue
                elif (rule.product and rule.product != ev.product) or (
                    rule.service and rule.service != ev.service
                ):
                    continue
                if rule.predicate(fields):
                    if rule.generate:
                        yield _match(rule, ev)
                    for corr in self.feeds.get(rule.key, ()):
                        yield _feed(corr, rule, ev)


def _feed(corr: Correlation, rule: Rule, ev: StoredEvent) -> Match:
    """Return a match that feeds a correlation: grouped by its group-by, with its value field."""
    group = tuple(_text(ev.fields.get(f)) for f in corr.group_by)
    value = _text(ev.fields.get(corr.value_field)) if corr.value_field else ""
    values = {f: ev.fields.get(f) for f in _SUMMARY_FIELDS if ev.fields.get(f) is not None}
    return Match(
        rule.key, ev.client, ev.id, ev.ts, group, ev.source, ev.line, value, values, corr.key
    )


def _match(rule: Rule, ev: StoredEvent) -> Match:
    """Return the match with its dedup group and the fields an alert summary may name."""
    group = tuple(_text(ev.fields.get(f)) for f in rule.dedup)
    if not any(group):
        group = (_text(ev.fields.get("host.name")),)
    values = {f: ev.fields.get(f) for f in _SUMMARY_FIELDS if ev.fields.get(f) is not None}
    return Match(rule.key, ev.client, ev.id, ev.ts, group, ev.source, ev.line, values=values)


_SUMMARY_FIELDS = (
    "user.name",
    "host.name",
    "source.ip",
    "event.action",
    "record_count",
    "dataward.local_time",
    "destination.domain",
)


def _text(value: Any) -> str:
    """Return a group value as text."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def episodes(matches: Iterable[Match], window: dict[str, timedelta]) -> list[Episode]:
    """Group matches by rule, client and group; split where the gap exceeds the rule's window."""
    grouped: dict[tuple[str, str, tuple[str, ...]], list[Match]] = {}
    for m in matches:
        grouped.setdefault((m.rule, m.client, m.group), []).append(m)
    out: list[Episode] = []
    for (rule, client, group), items in grouped.items():
        items.sort(key=lambda m: (m.ts, m.event))
        current: Episode | None = None
        for m in items:
            if current is None or m.ts - current.last > window[rule]:
                current = Episode(rule, client, group, m.ts, m.ts, 0, [], [], dict(m.values))
                out.append(current)
            current.last = m.ts
            current.count += 1
            current.events.append(m.event)
            if len(current.evidence) < EVIDENCE:
                current.evidence.append(_evidence(m))
            _merge_values(current.values, m.values)
    return out


def _evidence(m: Match) -> dict[str, Any]:
    """Return the evidence entry of one match: where the event came from, never its content."""
    return {"event": m.event, "source": m.source, "line": m.line, "at": m.ts.isoformat()}


def _merge_values(into: dict[str, Any], more: dict[str, Any]) -> None:
    """Keep the largest record count and the first value of every other field."""
    for key, value in more.items():
        if key == "record_count":
            try:
                into[key] = max(int(into.get(key) or 0), int(value))
            except (TypeError, ValueError):
                continue
        else:
            into.setdefault(key, value)


def correlate(corr: Correlation, matches: list[Match]) -> list[Episode]:
    """Return the episodes where a correlation's condition holds within its timespan."""
    span = timedelta(seconds=corr.seconds)
    grouped: dict[tuple[str, tuple[str, ...]], list[Match]] = {}
    for m in matches:
        grouped.setdefault((m.client, m.group), []).append(m)
    out: list[Episode] = []
    for (client, group), items in grouped.items():
        items.sort(key=lambda m: (m.ts, m.event))
        out += _windows(corr, client, group, items, span)
    return out


def _windows(
    corr: Correlation, client: str, group: tuple[str, ...], items: list[Match], span: timedelta
) -> list[Episode]:
    """Slide a window over one group's matches; merge overlapping windows that satisfy it."""
    out: list[Episode] = []
    start = 0
    current: Episode | None = None
    for end, m in enumerate(items):
        while m.ts - items[start].ts > span:
            start += 1
        window = items[start : end + 1]
        if not _holds(corr, window):
            continue
        if current is not None and window[0].ts <= current.last:
            fresh = [w for w in window if w.event not in set(current.events)]
        else:
            current = Episode(corr.key, client, group, window[0].ts, m.ts, 0, [], [], {})
            out.append(current)
            fresh = window
        current.last = m.ts
        for w in fresh:
            current.count += 1
            current.events.append(w.event)
            if len(current.evidence) < EVIDENCE:
                current.evidence.append(_evidence(w))
            _merge_values(current.values, w.values)
        current.values["correlation.value_count"] = len({w.value for w in window if w.value})
    return out


def _holds(corr: Correlation, window: list[Match]) -> bool:
    """Return whether a window of matches satisfies the correlation's condition."""
    if corr.kind == "event_count":
        return _compare(len(window), corr.op, corr.count)
    if corr.kind == "value_count":
        return _compare(len({w.value for w in window if w.value}), corr.op, corr.count)
    seen = [w.rule for w in window]
    if corr.kind == "temporal":
        return all(r in seen for r in corr.rules)
    position = 0
    for rule in seen:
        if position < len(corr.rules) and rule == corr.rules[position]:
            position += 1
    return position == len(corr.rules)


def _compare(value: int, op: str, count: int) -> bool:
    """Return value <op> count for the operators the evaluator supports."""
    if op == "gt":
        return value > count
    if op == "eq":
        return value == count
    return value >= count
