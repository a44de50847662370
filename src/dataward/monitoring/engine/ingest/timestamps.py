"""Turn timestamp values (ISO 8601, epoch, .NET /Date()/, strptime) into aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from dataward.monitoring.engine.ingest.records import shape

DOTNET = re.compile(r"/Date\((-?\d{1,15})(?:[+-]\d{4})?\)/")
FORMATS = ("iso", "epoch", "epoch_ms")


def zone(name: str) -> tzinfo:
    """Return the time zone named ``name`` (UTC fast path); raises on an unknown name."""
    return UTC if name in ("UTC", "Z", "Etc/UTC") else ZoneInfo(name)


def utc_text(ts: datetime) -> str:
    """Return an aware UTC datetime as ``2026-11-20T07:00:41Z`` (microseconds when present)."""
    return ts.isoformat()[:-6] + "Z"


class TimeParser:
    """Parse one mapping's timestamp values; a failure is a reason string, never an exception."""

    def __init__(self, fmt: str, timezone: str, field: str) -> None:
        self.fmt = fmt
        self.zone = zone(timezone)
        self.field = field

    def parse(self, value: object) -> datetime | str:
        """Return the aware UTC time of ``value``, or why it is not one."""
        if isinstance(value, bool | list | dict):
            return f"timestamp in {self.field} is a {type(value).__name__}, not a date"
        if self.fmt == "iso":
            return self.iso(value)
        if self.fmt in ("epoch", "epoch_ms"):
            return self._epoch(value, 1000.0 if self.fmt == "epoch_ms" else 1.0)
        text = value if isinstance(value, str) else str(value)
        try:
            ts = datetime.strptime(text.strip(), self.fmt)
        except ValueError:
            return self._not_date(value)
        return self._aware(ts)

    def iso(self, value: object) -> datetime | str:
        """Parse an ISO 8601 string (or a .NET ``/Date(ms)/`` string) into aware UTC."""
        if not isinstance(value, str):
            return self._number_reason()
        try:
            ts = datetime.fromisoformat(value)
        except ValueError:
            match = DOTNET.fullmatch(value.strip())
            if match:
                return self._epoch(int(match[1]), 1000.0)
            stripped = value.strip()
            if stripped and stripped != value:
                return self.iso(stripped)
            return self._not_date(value)
        return self._aware(ts)

    def _aware(self, ts: datetime) -> datetime | str:
        """Attach the mapping's zone to a naive time and convert to UTC."""
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=self.zone)
        try:
            return ts.astimezone(UTC)
        except (OverflowError, ValueError):
            return f"timestamp in {self.field} is out of range"

    def _epoch(self, value: object, divisor: float) -> datetime | str:
        """Parse seconds or milliseconds since 1970 (number or digit string)."""
        try:
            number = float(value) / divisor if isinstance(value, str | int | float) else None
        except ValueError:
            return self._not_date(value)
        if number is None or number != number:
            return self._not_date(value)
        try:
            return datetime.fromtimestamp(number, UTC)
        except (OverflowError, OSError, ValueError):
            return f"timestamp in {self.field} is out of range"

    def _number_reason(self) -> str:
        return (
            f"timestamp in {self.field} is a number, not an ISO date; "
            "set timestamp_format to epoch or epoch_ms"
        )

    def _not_date(self, value: object) -> str:
        return f"timestamp in {self.field} is not a date ({shape(value)})"
