"""Each rule of the shipped BPO pack fires on its positive events and stays quiet on negatives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dataward.monitoring.engine import rules
from dataward.monitoring.engine.detect import Evaluator, StoredEvent, correlate, episodes
from dataward.monitoring.engine.enrich import ClientFacts, Enricher, PersonFacts

PACK = rules.load(rules.rule_files([rules.PACK]))
T0 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 10:00 in New York


def enricher() -> Enricher:
    """Return the facts the pack's rules read: one client, staff, a leaver, sensitive files."""
    ny = ZoneInfo("America/New_York")
    return Enricher(
        people={
            "ana@bpo.example": PersonFacts("E1", frozenset({"acme"}), None, False),
            "ben@bpo.example": PersonFacts("E2", frozenset({"other"}), None, False),
            "cy@bpo.example": PersonFacts("E3", frozenset({"acme"}), date(2026, 11, 10), True),
            "root@bpo.example": PersonFacts("E4", frozenset({"acme"}), None, False, True),
        },
        clients={
            "acme": ClientFacts("acme", ny, 8 * 60, 20 * 60),
            "ops": ClientFacts("ops", ZoneInfo("UTC")),
        },
        sensitive_paths=frozenset({"/shares/acme/restricted/cards.csv"}),
        sensitive_names=frozenset({"cards.csv"}),
        internal_domains=frozenset({"bpo.example", "acme.example"}),
        operation="ops",
    )


def ev(n: int, fields: dict[str, Any], *, at: datetime = T0, client: str = "acme") -> StoredEvent:
    """Return a stored event with defaults a successful action by ana would have."""
    base = {"user.name": "ana@bpo.example", "event.outcome": "success", "host.name": "crm01"}
    return StoredEvent(n, at, client, "src", None, None, n, base | fields)


def fired(events: list[StoredEvent]) -> set[str]:
    """Return the rules and correlations that raise an alert over the events."""
    evaluator = Evaluator(PACK.rules, enricher(), PACK.correlations)
    matches = list(evaluator.run(events))
    windows = {r.key: timedelta(hours=r.dedup_hours) for r in PACK.rules}
    out = {e.rule for e in episodes([m for m in matches if not m.via], windows)}
    for corr in PACK.correlations:
        if correlate(corr, [m for m in matches if m.via == corr.key]):
            out.add(corr.key)
    return out


def test_the_pack_loads_whole() -> None:
    assert PACK.broken == []
    keys = set(PACK.keys())
    assert {
        "bpo_mass_export", "bpo_many_exports", "bpo_off_hours_access",
        "bpo_unassigned_client_access", "bpo_privileged_action_by_unprivileged",
        "bpo_failed_login_burst", "bpo_password_spray", "bpo_sensitive_file_to_usb",
        "bpo_sensitive_attachment_external", "bpo_access_after_termination",
    } <= keys  # fmt: skip


EXPORT = {"event.category": "file", "event.action": "export"}
LOGIN = {"event.category": "authentication", "event.action": "login"}
FAIL = {"event.category": "authentication", "event.action": "login", "event.outcome": "failure"}
NIGHT = T0.replace(hour=7)  # 02:00 in New York


