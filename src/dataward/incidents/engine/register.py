"""Parse an incident register (JSON) and impact options into plain specs, with one-line errors.

The register format (``dataward-incident-register/1``) is described in docs/incidents.md; every
error names the file, the incident's position and id, and the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dataward.core.engine.clients import DATA_CATEGORIES, SLUG_RE
from dataward.core.engine.tabular import quoted
from dataward.errors import DatawardError, ImportFileError
from dataward.incidents.engine.when import parse_instant
from dataward.incidents.engine.workflow import CLOSED, STATUSES

SCHEMA = "dataward-incident-register/1"
SEVERITIES = ("low", "medium", "high", "critical")
MAX_TITLE = 200
INCIDENT_KEYS = frozenset(
    {"id", "title", "description", "severity", "status", "detected_at", "occurred_at"}
    | {"reported_by", "handler", "lessons_learned", "closed_at", "playbooks", "affected"}
    | {"notifications", "timeline"}
)


@dataclass(frozen=True)
class ImpactSpec:
    """One affected client as given: categories (empty = assume the client's), record count."""

    client: str
    categories: tuple[str, ...] = ()
    records: int | None = None
    personal_data: bool | None = None  # None: derive from the categories


@dataclass(frozen=True)
class NoticeSpec:
    """A notification made (or decided not to be required) for one clock."""

    rule: str
    client: str
    at: datetime | None
    by: str
    note: str
    not_required: bool = False


@dataclass(frozen=True)
class EntrySpec:
    """One timeline entry of an imported incident."""

    at: datetime
    actor: str
    text: str


@dataclass(frozen=True)
class IncidentSpec:
    """One incident of a register, validated field by field."""

    where: str
    source_ref: str
    title: str
    description: str
    severity: str
    status: str
    detected_at: datetime
    occurred_at: datetime | None
    reported_by: str
    handler: str
    lessons_learned: str
    closed_at: datetime | None
    playbooks: tuple[str, ...]
    impacts: tuple[ImpactSpec, ...]
    notices: tuple[NoticeSpec, ...]
    timeline: tuple[EntrySpec, ...]


def parse_impact(text: str, where: str) -> ImpactSpec:
    """Parse ``SLUG``, ``SLUG:CAT,CAT`` or ``SLUG:CAT,CAT:RECORDS`` (an --client value)."""
    parts = text.split(":")
    if len(parts) > 3 or not SLUG_RE.match(parts[0].strip()):
        raise DatawardError(
            f"{text!r} is not SLUG[:CATEGORIES[:RECORDS]]", where, "write carewell:PHI,PII:140"
        )
    cats = (
        tuple(c.strip().upper() for c in parts[1].split(",") if c.strip()) if len(parts) > 1 else ()
    )
    _categories(list(cats), where)
    records = None
    if len(parts) == 3 and parts[2].strip():
        if not parts[2].strip().isdigit():
            raise DatawardError(f"record count {parts[2]!r} is not a whole number", where, "fix it")
        records = int(parts[2])
    return ImpactSpec(parts[0].strip(), cats, records)


def _categories(values: Any, where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or any(v not in DATA_CATEGORIES for v in values):
        raise DatawardError(
            "data categories must be among " + ", ".join(DATA_CATEGORIES), where, "fix them"
        )
    return tuple(values)


def parse_register(text: str, where: str, now: datetime) -> list[IncidentSpec]:
    """Return every incident of a register document, validating all before any is stored."""
    try:
        data = json.loads(text)
    except ValueError:
        raise ImportFileError("not valid JSON", where, "fix the file") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ImportFileError(
            f"not an incident register ({SCHEMA})", where, "see docs/incidents.md"
        )
    items = data.get("incidents")
    if not isinstance(items, list):
        raise ImportFileError("'incidents' must be a list", where, "fix the file")
    specs = [_incident(item, where, n, now) for n, item in enumerate(items, start=1)]
    seen: set[str] = set()
    for spec in specs:
        if spec.source_ref in seen:
            raise ImportFileError(
                f"id {quoted(spec.source_ref)} appears twice", spec.where, "fix it"
            )
        seen.add(spec.source_ref)
    return specs


class _Fields:
    """Read one incident's fields, naming the incident and field in every error."""

    def __init__(self, item: Mapping[str, Any], where: str, now: datetime) -> None:
        self.item, self.where, self.now = item, where, now

    def fail(self, key: str, what: str, hint: str = "fix it") -> ImportFileError:
        return ImportFileError(f"field {key!r} {what}", self.where, hint)

    def text(self, key: str, required: bool = False) -> str:
        value = self.item.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(key, "must be text" if not required else "is required text", "add it")
        return value.strip()

    def at(self, key: str) -> datetime:
        value = self.when(key)
        if value is None:
            raise self.fail(key, "is required", "give an ISO date and time")
        return value

    def when(self, key: str, required: bool = False) -> datetime | None:
        value = self.item.get(key)
        if value in (None, ""):
            if required:
                raise self.fail(key, "is required", "give an ISO date and time")
            return None
        if not isinstance(value, str):
            raise self.fail(key, "must be an ISO date and time")
        try:
            return parse_instant(value, self.where, now=self.now)
        except DatawardError as exc:
            raise self.fail(key, exc.what, exc.hint or "fix it") from None

    def rows(self, key: str) -> list[Mapping[str, Any]]:
        value = self.item.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, "must be a list of mappings")
        return value


def _incident(item: Any, path: str, n: int, now: datetime) -> IncidentSpec:
    """Validate one register entry."""
    where = f"{path}, incident {n}"
    if not isinstance(item, dict):
        raise ImportFileError("an incident must be a mapping", where, "fix it")
    if isinstance(item.get("id"), str) and item["id"].strip():
        where = f"{where} ({item['id'].strip()})"
    f = _Fields(item, where, now)
    extra = sorted(set(item) - INCIDENT_KEYS)
    if extra:
        raise f.fail(extra[0], "is unknown", f"use {', '.join(sorted(INCIDENT_KEYS))}")
    severity, status = f.text("severity", True), f.text("status") or "reported"
    if severity not in SEVERITIES:
        raise f.fail("severity", f"is {quoted(severity)}", f"use {', '.join(SEVERITIES)}")
    if status not in STATUSES:
        raise f.fail("status", f"is {quoted(status)}", f"use {', '.join(STATUSES)}")
    detected = f.at("detected_at")
    occurred, closed = f.when("occurred_at"), f.when("closed_at")
    if occurred and occurred > detected:
        raise f.fail("occurred_at", "is after detected_at", "awareness follows the event")
    if (status == CLOSED) != (closed is not None):
        raise f.fail("closed_at", "is given exactly when status is closed", "fix one of them")
    if closed and closed < detected:
        raise f.fail("closed_at", "is before detected_at", "fix it")
    title = f.text("title", True)
    if len(title) > MAX_TITLE:
        raise f.fail("title", f"is longer than {MAX_TITLE} characters", "shorten it")
    playbooks = item.get("playbooks") or []
    if not isinstance(playbooks, list) or not all(isinstance(p, str) for p in playbooks):
        raise f.fail("playbooks", "must be a list of playbook names")
    if playbooks and status == CLOSED:
        raise f.fail("playbooks", "is refused on a closed incident", "drop it: the work is done")
    impacts = tuple(_affected(r, f, i) for i, r in enumerate(f.rows("affected"), 1))
    slugs = [i.client for i in impacts]
    twice = next((s for s in slugs if slugs.count(s) > 1), None)
    if twice:  # the second entry would silently overwrite the first one's impact
        raise f.fail("affected", f"names client {quoted(twice)} twice", "merge the two entries")
    return IncidentSpec(
        where=where,
        source_ref=f.text("id", True),
        title=title,
        description=f.text("description"),
        severity=severity,
        status=status,
        detected_at=detected,
        occurred_at=occurred,
        reported_by=f.text("reported_by"),
        handler=f.text("handler"),
        lessons_learned=f.text("lessons_learned"),
        closed_at=closed,
        playbooks=tuple(playbooks),
        impacts=impacts,
        notices=tuple(_notice(r, f, i) for i, r in enumerate(f.rows("notifications"), 1)),
        timeline=tuple(_entry(r, f, i) for i, r in enumerate(f.rows("timeline"), 1)),
    )


def _affected(row: Mapping[str, Any], f: _Fields, i: int) -> ImpactSpec:
    sub = _Fields(row, f"{f.where}, affected {i}", f.now)
    slug = sub.text("client", True)
    cats = _categories(row.get("data_categories") or [], f"{sub.where}, field 'data_categories'")
    records = row.get("records")
    if records is not None and (not isinstance(records, int) or isinstance(records, bool)):
        raise sub.fail("records", "must be a whole number or null")
    if records is not None and records < 0:
        raise sub.fail("records", "must not be negative")
    personal = row.get("personal_data")
    if personal is not None and not isinstance(personal, bool):
        raise sub.fail("personal_data", "must be true, false or null")
    return ImpactSpec(slug, cats, records, personal)


def _notice(row: Mapping[str, Any], f: _Fields, i: int) -> NoticeSpec:
    sub = _Fields(row, f"{f.where}, notification {i}", f.now)
    skip = row.get("not_required", False)
    if not isinstance(skip, bool):
        raise sub.fail("not_required", "must be true or false")
    at = sub.when("at", required=not skip)
    if at and at < f.at("detected_at"):
        raise sub.fail("at", "is before the incident was detected", "fix it")
    note = sub.text("note", required=skip)
    return NoticeSpec(
        sub.text("rule", True), sub.text("client", True), at, sub.text("by"), note, skip
    )


def _entry(row: Mapping[str, Any], f: _Fields, i: int) -> EntrySpec:
    sub = _Fields(row, f"{f.where}, timeline {i}", f.now)
    return EntrySpec(sub.at("at"), sub.text("actor"), sub.text("text", True))
