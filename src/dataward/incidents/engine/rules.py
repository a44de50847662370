"""Read notification rules from YAML and decide which apply to an affected client.

A rule names who must be told (its audience), how long after awareness (hours, days, or the
client's contractual deadline) and when it applies: the client's frameworks, the affected data
categories, whether personal data is affected, and a minimum number of records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import yaml

from dataward.core.engine.clients import DATA_CATEGORIES, FRAMEWORKS
from dataward.errors import DatawardError

ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
RULE_KEYS = frozenset(
    {"id", "title", "audience", "hours", "days", "deadline", "due_soon_hours", "due_soon_days"}
    | {"applies_when"}
)
WHEN_KEYS = frozenset({"frameworks", "categories", "personal_data", "min_records"})
DUE_SOON_HOURS = 24  # default warning window of an hour-based rule
DUE_SOON_DAYS = 7  # default warning window of a day-based rule


@dataclass(frozen=True)
class Rule:
    """One notification duty: to whom, how soon after awareness, and when it applies."""

    id: str
    title: str
    audience: str
    hours: int | None = None
    days: int | None = None
    contract: bool = False  # the deadline is the client's breach_notification_hours
    frameworks: tuple[str, ...] = ()  # any of these among the client's frameworks
    categories: tuple[str, ...] = ()  # any of these among the affected categories
    personal_data: bool = False  # only when personal data is affected (and records != 0)
    min_records: int = 0  # only when at least this many records (unknown counts as enough)
    soon: timedelta = timedelta(hours=DUE_SOON_HOURS)

    def window(self, contract_hours: int | None) -> timedelta | None:
        """Return the time allowed after awareness, or None when the rule has no deadline."""
        if self.contract:
            return timedelta(hours=contract_hours) if contract_hours else None
        if self.days is not None:
            return timedelta(days=self.days)
        return timedelta(hours=self.hours or 0)

    def as_dict(self) -> dict[str, Any]:
        """Return the rule in its YAML shape (stored with an incident that used --rules)."""
        out: dict[str, Any] = {"id": self.id, "title": self.title, "audience": self.audience}
        if self.contract:
            out["deadline"] = "contract"
        elif self.days is not None:
            out["days"] = self.days
        else:
            out["hours"] = self.hours
        out["due_soon_hours"] = int(self.soon.total_seconds() // 3600)
        out["applies_when"] = {
            "frameworks": list(self.frameworks),
            "categories": list(self.categories),
            "personal_data": self.personal_data,
            "min_records": self.min_records,
        }
        return out


@dataclass(frozen=True)
class Affected:
    """What a rule reads about one affected client: its record and the incident's impact."""

    client: str
    frameworks: tuple[str, ...]
    categories: tuple[str, ...]
    records: int | None
    personal_data: bool
    contract_hours: int | None


def applies(rule: Rule, who: Affected) -> bool:
    """Return whether the rule applies to this affected client."""
    if rule.contract and not who.contract_hours:
        return False
    if rule.frameworks and not set(rule.frameworks) & set(who.frameworks):
        return False
    if rule.categories and not set(rule.categories) & set(who.categories):
        return False
    if rule.personal_data and (not who.personal_data or who.records == 0):
        return False
    return not (rule.min_records and who.records is not None and who.records < rule.min_records)


