"""CSV ingestion: delimiters, quoting, labels, malformed rows and resume."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from dataward.monitoring.engine.ingest import Malformed, Mapping, Parsed, load_mapping, read_events

CARD = "4111111111111111"


def read(path: Path, data: bytes, mapping: Mapping | None = None, **kw: Any) -> list[Any]:
    path.write_bytes(data)
    with path.open("rb") as stream:
        return list(read_events(stream, mapping or load_mapping("csv"), **kw))


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_delimiter_is_detected_from_the_header(tmp_path: Path, sep: str) -> None:
    rows = [
        ["Timestamp", "User", "Src IP", "Action", "Client", "Records"],
        ["2026-11-20T07:00:41Z", "ana@x.com", "10.0.0.1", "export", "Telora", "12"],
    ]
    data = "".join(sep.join(r) + "\r\n" for r in rows).encode()
    [rec] = read(tmp_path / "a.csv", b"\xef\xbb\xbf" + data)
    assert isinstance(rec, Parsed)
    assert rec.fields == {
        "@timestamp": "2026-11-20T07:00:41Z",
        "user.name": "ana@x.com",
        "labels.src_ip": "10.0.0.1",
        "event.action": "export",
        "client": "Telora",
        "labels.records": "12",
    }
    assert rec.client == "telora"
    assert (rec.line, rec.end) == (2, len(data) + 3)


def test_quoted_fields_with_newlines_and_dotted_headers(tmp_path: Path) -> None:
    data = (
        b"@timestamp,user.name,message,outcome\n"
        b'2026-11-20T07:00:41Z,bob,"two\nlines, with ""quotes""",FAILED\n'
        b"\n"
        b"2026-11-20T07:00:42Z,ann,,ok\n"
    )
    first, second = read(tmp_path / "a.csv", data)
    assert isinstance(first, Parsed)
    assert isinstance(second, Parsed)
    assert first.fields["message"] == 'two\nlines, with "quotes"'
    assert first.fields["user.name"] == "bob"
    assert first.fields["event.outcome"] == "failure"
    assert (first.line, first.lines, first.last_line) == (2, 2, 3)
    assert "message" not in second.fields
    assert second.line == 5


def test_keep_unmapped_false_drops_other_columns(tmp_path: Path) -> None:
    mapping = Mapping(name="t", format="csv", fields={"When": "@timestamp"}, keep_unmapped=False)
    data = b"when,secret\n2026-11-20T07:00:41Z,x\n"
    [rec] = read(tmp_path / "a.csv", data, mapping)
    assert isinstance(rec, Parsed)
    assert rec.fields == {"@timestamp": "2026-11-20T07:00:41Z"}


@pytest.mark.parametrize(
    ("row", "reason", "lines"),
    [
        (f"2026-11-20T07:00:41Z,{CARD}", "row has 2 columns, the header has 3", 1),
        (f"2026-11-20T07:00:41Z,{CARD},a,b", "row has 4 columns, the header has 3", 1),
        (f'2026-11-20T07:00:41Z,"{CARD}"x,a', "not valid CSV (text after a closing quote)", 1),
        (f"{CARD},bob,a", "timestamp in @timestamp is not a date (digits 16, letters 0)", 1),
        (f",bob,{CARD}", "no timestamp in field @timestamp", 1),
    ],
)
def test_malformed_rows(tmp_path: Path, row: str, reason: str, lines: int) -> None:
    good = "2026-11-20T07:00:41Z,ann,x\n"
    data = f"time,user,note\n{good}{row}\n{good}".encode()
    recs = read(tmp_path / "a.csv", data)
    assert [type(r) for r in recs] == [Parsed, Malformed, Parsed]
    bad = recs[1]
    assert (bad.line, bad.reason, bad.lines) == (3, reason, lines)
    assert recs[2].line == 4
    assert CARD not in bad.reason


def test_unclosed_quote_at_end_is_malformed(tmp_path: Path) -> None:
    data = b'time,user\n2026-11-20T07:00:41Z,ann\n2026-11-20T07:00:41Z,"bob\nmore\n'
    recs = read(tmp_path / "a.csv", data)
    assert isinstance(recs[0], Parsed)
    assert isinstance(recs[1], Malformed)
    assert (recs[1].line, recs[1].reason) == (3, "not valid CSV (a quoted field is not closed)")
    assert recs[1].end == len(data)


def test_overlong_line_and_record(tmp_path: Path) -> None:
    big = b"x" * (2 << 20)
    data = (
        b"time,user\n"
        b"2026-11-20T07:00:41Z," + big + b"\n"
        b"2026-11-20T07:00:42Z,ann\n"
        b'2026-11-20T07:00:43Z,"' + b"y\n" * 600_000 + b'"\n'
        b"2026-11-20T07:00:44Z,bob\n"
    )
    recs = read(tmp_path / "a.csv", data)
    kinds = [(type(r).__name__, r.line) for r in recs]
    assert kinds[:3] == [("Malformed", 2), ("Parsed", 3), ("Malformed", 4)]
    assert recs[0].reason == "line longer than 1 MiB"
    # the csv module's field limit (128 KiB, unless the process raised it) or the 1 MiB record
    # limit trips first; either way the record is reported, never read whole
    assert recs[2].reason in (
        "not valid CSV (a field is longer than the CSV field limit)",
        "record longer than 1 MiB (is a quote left open?)",
    )
    assert all(r.line > 4 for r in recs[3:])  # the rest of the bad record is reported, not lost


def test_header_only_and_empty_files(tmp_path: Path) -> None:
    assert read(tmp_path / "a.csv", b"time,user\n") == []
    assert read(tmp_path / "b.csv", b"") == []


def test_resume_after_each_record(tmp_path: Path) -> None:
    data = (
        b"time;user;note\r\n"
        b'2026-11-20T07:00:41Z;ann;"a\r\nb"\r\n'
        b"bad\r\n"
        b"2026-11-20T07:00:42Z;bob;x\r\n"
        b'2026-11-20T07:00:43Z;cy;"1\n2\n3"\r\n'
        b"2026-11-20T07:00:44Z;dee;y\r\n"
    )
    path = tmp_path / "a.csv"
    everything = read(path, data)
    assert [r.line for r in everything] == [2, 4, 5, 6, 9]
    for cut, at in enumerate(everything):
        with path.open("rb") as stream:
            rest = list(
                read_events(stream, load_mapping("csv"), start=at.end, start_line=at.last_line)
            )
        assert rest == everything[cut + 1 :]
        pipe = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]
        pipe.seekable = lambda: False  # type: ignore[method-assign]
        rest = list(read_events(pipe, load_mapping("csv"), start=at.end, start_line=at.last_line))
        assert rest == everything[cut + 1 :]
