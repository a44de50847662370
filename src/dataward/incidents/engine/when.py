"""Parse the instants an incident handler types or a register holds, always as aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from dataward.core.engine.tabular import quoted
from dataward.errors import DatawardError

FORMAT_HINT = "write YYYY-MM-DDTHH:MM with Z or an offset, e.g. 2026-11-20T09:30Z"


def parse_instant(text: str, where: str, *, now: datetime | None = None) -> datetime:
    """Return an aware UTC datetime from ISO text; a time without an offset is taken as UTC.

    A bare date means midnight UTC of that day. With ``now`` given, an instant after it is
    refused: nobody becomes aware of an incident, or notifies anyone, in the future.
    """
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise DatawardError(f"{quoted(text)} is not a date and time", where, FORMAT_HINT) from None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if now is not None and value > now:
        raise DatawardError(
            f"{value.isoformat(timespec='minutes')} is in the future", where, "give a past time"
        )
    return value


def stamp(value: datetime | None) -> str:
    """Return an instant as ISO text in UTC to the minute (empty for None)."""
    if value is None:
        return ""
    return value.astimezone(UTC).isoformat(timespec="minutes").replace("+00:00", "Z")
