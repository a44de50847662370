"""Run the rule pack over stored events, client by client, and raise or extend alerts.

Each rule (and correlation) keeps a cursor per client: the last event id it has read in its
current version. A run reads only newer events, up to a high-water mark below which every event
is committed (on PostgreSQL, ids are handed out before commit, so a batch still being written
may hold lower ids than one already visible). A changed rule starts again from the first event.
Simple rules add their new matches to an open alert of the same rule and user within the rule's
dedup window, or raise a new one; when a rule re-reads events (changed, or ``--full``), matches
an alert of the rule already spans are not counted again. Correlations store the matches that
feed them, and re-count each touched group over its time window, so re-running never counts an
event twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import Max

from dataward.core import audit
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.monitoring import context
from dataward.monitoring.engine.detect import Episode, Evaluator, Match, StoredEvent, correlate
from dataward.monitoring.engine.detect import episodes as group_episodes
from dataward.monitoring.engine.rules import Correlation, RuleSet
from dataward.monitoring.models import Alert, CorrelationMatch, LogEvent, LogSource, RuleCursor
from dataward.monitoring.raise_alerts import alert_group, upsert_correlated, upsert_simple

CHUNK = 20000


@dataclass
class DetectResult:
    """What one run of the rules did for one client."""

    client: str
    events: int = 0
    raised: int = 0
    updated: int = 0
    last_id: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


def run(ws: Workspace, client: Client, ruleset: RuleSet, *, full: bool = False) -> DetectResult:
    """Evaluate every rule over the client's new events; store matches, alerts and cursors."""
    result = DetectResult(client.slug)
    units = {r.key: r.digest for r in ruleset.rules} | {
        c.key: c.digest for c in ruleset.correlations
    }
    if not units:
        return result
    high = _high_water(client)
    evaluator = Evaluator(ruleset.rules, context.enricher(ws), ruleset.correlations)
    windows = {r.key: timedelta(hours=r.dedup_hours) for r in ruleset.rules}
    simple: list[Match] = []
    feeds: list[Match] = []
    with transaction.atomic():
        # One run per client at a time: a second run waits here, then reads the moved cursors.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        stored = list(RuleCursor.objects.for_client(client))
        previous = {c.rule: c.last_event for c in stored}
        cursors = {
            c.rule: c.last_event if (c.digest == units.get(c.rule) and not full) else 0
            for c in stored
        }
        start = {key: cursors.get(key, 0) for key in units}
        last = low = min(start.values())
        for match in evaluator.run(_events(client, low, high, result)):
            unit = match.via or match.rule
            if match.event <= start[unit]:
                continue
            (feeds if match.via else simple).append(match)
        last = max(last, result.last_id)
        simple = _not_counted(
            client, simple, {k: previous.get(k, 0) for k in units if not start[k]}
        )
        _forget_feeds(client, [c for c in ruleset.correlations if not start[c.key]])
        _store_feeds(client, feeds)
        for ep in group_episodes(simple, windows):
            _count(result, ep, upsert_simple(ws, client, ruleset.by_key()[ep.rule], ep, windows))
        for corr in ruleset.correlations:
            mine = [m for m in feeds if m.via == corr.key]
            for ep in correlate(corr, _window_matches(client, corr, mine)):
                _count(result, ep, upsert_correlated(ws, client, corr, ep))
        _save_cursors(client, units, last)
        if result.raised or result.updated:
            audit.record(
                ws,
                "alerts.detect",
                None if client.is_operation else client.slug,
                "rule_run",
                client.slug,
                detail={
                    "events": result.events,
                    "raised": result.raised,
                    "updated": result.updated,
                    "by_rule": result.by_rule,
                },
            )
    return result


def _count(result: DetectResult, ep: Episode, created: bool | None) -> None:
    """Tally a raised or extended alert (None: the alert already held the episode)."""
    if created is None:
        return
    if created:
        result.raised += 1
        result.by_rule[ep.rule] = result.by_rule.get(ep.rule, 0) + 1
    else:
        result.updated += 1