def parse_rules(text: str, where: str) -> list[Rule]:
    """Return the rules of a YAML document, or raise one line naming the rule and field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise DatawardError("not valid YAML", where, "fix the file's syntax") from None
    if isinstance(data, dict):
        data = data.get("rules")
    if not isinstance(data, list) or not data:
        raise DatawardError(
            "expected a list of rules under 'rules:'", where, "see docs/incidents.md"
        )
    rules = [_rule(item, f"{where}, rule {n}") for n, item in enumerate(data, start=1)]
    ids = [r.id for r in rules]
    dup = next((i for i in ids if ids.count(i) > 1), None)
    if dup:
        raise DatawardError(f"rule id {dup!r} appears twice", where, "give each rule its own id")
    return rules


def _rule(item: Any, where: str) -> Rule:
    """Build one Rule from its mapping."""
    if not isinstance(item, dict):
        raise DatawardError("a rule must be a mapping", where, "write id:, audience:, hours:")
    extra = sorted(set(item) - RULE_KEYS)
    if extra:
        raise DatawardError(f"unknown field {extra[0]!r}", where, f"use {', '.join(RULE_KEYS)}")
    rid = item.get("id")
    if not isinstance(rid, str) or not ID_RE.match(rid):
        raise DatawardError(
            "field 'id' must be lowercase letters, digits and underscores", where, "e.g. gdpr_art33"
        )
    where = f"{where} ({rid})"
    audience = _text(item, "audience", where)
    title = str(item.get("title") or f"Notify the {audience}")
    deadline = [k for k in ("hours", "days", "deadline") if item.get(k) is not None]
    if len(deadline) != 1:
        raise DatawardError(
            "give exactly one of 'hours', 'days' or 'deadline: contract'", where, "fix the rule"
        )
    contract = deadline[0] == "deadline"
    if contract and item["deadline"] != "contract":
        raise DatawardError("field 'deadline' takes only 'contract'", where, "or use hours:")
    hours = None if contract or deadline[0] == "days" else _count(item, "hours", where)
    days = _count(item, "days", where) if deadline[0] == "days" else None
    when = item.get("applies_when") or {}
    if not isinstance(when, dict):
        raise DatawardError("field 'applies_when' must be a mapping", where, "fix the rule")
    extra = sorted(set(when) - WHEN_KEYS)
    if extra:
        raise DatawardError(
            f"unknown field 'applies_when.{extra[0]}'", where, f"use {', '.join(sorted(WHEN_KEYS))}"
        )
    personal = when.get("personal_data", False)
    if not isinstance(personal, bool):
        raise DatawardError("'applies_when.personal_data' must be true or false", where, "fix it")
    return Rule(
        id=rid,
        title=title,
        audience=audience,
        hours=hours,
        days=days,
        contract=contract,
        frameworks=_names(when, "frameworks", FRAMEWORKS, where),
        categories=_names(when, "categories", DATA_CATEGORIES, where),
        personal_data=personal,
        min_records=_count(when, "min_records", where, zero=True) if "min_records" in when else 0,
        soon=_soon(item, days is not None, where),
    )


def _text(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DatawardError(f"field {key!r} is required text", where, "add it")
    return value.strip()


def _count(item: Mapping[str, Any], key: str, where: str, zero: bool = False) -> int:
    value = item.get(key)
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= (0 if zero else 1)
    if not ok:
        raise DatawardError(f"field {key!r} must be a whole number", where, "fix it")
    return int(value)  # type: ignore[arg-type]


def _names(
    when: Mapping[str, Any], key: str, allowed: Sequence[str], where: str
) -> tuple[str, ...]:
    values = when.get(key) or []
    if not isinstance(values, list) or any(v not in allowed for v in values):
        raise DatawardError(
            f"'applies_when.{key}' must list values among {', '.join(allowed)}", where, "fix it"
        )
    return tuple(values)


def _soon(item: Mapping[str, Any], by_days: bool, where: str) -> timedelta:
    if item.get("due_soon_hours") is not None:
        return timedelta(hours=_count(item, "due_soon_hours", where, zero=True))
    if item.get("due_soon_days") is not None:
        return timedelta(days=_count(item, "due_soon_days", where, zero=True))
    return timedelta(days=DUE_SOON_DAYS) if by_days else timedelta(hours=DUE_SOON_HOURS)


def merge(*sets: Iterable[Rule]) -> list[Rule]:
    """Return the rules of every set; a later rule with the same id replaces an earlier one."""
    merged: dict[str, Rule] = {}
    for rules in sets:
        for rule in rules:
            merged[rule.id] = rule
    return list(merged.values())
