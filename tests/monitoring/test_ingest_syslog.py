"""Syslog ingestion: RFC 5424 with structured data, RFC 3164 year inference, malformed lines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dataward.monitoring.engine.ingest import Malformed, Mapping, Parsed, load_mapping, read_events

CARD = "4111111111111111"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def read(path: Path, text: str, mapping: Mapping | None = None, **kw: Any) -> list[Any]:
    path.write_bytes(text.encode())
    kw.setdefault("now", NOW)
    with path.open("rb") as stream:
        return list(read_events(stream, mapping or load_mapping("syslog"), **kw))


def one(tmp_path: Path, text: str, **kw: Any) -> Parsed:
    [rec] = read(tmp_path / "s.log", text + "\n", **kw)
    assert isinstance(rec, Parsed), rec
    return rec


def test_rfc5424_with_structured_data_and_escapes(tmp_path: Path) -> None:
    rec = one(
        tmp_path,
        '<84>1 2026-11-20T07:00:41.5+01:00 app01 sso 4242 LOGIN_FAIL [auth@32473 user="a\\"b\\\\c" '
        'client="NorthBank" src="10.0.0.9" note="x\\]y"][meta seq="7"] \ufeffbad password',
    )
    assert rec.fields == {
        "@timestamp": "2026-11-20T06:00:41.500000Z",
        "log.syslog.priority": 84,
        "log.syslog.facility.code": 10,
        "log.syslog.severity.code": 4,
        "host.hostname": "app01",
        "host.name": "app01",
        "process.name": "sso",
        "process.pid": 4242,
        "event.code": "LOGIN_FAIL",
        "user.name": 'a"b\\c',
        "client": "NorthBank",
        "source.ip": "10.0.0.9",
        "auth.note": "x]y",
        "meta.seq": "7",
        "message": "bad password",
        "event.action": "failed_login",
        "event.category": "authentication",
        "event.type": "start",
        "event.outcome": "failure",
    }
    assert rec.client == "northbank"


def test_rfc5424_without_structured_data_and_with_nil_fields(tmp_path: Path) -> None:
    rec = one(tmp_path, "<13>1 2026-11-20T07:00:41Z - - procA - - just a message")
    assert rec.fields == {
        "@timestamp": "2026-11-20T07:00:41Z",
        "log.syslog.priority": 13,
        "log.syslog.facility.code": 1,
        "log.syslog.severity.code": 5,
        "log.syslog.procid": "procA",
        "message": "just a message",
    }
    bare = one(tmp_path, "<13>1 2026-11-20T07:00:41Z host app - ID47 -")
    assert "message" not in bare.fields
    assert bare.fields["event.code"] == "ID47"


def test_keep_unmapped_false_drops_unrenamed_sd_params(tmp_path: Path) -> None:
    mapping = Mapping(
        name="t", format="syslog", fields={"*.user": "user.name"}, keep_unmapped=False
    )
    [rec] = read(
        tmp_path / "s.log", '<13>1 2026-11-20T07:00:41Z h a - - [x@1 user="u" k="v"] m\n', mapping
    )
    assert rec.fields["user.name"] == "u"
    assert "x.k" not in rec.fields


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "<38>Nov 20 07:00:41 bastion sshd[812]: Accepted publickey for ann",
            {"host.name": "bastion", "process.name": "sshd", "process.pid": 812},
        ),
        (
            "<38>Nov  2 07:00:41 bastion su: pam_unix(su:session): opened",
            {
                "host.name": "bastion",
                "process.name": "su",
                "message": "pam_unix(su:session): opened",
            },
        ),
        ("Nov 20 07:00:41 bastion CRON[77]: job", {"process.pid": 77, "message": "job"}),
        ("<38>Nov 20 07:00:41 sshd[812]: no host here", {"process.name": "sshd"}),
        ("<38>Nov 20 07:00:41 bastion free text", {"message": "free text"}),
        (
            "2026-11-20T07:00:41.123+00:00 web01 nginx[5]: GET /",
            {"host.name": "web01", "process.name": "nginx", "message": "GET /"},
        ),
    ],
)
def test_rfc3164_and_file_lines(tmp_path: Path, line: str, expected: dict[str, Any]) -> None:
    rec = one(tmp_path, line)
    assert expected.items() <= rec.fields.items()
    assert "host.name" in rec.fields or "no host" in line


@pytest.mark.parametrize(
    ("now", "stamp", "zone", "expected"),
    [
        (datetime(2027, 1, 1, 0, 30, tzinfo=UTC), "Dec 31 23:59:59", "UTC", "2026-12-31T23:59:59Z"),
        (
            datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
            "Jan  1 00:10:00",
            "UTC",
            "2027-01-01T00:10:00Z",
        ),
        (
            datetime(2026, 12, 30, 10, 0, tzinfo=UTC),
            "Jan  1 00:10:00",
            "UTC",
            "2026-01-01T00:10:00Z",
        ),
        (datetime(2026, 3, 1, 0, 0, tzinfo=UTC), "Feb 29 10:00:00", "UTC", "2024-02-29T10:00:00Z"),
        (
            datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
            "Nov 20 15:00:00",
            "Asia/Manila",
            "2026-11-20T07:00:00Z",
        ),
        (datetime(2026, 11, 20, 12, 0), "Nov 20 07:00:00", "UTC", "2026-11-20T07:00:00Z"),
    ],
)
def test_rfc3164_year_is_inferred_from_now(
    tmp_path: Path, now: datetime, stamp: str, zone: str, expected: str
) -> None:
    mapping = Mapping(name="t", format="syslog", timezone=zone)
    [rec] = read(tmp_path / "s.log", f"<13>{stamp} host app: x\n", mapping, now=now)
    assert rec.fields["@timestamp"] == expected


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (f"card {CARD} in a plain line", "not a syslog line (no <PRI> header or timestamp)"),
        (f"<999>1 2026-11-20T07:00:41Z h a - - - {CARD}", "syslog priority is out of range"),
        (
            f'<13>1 2026-11-20T07:00:41Z h a - - [x@1 pan="{CARD}" m',
            "structured data is not closed",
        ),
        (f"<13>1 2026-11-20T07:00:41Z h a - - [x@1 pan={CARD}] m", "structured data is not closed"),
        (f"<13>1 2026-11-20T07:00:41Z h a - - [ pan={CARD}] m", "element has no id"),
        (f"<13>1 {CARD} h a - - - m", "timestamp in the syslog header is not a date (digits 16"),
        (f"<13>1 - h a - - - {CARD}", "no timestamp in the syslog header"),
        (f"<13>Foo 20 07:00:41 h a: {CARD}", "unknown month"),
        (f"<13>Feb 31 07:00:41 h a: {CARD}", "no such day"),
    ],
)
def test_malformed_syslog(tmp_path: Path, line: str, reason: str) -> None:
    good = "<13>1 2026-11-20T07:00:41Z h a - - - ok\n"
    recs = read(tmp_path / "s.log", f"{good}{line}\r\n\r\n{good}")
    assert [type(r) for r in recs] == [Parsed, Malformed, Parsed]
    assert recs[1].line == 2
    assert reason in recs[1].reason
    assert CARD not in recs[1].reason
    assert recs[2].line == 4


def test_overlong_line_and_resume(tmp_path: Path) -> None:
    lines = [f"<13>1 2026-11-20T07:00:{n:02d}Z h a - - - m{n}\n" for n in range(6)]
    lines.insert(3, "x" * (1 << 21) + "\n")
    path = tmp_path / "s.log"
    everything = read(path, "".join(lines))
    assert [type(r).__name__ for r in everything].count("Malformed") == 1
    assert everything[3].reason == "line longer than 1 MiB"
    for cut, at in enumerate(everything):
        with path.open("rb") as stream:
            rest = list(
                read_events(
                    stream, load_mapping("syslog"), start=at.end, start_line=at.last_line, now=NOW
                )
            )
        assert rest == everything[cut + 1 :]
