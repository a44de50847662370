"""Raise new alerts or extend open ones from detection episodes."""

from __future__ import annotations

import string
import uuid
from datetime import timedelta
from typing import Any

from django.db.models import Q

from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.monitoring.engine.detect import EVIDENCE, Episode
from dataward.monitoring.engine.rules import Correlation, Rule
from dataward.monitoring.models import Alert

OPEN = ("new", "investigating")


def upsert_simple(ws: Workspace, client: Client, rule: Rule, ep: Episode, windows: Any) -> bool:
    """Add an episode of new matches to an open alert near it in time, or raise one."""
    window: timedelta = windows[rule.key]
    near = (
        Alert.objects.for_client(client)
        .filter(rule=rule.key, group=alert_group(ep.group), state__in=OPEN)
        .filter(last_seen__gte=ep.first - window, first_seen__lte=ep.last + window)
        .order_by("-last_seen")
        .first()
    )
    if near is None:
        _create(ws, client, rule.key, rule.title, rule.level, rule.summary, ep)
        return True
    near.first_seen = min(near.first_seen, ep.first)
    near.last_seen = max(near.last_seen, ep.last)
    near.event_count += ep.count
    _extend(near, ep)
    near.summary = render(rule.summary, near.facts, rule.title)
    near.updated_at = ws.clock()
    near.save()
    return False


def upsert_correlated(ws: Workspace, client: Client, corr: Correlation, ep: Episode) -> bool | None:
    """Set a correlation episode on the alert overlapping it, or raise one (idempotent).

    Return True when raised, False when extended, None when the alert already held it all.
    """
    same = (
        Alert.objects.for_client(client)
        .filter(rule=corr.key, group=alert_group(ep.group))
        .filter(Q(first_seen__lte=ep.last) & Q(last_seen__gte=ep.first))
        .order_by("-last_seen")
        .first()
    )
    if same is None:
        _create(ws, client, corr.key, corr.title, corr.level, corr.summary, ep)
        return True
    changed = ep.count > same.event_count or ep.last > same.last_seen
    if changed:
        same.first_seen = min(same.first_seen, ep.first)
        same.last_seen = max(same.last_seen, ep.last)
        same.event_count = max(same.event_count, ep.count)
        same.evidence = _evidence(same.evidence, ep.evidence)
        same.facts = {**same.facts, **_plain(ep.values)}
        same.summary = render(corr.summary, same.facts, corr.title)
        same.updated_at = ws.clock()
        same.save()
        return False
    return None


def _create(
    ws: Workspace, client: Client, key: str, title: str, level: str, template: str, ep: Episode
) -> Alert:
    """Create the alert, then give it a reference from its id (unique without a race)."""
    now = ws.clock()
    facts = _plain(ep.values)
    alert = Alert.objects.create(
        client=client,
        ref=f"tmp-{uuid.uuid4().hex[:24]}",
        rule=key,
        title=title[:300],
        level=level,
        group=alert_group(ep.group),
        subject=_subject(ep),
        summary=render(template, facts, title),
        facts=facts,
        first_seen=ep.first,
        last_seen=ep.last,
        event_count=ep.count,
        evidence=_evidence(ep.evidence, []),
        created_at=now,
        updated_at=now,
    )
    alert.ref = f"AL-{alert.pk:06d}"
    alert.save(update_fields=["ref"])
    return alert


def _extend(alert: Alert, ep: Episode) -> None:
    """Merge an episode's evidence and facts into an alert."""
    alert.evidence = _evidence(alert.evidence, ep.evidence)
    facts = dict(alert.facts)
    for key, value in _plain(ep.values).items():
        if key == "record_count":
            facts[key] = max(int(facts.get(key) or 0), int(value or 0))
        else:
            facts.setdefault(key, value)
    alert.facts = facts


def _evidence(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the earliest evidence entries, at most EVIDENCE of them."""
    merged = {e["event"]: e for e in [*old, *new]}
    return sorted(merged.values(), key=lambda e: (e["at"], e["event"]))[:EVIDENCE]


def alert_group(values: tuple[str, ...]) -> str:
    """Return the alert's group as text."""
    return " | ".join(values)[:500]


def _subject(ep: Episode) -> str:
    """Return who or what the alert is about: the first non-empty group value."""
    return next((v for v in ep.group if v), "")[:254]


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Return values JSON can store."""
    return {k: v if isinstance(v, (str, int, float, bool)) else str(v) for k, v in values.items()}


class _Slots(string.Formatter):
    """Fill {field.name} slots from a flat dict; unknown slots print as '?'."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        return kwargs.get(field_name, "?"), field_name


def render(template: str, facts: dict[str, Any], fallback: str) -> str:
    """Return the alert's summary from the rule's template (the title when none)."""
    if not template:
        return fallback
    try:
        return _Slots().vformat(template, (), dict(facts))[:1000]
    except (ValueError, IndexError, KeyError):
        return fallback