CASES = [
    ("bpo_mass_export", [ev(1, EXPORT | {"record_count": 5000})],
     [ev(1, EXPORT | {"record_count": 300})]),
    (
        "bpo_many_exports",
        [ev(i, EXPORT | {"record_count": 10}, at=T0 + timedelta(minutes=2 * i))
         for i in range(25)],
        [ev(i, EXPORT | {"record_count": 10}, at=T0 + timedelta(minutes=10 * i))
         for i in range(25)],
    ),
    ("bpo_off_hours_access", [ev(1, LOGIN, at=NIGHT)], [ev(1, LOGIN), ev(2, FAIL, at=NIGHT)]),
    (
        "bpo_unassigned_client_access",
        [ev(1, LOGIN | {"user.name": "BEN@bpo.example"})],
        [ev(1, LOGIN), ev(2, LOGIN | {"user.name": "ben@bpo.example"}, client="ops"),
         ev(3, LOGIN | {"user.name": "stranger@bpo.example"})],
    ),
    (
        "bpo_privileged_action_by_unprivileged",
        [ev(1, {"event.category": "iam", "event.action": "added-member-to-group"}),
         ev(2, {"event.category": "configuration", "event.action": "audit-log-cleared"},
            client="ops")],
        [ev(1, {"event.category": "iam", "event.action": "added-member-to-group",
                "user.name": "root@bpo.example"}),
         ev(2, {"event.category": "iam", "event.action": "added-member-to-group",
                "event.outcome": "failure"})],
    ),
    (
        "bpo_failed_login_burst",
        [ev(i, FAIL, at=T0 + timedelta(seconds=10 * i)) for i in range(12)],
        [ev(i, FAIL, at=T0 + timedelta(minutes=2 * i)) for i in range(12)],
    ),
    (
        "bpo_password_spray",
        [ev(i, FAIL | {"user.name": f"u{i}@bpo.example", "source.ip": "203.0.113.9"},
            at=T0 + timedelta(seconds=20 * i)) for i in range(12)],
        [ev(i, FAIL | {"user.name": f"u{i % 3}@bpo.example", "source.ip": "203.0.113.9"},
            at=T0 + timedelta(seconds=20 * i)) for i in range(12)],
    ),
    (
        "bpo_sensitive_file_to_usb",
        [ev(1, {"event.category": "file", "event.action": "file-copied-to-usb",
                "file.path": "D:\\Shares\\acme\\restricted\\cards.csv"})],
        [ev(1, {"event.category": "file", "event.action": "file-copied-to-usb",
                "file.path": "E:\\notes\\lunch.txt"}),
         ev(2, {"event.category": "file", "event.action": "file-copy",
                "file.path": "/shares/acme/restricted/cards.csv"})],
    ),
    (
        "bpo_sensitive_attachment_external",
        [ev(1, {"event.category": "email", "email.to.address": ["friend@gmail.example"],
                "email.attachments.file.name": ["cards.csv"]})],
        [ev(1, {"event.category": "email", "email.to.address": ["ops@acme.example"],
                "email.attachments.file.name": ["cards.csv"]}),
         ev(2, {"event.category": "email", "email.to.address": ["friend@gmail.example"],
                "email.attachments.file.name": ["menu.pdf"]})],
    ),
    (
        "bpo_access_after_termination",
        [ev(1, LOGIN | {"user.name": "cy@bpo.example"})],
        [ev(1, LOGIN | {"user.name": "cy@bpo.example"}, at=datetime(2026, 11, 10, 15, tzinfo=UTC)),
         ev(2, FAIL | {"user.name": "cy@bpo.example"})],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "positive", "negative"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_positive_events_only(
    rule: str, positive: list[StoredEvent], negative: list[StoredEvent]
) -> None:
    assert rule in fired(positive)
    assert rule not in fired(negative)


def test_a_feeding_rule_raises_no_alert_of_its_own() -> None:
    assert "bpo_failed_login" not in fired([ev(1, FAIL)])
    assert "bpo_export_event" not in fired([ev(1, EXPORT | {"record_count": 1})])


def test_the_night_export_is_one_alert_per_rule_for_its_user() -> None:
    events = [ev(1, LOGIN, at=NIGHT), ev(2, EXPORT | {"record_count": 5000}, at=NIGHT)]
    evaluator = Evaluator(PACK.rules, enricher(), PACK.correlations)
    windows = {r.key: timedelta(hours=r.dedup_hours) for r in PACK.rules}
    eps = episodes([m for m in evaluator.run(events) if not m.via], windows)
    assert sorted((e.rule, e.group, e.count) for e in eps) == [
        ("bpo_mass_export", ("ana@bpo.example",), 1),
        ("bpo_off_hours_access", ("ana@bpo.example",), 2),
    ]
    off = next(e for e in eps if e.rule == "bpo_off_hours_access")
    assert off.values["dataward.local_time"] == "02:00"
