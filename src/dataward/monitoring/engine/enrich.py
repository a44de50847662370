"""Add what the workspace knows to an event: the client's hours, who the user is, what a file holds.

The BPO rules need facts no log line carries: whether 02:00 is outside *this client's* working
hours in *its* time zone, whether the account belongs to someone assigned to that client, who has
left, who is privileged, which files the discovery scan found sensitive data in. These arrive as
``dataward.*`` fields so a Sigma rule can test them like any other field:

    dataward.client                  the client the event belongs to
    dataward.local_time              HH:MM in the client's time zone
    dataward.client.off_hours        true outside the client's working hours (absent: hours unknown)
    dataward.user.known              true when the account resolves to a person on the HR roster
    dataward.user.assigned           true when that person is assigned to the event's client
    dataward.user.terminated         true when the event falls after the person's end date
    dataward.user.privileged         true when the account is privileged (directory, entitlement)
    dataward.file.sensitive          true when file.path (or an attachment) holds sensitive data
    dataward.destination.external    true when an e-mail recipient's domain is not internal

A fact the workspace does not know is left out (Sigma: null), so a rule asking ``false`` never
fires on missing knowledge.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class PersonFacts:
    """What the roster and directory say about one person."""

    employee_id: str
    clients: frozenset[str]
    end_date: date | None
    terminated: bool
    privileged: bool = False


@dataclass(frozen=True)
class ClientFacts:
    """One client's time zone and working hours (minutes after midnight, end exclusive)."""

    slug: str
    zone: ZoneInfo
    start: int | None = None
    end: int | None = None
    privileged_accounts: frozenset[str] = frozenset()

    def off_hours(self, minute: int) -> bool | None:
        """Return whether a local minute of the day is outside working hours (None: unknown)."""
        if self.start is None or self.end is None:
            return None
        if self.start == self.end:  # 00:00-00:00: round the clock
            return False
        if self.start < self.end:
            return not (self.start <= minute < self.end)
        return self.end <= minute < self.start


def parse_hours(text: str) -> tuple[int, int] | None:
    """Return ``08:00-20:00`` as minutes (480, 1200); None for blank text."""
    if not text.strip():
        return None
    start, end = text.split("-")
    return _minutes(start), _minutes(end)


def _minutes(hhmm: str) -> int:
    """Return HH:MM as minutes after midnight."""
    hours, minutes = hhmm.strip().split(":")
    return int(hours) * 60 + int(minutes)


@dataclass
class Enricher:
    """Look up people, clients and sensitive files; set the ``dataward.*`` fields on events."""

    people: dict[str, PersonFacts] = field(default_factory=dict)
    clients: dict[str, ClientFacts] = field(default_factory=dict)
    sensitive_paths: frozenset[str] = frozenset()
    sensitive_names: frozenset[str] = frozenset()
    internal_domains: frozenset[str] = frozenset()
    operation: str = ""
    _offsets: dict[tuple[str, int], timedelta] = field(default_factory=dict)

    def apply(self, ev: dict[str, Any], client: str, ts: datetime, wanted: set[str]) -> None:
        """Set the enrichment fields the rules read (``wanted``) on one event, in place."""
        ev["dataward.client"] = client
        facts = self.clients.get(client)
        if facts is not None and wanted & _TIME_FIELDS:
            local = ts + self._offset(facts, ts)
            minute = local.hour * 60 + local.minute
            ev["dataward.local_time"] = f"{local.hour:02d}:{local.minute:02d}"
            off = facts.off_hours(minute)
            if off is not None:
                ev["dataward.client.off_hours"] = off
        if wanted & _USER_FIELDS:
            self._user(ev, client, ts, facts)
        if "dataward.file.sensitive" in wanted:
            sensitive = self._file_sensitive(ev)
            if sensitive is not None:
                ev["dataward.file.sensitive"] = sensitive
        if "dataward.destination.external" in wanted:
            external = self._external(ev)
            if external is not None:
                ev["dataward.destination.external"] = external

    def _offset(self, facts: ClientFacts, ts: datetime) -> timedelta:
        """Return the client's UTC offset at ts, cached per quarter hour.

        Not per hour: some zones change their offset at a half or quarter hour of UTC
        (Australia/Adelaide at 16:30 UTC, Asia/Kathmandu's offsets end in :45).
        """
        key = (facts.slug, int(ts.timestamp()) // 900)
        found = self._offsets.get(key)
        if found is None:
            found = ts.astimezone(facts.zone).utcoffset() or timedelta(0)
            self._offsets[key] = found
        return found

    def _user(
        self, ev: dict[str, Any], client: str, ts: datetime, facts: ClientFacts | None
    ) -> None:
        """Set the user facts when the account resolves to a person."""
        name = ev.get("user.name")
        if not isinstance(name, str) or not name:
            return
        key = name.strip().lower()
        person = self.people.get(key) or self.people.get(key.split("\\")[-1])
        if facts is not None and facts.privileged_accounts:
            ev["dataward.user.privileged"] = key in facts.privileged_accounts or bool(
                person and person.privileged
            )
        elif person is not None:
            ev["dataward.user.privileged"] = person.privileged
        if person is None:
            ev["dataward.user.known"] = False
            return
        ev["dataward.user.known"] = True
        if facts is not None and client != self.operation:
            ev["dataward.user.assigned"] = client in person.clients
        if person.end_date is not None:
            local = ts + (self._offset(facts, ts) if facts else timedelta(0))
            ev["dataward.user.terminated"] = local.date() > person.end_date
        elif person.terminated:
            ev["dataward.user.terminated"] = True

    def _file_sensitive(self, ev: dict[str, Any]) -> bool | None:
        """Return whether a file or attachment named by the event holds sensitive data."""
        names: list[str] = []
        for key in ("file.path", "file.name", "email.attachments.file.name"):
            value = ev.get(key)
            if isinstance(value, list):
                names += [v for v in value if isinstance(v, str)]
            elif isinstance(value, str) and value:
                names.append(value)
        if not names:
            return None
        for name in names:
            norm = name.replace("\\", "/").strip().lower()
            if norm in self.sensitive_paths or posixpath.basename(norm) in self.sensitive_names:
                return True
        return False

    def _external(self, ev: dict[str, Any]) -> bool | None:
        """Return whether any e-mail recipient is outside the internal domains."""
        to = ev.get("email.to.address")
        recipients = to if isinstance(to, list) else [to] if isinstance(to, str) else []
        domains = [r.rsplit("@", 1)[-1].strip().lower() for r in recipients if "@" in str(r)]
        if not domains:
            return None
        return any(not _internal(d, self.internal_domains) for d in domains)


def _internal(domain: str, internal: frozenset[str]) -> bool:
    """Return whether a domain is one of the internal domains or a subdomain of one."""
    return any(domain == d or domain.endswith("." + d) for d in internal)


_TIME_FIELDS = {"dataward.local_time", "dataward.client.off_hours"}
_USER_FIELDS = {
    "dataward.user.known",
    "dataward.user.assigned",
    "dataward.user.terminated",
    "dataward.user.privileged",
}
ENRICHED_FIELDS = frozenset(
    {"dataward.client", "dataward.file.sensitive", "dataward.destination.external"}
    | _TIME_FIELDS
    | _USER_FIELDS
)
