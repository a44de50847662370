"""Judge the data inventory: approved locations, the PCI zone, duplicate extracts, stale files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from dataward.core.engine.clients import split_location

#: Two locations are copies of one extract when they share this share of all their values.
DUPLICATE_OVERLAP = 0.8
#: ...and the smaller one holds at least this many distinct sensitive values.
DUPLICATE_MIN_VALUES = 10


@dataclass(frozen=True)
class InventoryRow:
    """One line of the inventory: a location, an entity type, and how much of it is there."""

    location: str
    kind: str
    entity_type: str
    category: str
    count: int
    distinct: int
    first_seen: datetime
    last_seen: datetime
    modified_at: datetime | None = None
    owner: str = ""


def _parts(path: str) -> tuple[str, ...]:
    return tuple(p for p in PurePosixPath(path.replace("\\", "/")).parts if p not in ("", "."))


def _matches(location: str, approved: str) -> bool:
    """Return True when a location lies under an approved path.

    An absolute approved path (or a URL) must be a prefix of the location; a relative one
    matches wherever its components appear in a row (``shares/northbank/restricted``).
    """
    if "://" in approved or approved.startswith("/"):
        loc, pre = _parts(location), _parts(approved)
        return loc[: len(pre)] == pre
    loc, want = _parts(location), _parts(approved)
    n = len(want)
    return n > 0 and any(loc[i : i + n] == want for i in range(len(loc) - n + 1))


def approved_for(location: str, category: str, entries: Iterable[str]) -> bool:
    """Return True when some approved-location entry covers this location and category."""
    for entry in entries:
        path, categories = split_location(entry)
        if _matches(location, path) and (not categories or category in categories):
            return True
    return False


def in_pci_zone(location: str, entries: Iterable[str]) -> bool:
    """Return True when a location is approved for card data (PCI), i.e. inside the PCI zone."""
    return approved_for(location, "PCI", entries)


def duplicates(
    values: Mapping[str, set[str]],
    *,
    overlap: float = DUPLICATE_OVERLAP,
    min_values: int = DUPLICATE_MIN_VALUES,
) -> list[tuple[str, str, int]]:
    """Return (original, copy, shared values) for locations holding the same sensitive values.

    ``values`` maps each location to the fingerprints found there; two locations are copies
    when their shared values are at least ``overlap`` of all their values together (so a small
    extract drawn from a large master file is not called a copy). The location listed first
    (by path order) is taken as the original.
    """
    names = sorted(n for n, v in values.items() if len(v) >= min_values)
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = len(values[a] & values[b])
            if shared >= overlap * len(values[a] | values[b]):
                pairs.append((a, b, shared))
    return pairs


def retention_days(category: str, rules: Sequence[Mapping[str, object]]) -> int | None:
    """Return the client's retention period in days for a category, if it set one."""
    for rule in rules:
        if rule.get("category") == category:
            days = rule.get("days")
            return days if isinstance(days, int) else None
    return None


def stale(
    rows: Iterable[InventoryRow],
    rules: Sequence[Mapping[str, object]],
    now: datetime,
) -> dict[str, tuple[int, int, str]]:
    """Return files kept past their retention: location -> (age in days, limit, category).

    A file's age is counted from its last modification; the shortest retention period of the
    categories it holds applies.
    """
    out: dict[str, tuple[int, int, str]] = {}
    for row in rows:
        days = retention_days(row.category, rules)
        if row.kind != "file" or row.modified_at is None or days is None:
            continue
        age = (now - row.modified_at) // timedelta(days=1)
        if age > days:
            prev = out.get(row.location)
            if prev is None or days < prev[1]:
                out[row.location] = (age, days, row.category)
    return out
