"""The inventory engine: approved locations, the PCI zone, duplicate extracts, stale files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dataward.core.engine.clients import split_location
from dataward.discovery.engine.inventory import (
    InventoryRow,
    approved_for,
    duplicates,
    in_pci_zone,
    stale,
)

ENTRIES = ["shares/nb/restricted", "shares/nb/exports=PII,FINANCIAL", "/mnt/pci=PCI"]


@pytest.mark.parametrize(
    ("location", "category", "expected"),
    [
        ("/srv/ws/shares/nb/restricted/a.csv", "PCI", True),
        ("/srv/ws/shares/nb/restricted/deep/er/a.csv", "PHI", True),
        ("/srv/ws/shares/nb/exports/a.csv", "PII", True),
        ("/srv/ws/shares/nb/exports/a.csv", "PCI", False),
        ("/srv/ws/shares/nb/general/a.csv", "PII", False),
        ("/srv/ws/shares/nb/restricted-old/a.csv", "PII", False),
        ("/mnt/pci/cards.csv", "PCI", True),
        ("/data/mnt/pci/cards.csv", "PCI", False),
        ("/mnt/pci/cards.csv", "PII", False),
    ],
)
def test_approved_for(location: str, category: str, expected: bool) -> None:
    assert approved_for(location, category, ENTRIES) is expected


def test_pci_zone_and_empty_entries() -> None:
    assert in_pci_zone("/mnt/pci/x.csv", ENTRIES)
    assert not in_pci_zone("/srv/shares/nb/exports/x.csv", ENTRIES)
    assert not approved_for("/anything", "PII", [])


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("shares/a/", ("shares/a", ())),
        ("shares/a=PII, PCI", ("shares/a", ("PII", "PCI"))),
        ("postgresql://db/x=PII", ("postgresql://db/x", ("PII",))),
    ],
)
def test_split_location(entry: str, expected: tuple[str, tuple[str, ...]]) -> None:
    assert split_location(entry) == expected


def _fps(prefix: str, n: int) -> set[str]:
    return {f"{prefix}{i}" for i in range(n)}


def test_duplicates_need_near_identical_values() -> None:
    values = {
        "b/copy.csv": _fps("v", 30),
        "a/orig.csv": _fps("v", 30),
        "a/master.csv": _fps("v", 100),  # holds the extract's values and many more: not a copy
        "c/small.csv": _fps("v", 5),  # too few values to judge
        "d/other.csv": _fps("w", 30),
    }
    assert duplicates(values) == [("a/orig.csv", "b/copy.csv", 30)]


def _row(location: str, category: str, age: int, now: datetime, kind: str = "file") -> InventoryRow:
    return InventoryRow(
        location, kind, "X", category, 1, 1, now, now, now - timedelta(days=age), "owner"
    )


def test_stale_uses_the_shortest_rule_of_what_a_file_holds() -> None:
    now = datetime(2026, 11, 29, tzinfo=UTC)
    rules = [{"category": "PII", "days": 365}, {"category": "PCI", "days": 90}]
    rows = [
        _row("old.csv", "PII", 400, now),
        _row("old.csv", "PCI", 400, now),
        _row("fresh.csv", "PII", 30, now),
        _row("cards.csv", "PCI", 91, now),
        _row("norule.csv", "PHI", 5000, now),
        _row("db#t", "PII", 900, now, kind="table"),
    ]
    assert stale(rows, rules, now) == {
        "old.csv": (400, 90, "PCI"),
        "cards.csv": (91, 90, "PCI"),
    }
