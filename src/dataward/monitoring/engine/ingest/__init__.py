"""Read log files into normalised Elastic Common Schema events, streaming in bounded memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from dataward.monitoring.engine.ingest.csvlog import read_csv
from dataward.monitoring.engine.ingest.jsonl import read_jsonl
from dataward.monitoring.engine.ingest.mapping import (
    FORMATS,
    Mapping,
    load_mapping,
    shipped_mappings,
)
from dataward.monitoring.engine.ingest.normalise import Normaliser
from dataward.monitoring.engine.ingest.records import Malformed, Parsed
from dataward.monitoring.engine.ingest.syslog import read_syslog
from dataward.monitoring.engine.ingest.windows import read_windows

__all__ = [
    "FORMATS",
    "Malformed",
    "Mapping",
    "Parsed",
    "load_mapping",
    "read_events",
    "shipped_mappings",
]


def read_events(
    stream: BinaryIO,
    mapping: Mapping,
    *,
    start: int = 0,
    start_line: int = 0,
    now: datetime | None = None,
) -> Iterator[Parsed | Malformed]:
    """Yield each record of a binary log stream as Parsed or Malformed, in file order.

    Args:
        stream: a binary file object (a file opened "rb" or ``sys.stdin.buffer``).
        mapping: how the records become ECS events (see :func:`load_mapping`).
        start: byte offset to resume from (a previous record's ``end``).
        start_line: physical lines before ``start`` (a previous record's ``last_line``).
        now: the time RFC 3164 syslog years are inferred against (default: the current time).
    """
    norm = Normaliser(mapping)
    if mapping.format == "jsonl":
        return read_jsonl(stream, norm, start, start_line)
    if mapping.format == "csv":
        return read_csv(stream, norm, mapping, start, start_line)
    if mapping.format == "syslog":
        moment = now or datetime.now(UTC)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return read_syslog(stream, norm, mapping, start, start_line, moment)
    return read_windows(stream, norm, start, start_line)
