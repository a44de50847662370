"""Find what is kept past its retention, what is held, and extracts kept in several places."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dataward.discovery.engine.inventory import duplicates as shared_values
from dataward.retention.engine.policy import Rule, _glob, applicable


@dataclass(frozen=True)
class Holding:
    """One location of a client's inventory and what it holds."""

    location: str  # the full path of a file, or url#schema.table
    rel: str  # the path below the scanned root
    kind: str  # file or table
    categories: tuple[str, ...]
    records: int  # sensitive values found (the inventory's counts)
    size: int
    modified_at: datetime | None
    sha256: str = ""
    approved: bool = True  # every category it holds is approved where it sits


@dataclass(frozen=True)
class Hold:
    """A legal hold: what it covers (a path glob and/or a category) and since when."""

    ref: str
    matter: str
    path: str
    category: str
    placed_at: datetime
    released_at: datetime | None = None

    def covers(self, holding: Holding, at: datetime) -> bool:
        """Return whether the hold was in force at a time and covers the location."""
        if self.placed_at > at or (self.released_at is not None and self.released_at <= at):
            return False
        if self.category and self.category not in holding.categories:
            return False
        return not self.path or _glob(holding.location, self.path) or _glob(holding.rel, self.path)


@dataclass(frozen=True)
class Overdue:
    """A location kept past the retention of a category it holds."""

    location: str
    rel: str
    kind: str
    category: str
    keep_days: int
    age_days: int
    size: int
    records: int
    note: str
    held_by: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # every category the location holds


@dataclass(frozen=True)
class Duplicate:
    """The same extract kept in several places."""

    original: str
    copy: str
    how: str  # "same content" or "same sensitive values"
    shared: int
    forgotten: bool  # the copy sits where its data is not approved


def overdue(
    holdings: Iterable[Holding],
    rules: Sequence[Rule],
    client: str,
    now: datetime,
    holds: Sequence[Hold] = (),
) -> list[Overdue]:
    """Return each location past the shortest retention of what it holds, with any holds on it.

    A file's age counts from its last modification (the time its content was last written). A
    table has no age of its own; its rows need a date column (see docs/retention.md).
    """
    out = []
    for h in holdings:
        if h.kind != "file" or h.modified_at is None:
            continue
        age = (now - h.modified_at) // timedelta(days=1)
        worst: tuple[int, str, Rule] | None = None
        for category in h.categories:
            rule = applicable(rules, client, category, h.kind, h.rel)
            if rule is None or rule.date_column or age <= rule.keep_days:
                continue  # a date-column rule is judged by its rows (see measure)
            if worst is None or rule.keep_days < worst[0]:
                worst = (rule.keep_days, category, rule)
        if worst is None:
            continue
        days, category, rule = worst
        held = tuple(x.ref for x in holds if x.covers(h, now))
        out.append(
            Overdue(
                h.location,
                h.rel,
                h.kind,
                category,
                days,
                age,
                h.size,
                h.records,
                rule.note,
                held,
                h.categories,
            )
        )
    return sorted(out, key=lambda o: o.location)


def duplicate_extracts(
    holdings: Sequence[Holding], fingerprints: Mapping[str, set[str]]
) -> list[Duplicate]:
    """Return copies of one extract: same bytes, or the same set of sensitive values.

    Locations linked by either test form one group (one extract); the first by path is its
    original and every other member is one copy of it, so three copies of an extract are two
    copies, never three pairs.
    """
    by_path = {h.location: h for h in holdings if h.kind == "file"}
    parent = {p: p for p in by_path}

    def top(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    def join(a: str, b: str) -> None:
        ra, rb = sorted((top(a), top(b)))
        parent[rb] = ra

    by_hash: dict[str, list[str]] = {}
    for h in by_path.values():
        if h.sha256 and h.records:
            by_hash.setdefault(h.sha256, []).append(h.location)
    for paths in by_hash.values():
        for other in paths[1:]:
            join(paths[0], other)
    for a, b, _ in shared_values({k: v for k, v in fingerprints.items() if k in by_path}):
        join(a, b)
    groups: dict[str, list[str]] = {}
    for p in sorted(by_path):
        groups.setdefault(top(p), []).append(p)
    out = []
    for first, *rest in groups.values():
        for other in rest:
            orig, copy = by_path[first], by_path[other]
            same = bool(orig.sha256) and orig.sha256 == copy.sha256
            shared = len(fingerprints.get(first, set()) & fingerprints.get(other, set()))
            how = "same content" if same else "same sensitive values"
            out.append(
                Duplicate(first, other, how, copy.records if same else shared, not copy.approved)
            )
    return sorted(out, key=lambda d: (d.original, d.copy))
