"""Read syslog: RFC 5424 with structured data, RFC 3164 (BSD) and ISO-stamped file lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from dataward.monitoring.engine.ingest.mapping import Mapping
from dataward.monitoring.engine.ingest.normalise import Normaliser
from dataward.monitoring.engine.ingest.records import (
    TOO_LONG,
    Malformed,
    Record,
    iter_lines,
    seek_to,
)
from dataward.monitoring.engine.ingest.timestamps import TimeParser, zone

RFC5424 = re.compile(r"<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+)(?: (.*))?", re.S)
BSD = re.compile(r"(?:<(\d{1,3})>)?([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) +(.*)", re.S)
ISO = re.compile(r"(?:<(\d{1,3})>)?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*) +(.*)", re.S)
TAG = re.compile(r"([^\s\[\]:]{1,64})(?:\[([^\]\s]{0,32})\])?:(?: |$)")
SD_ID = re.compile(r'\[([^\s\]="]{1,64})')
SD_PARAM = re.compile(r' +([^\s\]="]{1,64})="([^"\\]*(?:\\.[^"\\]*)*)"', re.S)
UNESCAPE = re.compile(r'\\([\\"\]])')
MONTHS = {
    m: n
    for n, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
NIL = "-"


class SyslogReader:
    """Parse syslog lines for one mapping, inferring RFC 3164 years against ``now``."""

    def __init__(self, norm: Normaliser, mapping: Mapping, now: datetime) -> None:
        self.norm = norm
        self.zone = zone(mapping.timezone)
        self.time = TimeParser("iso", mapping.timezone, "the syslog header")
        self.limit = now.astimezone(UTC) + timedelta(days=1)

    def parse(self, text: str, line: int, end: int) -> Record:
        """Return one syslog line as a Parsed or Malformed record."""
        out: dict[str, Any] = {}
        match = RFC5424.match(text)
        if match:
            ts: datetime | str = self._rfc5424(match, out)
        elif match := BSD.match(text):
            ts = self._bsd(match, out)
        elif match := ISO.match(text):
            ts = self.time.iso(match[2])
            self._host_tag(match[3], out)
        else:
            return Malformed(line, end, "not a syslog line (no <PRI> header or timestamp)")
        if isinstance(ts, str):
            return Malformed(line, end, ts)
        pri = match[1]
        if pri is not None:
            code = int(pri)
            if code > 191:
                return Malformed(line, end, "syslog priority is out of range (0 to 191)")
            out["log.syslog.priority"] = code
            out["log.syslog.facility.code"] = code >> 3
            out["log.syslog.severity.code"] = code & 7
        return self.norm.finish(out, line, end, ts=ts)

    def _rfc5424(self, match: re.Match[str], out: dict[str, Any]) -> datetime | str:
        """Fill ``out`` from an RFC 5424 header and structured data; return the time."""
        stamp, host, app, procid, msgid, rest = match.group(3, 4, 5, 6, 7, 8)
        if host != NIL:
            out["host.hostname"] = out["host.name"] = host
        if app != NIL:
            out["process.name"] = app
        if procid != NIL:
            if procid.isdigit():
                out["process.pid"] = int(procid)
            else:
                out["log.syslog.procid"] = procid
        if msgid != NIL:
            out["event.code"] = msgid
        if rest:
            problem = self._structured(rest, out)
            if problem:
                return problem
        if stamp == NIL:
            return "no timestamp in the syslog header"
        return self.time.iso(stamp)

    def _structured(self, rest: str, out: dict[str, Any]) -> str | None:
        """Read structured data and the message from ``rest``; return a problem or None."""
        pos = 0
        if rest.startswith(NIL):
            pos = 1
        else:
            target = self.norm.target
            while rest.startswith("[", pos):
                element = SD_ID.match(rest, pos)
                if element is None:
                    return "syslog structured data element has no id"
                prefix = element[1].partition("@")[0] + "."
                pos = element.end()
                while param := SD_PARAM.match(rest, pos):
                    value = param[2]
                    if "\\" in value:
                        value = UNESCAPE.sub(r"\1", value)
                    name = target(prefix + param[1])
                    if name:
                        out[name] = value
                    pos = param.end()
                if not rest.startswith("]", pos):
                    return "syslog structured data is not closed or has a bad parameter"
                pos += 1
        message = rest[pos + 1 :] if rest.startswith(" ", pos) else rest[pos:]
        if message.startswith("\ufeff"):
            message = message[1:]
        if message:
            out["message"] = message
        return None

    def _bsd(self, match: re.Match[str], out: dict[str, Any]) -> datetime | str:
        """Fill ``out`` from an RFC 3164 line; return the time with its year inferred."""
        month = MONTHS.get(match[2])
        if month is None:
            return "timestamp in the syslog header is not a date (unknown month)"
        day, hour, minute, second = (int(g) for g in match.group(3, 4, 5, 6))
        self._host_tag(match[7], out)
        for year in range(self.limit.year, self.limit.year - 8, -1):
            try:
                ts = datetime(year, month, day, hour, minute, second, tzinfo=self.zone)
            except ValueError:
                continue
            if ts <= self.limit:
                return ts.astimezone(UTC)
        return "timestamp in the syslog header is not a date (no such day)"

    def _host_tag(self, rest: str, out: dict[str, Any]) -> None:
        """Fill host, process name and pid and message from ``host tag[pid]: message``."""
        first, _, tail = rest.partition(" ")
        if first.endswith(":"):
            tail = rest
        elif first:
            out["host.hostname"] = out["host.name"] = first
        tag = TAG.match(tail)
        if tag:
            out["process.name"] = tag[1]
            pid = tag[2]
            if pid:
                if pid.isdigit():
                    out["process.pid"] = int(pid)
                else:
                    out["log.syslog.procid"] = pid
            tail = tail[tag.end() :]
        if tail:
            out["message"] = tail


def read_syslog(
    stream: BinaryIO, norm: Normaliser, mapping: Mapping, start: int, start_line: int, now: datetime
) -> Iterator[Record]:
    """Yield one Parsed or Malformed per non-blank syslog line."""
    parse = SyslogReader(norm, mapping, now).parse
    seek_to(stream, start)
    for line, end, raw in iter_lines(stream, start, start_line):
        if not raw:
            yield Malformed(line, end, TOO_LONG)
            continue
        text = raw.decode("utf-8", "replace").rstrip("\r\n")
        if text.strip():
            yield parse(text, line, end)