def _high_water(client: Client) -> int:
    """Return the newest event id below which every event of the client is committed.

    PostgreSQL hands out ids when a row is inserted, not when it commits: an ingestion batch
    still being written can hold lower ids than a batch that is already visible, and a cursor
    moved past those would skip them for ever. Taking the table in SHARE mode waits for every
    writer in flight (and holds new ones off for a moment); ids handed out after it are higher.
    SQLite has one writer at a time, so ids become visible in order.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"LOCK TABLE {LogEvent._meta.db_table} IN SHARE MODE")
        found = LogEvent.objects.for_client(client).aggregate(top=Max("id"))["top"]
    return int(found or 0)


def _not_counted(client: Client, matches: list[Match], reread: dict[str, int]) -> list[Match]:
    """Drop re-read matches an alert of their rule already spans (they were counted then).

    ``reread`` maps each rule that starts again from the first event (changed, or ``--full``)
    to the last event id it had read before; only events up to that id can have been counted.
    """
    again = [m for m in matches if m.event <= reread.get(m.rule, 0)]
    if not again:
        return matches
    spans: dict[tuple[str, str], list[tuple[Any, Any]]] = {}
    rows = Alert.objects.for_client(client).filter(rule__in=sorted({m.rule for m in again}))
    for rule, group, first, last in rows.values_list("rule", "group", "first_seen", "last_seen"):
        spans.setdefault((rule, group), []).append((first, last))

    def counted(m: Match) -> bool:
        if m.event > reread.get(m.rule, 0):
            return False
        found = spans.get((m.rule, alert_group(m.group)), ())
        return any(first <= m.ts <= last for first, last in found)

    return [m for m in matches if not counted(m)]


def _events(client: Client, after: int, high: int, result: DetectResult) -> Iterator[StoredEvent]:
    """Yield the client's events with ids in (after, high], in id order, chunk by chunk."""
    sources = {
        s.pk: (s.name, s.product or None, s.service or None)
        for s in LogSource.objects.unscoped("names of the sources events came from")
    }
    loads = orjson.loads
    slug = client.slug
    while True:
        rows = list(
            LogEvent.objects.for_client(client)
            .filter(id__gt=after, id__lte=high)
            .order_by("id")
            .values_list("id", "ts", "source_id", "line", "doc")[:CHUNK]
        )
        if not rows:
            return
        for pk, ts, source, line, doc in rows:
            name, product, service = sources.get(source, ("?", None, None))
            result.events += 1
            result.last_id = pk
            yield StoredEvent(pk, ts, slug, name, product, service, line, loads(doc))
        after = rows[-1][0]


def _forget_feeds(client: Client, correlations: list[Correlation]) -> None:
    """Drop the stored matches of correlations that re-read every event (changed, or --full).

    A changed correlation may group or count by other fields: its old matches must not stay.
    """
    if not correlations:
        return
    CorrelationMatch.objects.for_client(client).filter(
        correlation__in=[c.key for c in correlations]
    ).delete()


def _store_feeds(client: Client, feeds: list[Match]) -> None:
    """Store the matches that feed correlations (an event feeds each correlation once).

    Raw batched inserts: a busy day feeds tens of thousands of failed sign-ins and exports.
    """
    if not feeds:
        return
    table = CorrelationMatch._meta.db_table
    cols = 'client_id, correlation, rule, event, ts, "group", value, source, line, "values"'
    conflict = "ON CONFLICT (client_id, correlation, rule, event) DO NOTHING"
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * 10)}) {conflict}"  # noqa: S608
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (client.pk, m.via, m.rule, m.event, adapt(m.ts), _group(m.group), m.value[:500],
         m.source[:100], m.line, orjson.dumps(_jsonable(m.values)).decode())
        for m in feeds
    ]  # fmt: skip
    with connection.cursor() as cur:
        for i in range(0, len(rows), 5000):
            cur.executemany(sql, rows[i : i + 5000])


def _window_matches(client: Client, corr: Correlation, new: list[Match]) -> list[Match]:
    """Return the stored matches of the groups the new matches touch, around their times."""
    if not new:
        return []
    span = timedelta(seconds=corr.seconds)
    out: list[Match] = []
    groups = sorted({_group(m.group) for m in new})
    first = min(m.ts for m in new) - span
    last = max(m.ts for m in new) + span
    for i in range(0, len(groups), 500):
        rows = CorrelationMatch.objects.for_client(client).filter(
            correlation=corr.key, group__in=groups[i : i + 500], ts__gte=first, ts__lte=last
        )
        for r in rows.order_by("ts", "event"):
            out.append(
                Match(
                    r.rule,
                    client.slug,
                    r.event,
                    r.ts,
                    tuple(orjson.loads(r.group)),
                    r.source,
                    r.line,
                    r.value,
                    dict(r.values),
                    corr.key,
                )
            )
    return out


def _group(values: tuple[str, ...]) -> str:
    """Return a group key as stored text (JSON array)."""
    return orjson.dumps(list(values)).decode()[:500]


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Return summary values that JSON can hold."""
    return {k: v if isinstance(v, (str, int, float, bool)) else str(v) for k, v in values.items()}


def _save_cursors(client: Client, units: dict[str, str], last: int) -> None:
    """Move every rule's cursor to the newest event read, in the rule's current version."""
    known = {c.rule: c for c in RuleCursor.objects.for_client(client)}
    for key, digest in units.items():
        cur = known.get(key)
        if cur is None:
            RuleCursor.objects.create(client=client, rule=key, digest=digest, last_event=last)
        elif cur.digest != digest or cur.last_event != last:
            cur.digest, cur.last_event = digest, last
            cur.save(update_fields=["digest", "last_event"])
