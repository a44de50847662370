"""Engine regressions from the second reading: rule loading, masking, local time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dataward.monitoring.engine import rules
from dataward.monitoring.engine.enrich import ClientFacts, Enricher
from dataward.monitoring.engine.privacy import mask

CARD = "4539148803436467"  # Luhn-valid, not a documented test number
SSN = "512-44-3871"
BURST = """title: Burst (ours)
name: bpo_failed_login_burst
correlation:
  type: event_count
  rules: [bpo_failed_login]
  group-by: [user.name]
  timespan: 5m
  condition: {gte: 5}
level: critical
"""


def test_a_workspace_correlation_on_a_pack_rule_replaces_the_packs(tmp_path: Path) -> None:
    (tmp_path / "burst.yml").write_text(BURST)
    found = rules.load(rules.rule_files([rules.PACK, tmp_path]))
    assert not found.broken
    (burst,) = [c for c in found.correlations if c.key == "bpo_failed_login_burst"]
    assert (burst.count, burst.level) == (5, "critical")
    assert ("bpo_failed_login_burst", str(tmp_path / "burst.yml")) in [
        (k, new) for k, _, new in found.replaced
    ]


def test_a_correlation_reruns_when_a_rule_it_counts_changes(tmp_path: Path) -> None:
    pack = rules.load(rules.rule_files([rules.PACK]))
    (tmp_path / "fail.yml").write_text(
        "title: Failed sign-in (ours)\nname: bpo_failed_login\nlogsource: {category: "
        "authentication}\ndetection:\n  f: {event.outcome: [failure, denied]}\n  condition: f\n"
    )
    ours = rules.load(rules.rule_files([rules.PACK, tmp_path]))

    def digests(rs: rules.RuleSet) -> dict[str, str]:
        return {c.key: c.digest for c in rs.correlations}

    before, after = digests(pack), digests(ours)
    assert before["bpo_failed_login_burst"] != after["bpo_failed_login_burst"]
    assert before["bpo_many_exports"] == after["bpo_many_exports"]
    assert not ours.by_key()["bpo_failed_login"].generate  # still feeds only


@pytest.mark.parametrize(
    ("dedup", "expected"),
    [("user.name", ("user.name",)), ("[source.ip, host.name]", ("source.ip", "host.name"))],
)
def test_dedup_takes_one_field_or_a_list(tmp_path: Path, dedup: str, expected: tuple[str]) -> None:
    (tmp_path / "r.yml").write_text(
        "title: R\nname: r\nlogsource: {category: file}\ndetection:\n  s: {event.action: x}\n"
        f"  condition: s\ndataward:\n  dedup: {dedup}\n"
    )
    assert rules.load([tmp_path / "r.yml"]).by_key()["r"].dedup == expected


def test_a_dedup_that_is_not_field_names_is_reported(tmp_path: Path) -> None:
    (tmp_path / "r.yml").write_text(
        "title: R\nname: r\nlogsource: {category: file}\ndetection:\n  s: {event.action: x}\n"
        "  condition: s\ndataward:\n  dedup: {user: 1}\n"
    )
    (broken,) = rules.load([tmp_path / "r.yml"]).broken
    assert "dedup" in broken.reason


@pytest.mark.parametrize(
    ("field", "value", "kept"),
    [
        ("event.original", f"card {CARD} ssn {SSN}", False),
        ("event.reason", f"SSN {SSN}", False),
        ("log.original", f"card {CARD}", False),
        ("winlog.event_data.CommandLine", f"net use x /user:a ssn {SSN}", False),
        ("url.query", f"card={CARD}", False),
        ("account", int(CARD), False),
        ("event.action", "export", True),
        ("winlog.event_data.TargetUserSid", "S-1-5-21-3623811015-3361044348-30300820-1013", True),
        ("record_count", 4539148803, True),
    ],
)
def test_free_text_is_masked_wherever_it_sits(field: str, value: Any, kept: bool) -> None:
    doc = {field: value}
    mask(doc)
    assert (doc[field] == value) is kept
    assert CARD not in str(doc)
    assert SSN not in str(doc)


def _local(zone: str, hours: str, at: datetime) -> dict[str, Any]:
    start, end = (int(h[:2]) * 60 + int(h[3:]) for h in hours.split("-"))
    enricher = Enricher(clients={"c": ClientFacts("c", ZoneInfo(zone), start, end)})
    ev: dict[str, Any] = {}
    enricher.apply(ev, "c", at, {"dataward.local_time", "dataward.client.off_hours"})
    return ev


def test_local_time_follows_a_half_hour_dst_change() -> None:
    # Adelaide moves from +09:30 to +10:30 at 16:30 UTC on 3 October 2026.
    enricher = Enricher(clients={"c": ClientFacts("c", ZoneInfo("Australia/Adelaide"), 480, 1080)})
    times = []
    for minute in (10, 45):
        ev: dict[str, Any] = {}
        enricher.apply(
            ev, "c", datetime(2026, 10, 3, 16, minute, tzinfo=UTC), {"dataward.local_time"}
        )
        times.append(ev["dataward.local_time"])
    assert times == ["01:40", "03:15"]


def test_round_the_clock_hours_are_never_off_hours() -> None:
    ev = _local("UTC", "00:00-00:00", datetime(2026, 11, 20, 3, tzinfo=UTC))
    assert ev["dataward.client.off_hours"] is False
    ev = _local("Asia/Manila", "22:00-06:00", datetime(2026, 11, 20, 3, tzinfo=UTC))  # 11:00
    assert ev["dataward.client.off_hours"] is True
