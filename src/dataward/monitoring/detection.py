"""Run the rule pack over stored events, client by client, and raise or extend alerts.

Each rule (and correlation) keeps a cursor per client: the last event id it has read in its
current version. A run reads only newer events; a changed rule starts again from the first
event. Simple rules add their new matches to an open alert of the same rule and user within the
rule's dedup window, or raise a new one. Correlations store the matches that feed them, and
re-count each touched group over its time window, so re-running never counts an event twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
from django.db import connection, transaction

from dataward.core import audit
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.monitoring import context
from dataward.monitoring.engine.detect import Episode, Evaluator, Match, StoredEvent, correlate
from dataward.monitoring.engine.detect import episodes as group_episodes
from dataward.monitoring.engine.rules import Correlation, RuleSet
from dataward.monitoring.models import CorrelationMatch, LogEvent, LogSource, RuleCursor
from dataward.monitoring.raise_alerts import upsert_correlated, upsert_simple

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
    cursors = {
        c.rule: c.last_event if (c.digest == units.get(c.rule) and not full) else 0
        for c in RuleCursor.objects.for_client(client)
    }
    start = {key: cursors.get(key, 0) for key in units}
    low = min(start.values())
    enricher = context.enricher(ws)
    evaluator = Evaluator(ruleset.rules, enricher, ruleset.correlations)
    windows = {r.key: timedelta(hours=r.dedup_hours) for r in ruleset.rules}
    simple: list[Match] = []
    feeds: list[Match] = []
    last = low
    with transaction.atomic():
        for match in evaluator.run(_events(client, low, result)):
            unit = match.via or match.rule
            if match.event <= start[unit]:
                continue
            (feeds if match.via else simple).append(match)
        last = max(last, result.last_id)
        if full:
            _forget_feeds(client, ruleset.correlations)
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


def _count(result: DetectResult, ep: Episode, created: bool) -> None:
    """Tally a raised or extended alert."""
    if created:
        result.raised += 1
        result.by_rule[ep.rule] = result.by_rule.get(ep.rule, 0) + 1
    else:
        result.updated += 1


def _events(client: Client, after: int, result: DetectResult) -> Iterator[StoredEvent]:
    """Yield the client's events newer than an id, in id order, chunk by chunk."""
    sources = {
        s.pk: (s.name, s.product or None, s.service or None)
        for s in LogSource.objects.unscoped("names of the sources events came from")
    }
    loads = orjson.loads
    slug = client.slug
    while True:
        rows = list(
            LogEvent.objects.for_client(client)
            .filter(id__gt=after)
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
    """Drop stored correlation matches before a full re-run."""
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
