"""JSON Lines ingestion: flattening, timestamps, mapping steps, malformed lines and resume."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dataward.monitoring.engine.ingest import Malformed, Mapping, Parsed, read_events

CARD = "4111111111111111"
ECS = Mapping(name="t", format="jsonl", client_field="client")


def read(path: Path, data: bytes, mapping: Mapping = ECS, **kw: Any) -> list[Parsed | Malformed]:
    path.write_bytes(data)
    with path.open("rb") as stream:
        return list(read_events(stream, mapping, **kw))


def test_nested_objects_are_flattened_and_lists_kept(tmp_path: Path) -> None:
    line = (
        b'{"@timestamp": "2026-11-20T07:00:41Z", "user": {"name": "Ana", "roles": ["a", 2, true]},'
        b' "event.action": "login", "client": " Telora ", "n": 3, "ok": false, "gone": null,'
        b' "deep": {"a": {"b": {"c": 1.5}}}, "objs": [{"x": 1}]}\n'
    )
    [rec] = read(tmp_path / "a.jsonl", line)
    assert isinstance(rec, Parsed)
    assert rec.fields == {
        "@timestamp": "2026-11-20T07:00:41Z",
        "user.name": "Ana",
        "user.roles": ["a", "2", "true"],
        "event.action": "login",
        "client": " Telora ",
        "n": 3,
        "ok": False,
        "deep.a.b.c": 1.5,
        "objs": '[{"x":1}]',
    }
    assert rec.client == "telora"
    assert rec.ts == datetime(2026, 11, 20, 7, 0, 41, tzinfo=UTC)
    assert (rec.line, rec.end, rec.lines, rec.last_line) == (1, len(line), 1, 1)


def test_bom_crlf_and_blank_lines(tmp_path: Path) -> None:
    data = (
        b'\xef\xbb\xbf{"@timestamp": "2026-11-20T07:00:41Z"}\r\n\r\n   \n'
        b'{"@timestamp": "2026-11-20T08:00:41+01:00"}'
    )
    recs = read(tmp_path / "a.jsonl", data)
    assert [(r.line, r.end) for r in recs] == [(1, 43), (4, len(data))]
    assert all(isinstance(r, Parsed) for r in recs)
    assert [r.fields["@timestamp"] for r in recs if isinstance(r, Parsed)] == [
        "2026-11-20T07:00:41Z",
        "2026-11-20T07:00:41Z",
    ]


@pytest.mark.parametrize(
    ("value", "fmt", "zone", "expected"),
    [
        ('"2026-11-20T07:00:41Z"', "iso", "UTC", "2026-11-20T07:00:41Z"),
        ('"2026-11-20T02:00:41-05:00"', "iso", "UTC", "2026-11-20T07:00:41Z"),
        ('"2026-11-20 07:00:41.250"', "iso", "UTC", "2026-11-20T07:00:41.250000Z"),
        ('"2026-11-20T15:00:41"', "iso", "Asia/Manila", "2026-11-20T07:00:41Z"),
        ('"2026-07-20T08:00:41"', "iso", "Europe/London", "2026-07-20T07:00:41Z"),
        ('"/Date(1795158041000)/"', "iso", "UTC", "2026-11-20T07:00:41Z"),
        ("1795158041", "epoch", "UTC", "2026-11-20T07:00:41Z"),
        ('"1795158041"', "epoch", "UTC", "2026-11-20T07:00:41Z"),
        ("1795158041500", "epoch_ms", "UTC", "2026-11-20T07:00:41.500000Z"),
        ('"20/11/2026 07:00:41"', "%d/%m/%Y %H:%M:%S", "UTC", "2026-11-20T07:00:41Z"),
        ('"20/11/2026 08:00:41"', "%d/%m/%Y %H:%M:%S", "Europe/Paris", "2026-11-20T07:00:41Z"),
    ],
)
def test_timestamp_forms(tmp_path: Path, value: str, fmt: str, zone: str, expected: str) -> None:
    mapping = Mapping(name="t", format="jsonl", timestamp_format=fmt, timezone=zone)
    [rec] = read(tmp_path / "a.jsonl", b'{"@timestamp": %s}\n' % value.encode(), mapping)
    assert isinstance(rec, Parsed)
    assert rec.fields["@timestamp"] == expected
    assert rec.ts.tzinfo is UTC


def test_mapping_steps_rename_values_lookups_constants(tmp_path: Path) -> None:
    mapping = Mapping(
        name="t",
        format="jsonl",
        fields={"time": "@timestamp", "who.login": "user.name", "res": "event.outcome"},
        values={"event.outcome": {"ok": "success", "bad": "failure"}},
        lookups={"event.outcome": {"failure": {"event.kind": "alert", "event.action": "x"}}},
        constants={"event.category": "authentication", "event.action": "login"},
        client_field="tenant",
    )
    data = (
        b'{"time": "2026-11-20T07:00:41Z", "who": {"login": "bob"}, "res": "BAD", "tenant": "NB"}\n'
        b'{"time": "2026-11-20T07:00:41Z", "res": "ok", "event": {"category": "iam"}}\n'
    )
    first, second = read(tmp_path / "a.jsonl", data, mapping)
    assert isinstance(first, Parsed)
    assert isinstance(second, Parsed)
    assert first.fields["user.name"] == "bob"
    assert first.fields["event.outcome"] == "failure"
    assert first.fields["event.kind"] == "alert"
    assert first.fields["event.action"] == "x"  # lookups fill before constants
    assert first.fields["event.category"] == "authentication"
    assert "time" not in first.fields
    assert first.client == "nb"
    assert second.fields["event.category"] == "iam"  # constants never overwrite
    assert second.fields["event.outcome"] == "success"
    assert second.client is None


def test_keep_unmapped_false_keeps_only_mapped_fields(tmp_path: Path) -> None:
    mapping = Mapping(name="t", format="jsonl", fields={"u": "user.name"}, keep_unmapped=False)
    data = b'{"@timestamp": "2026-11-20T07:00:41Z", "u": "x", "secret": "y"}\n'
    [rec] = read(tmp_path / "a.jsonl", data, mapping)
    assert isinstance(rec, Parsed)
    assert rec.fields == {"@timestamp": "2026-11-20T07:00:41Z", "user.name": "x"}


MALFORMED = [
    (b'{"@timestamp": "2026-11-20T07:00:41Z", "pan": "' + CARD.encode(), "line ends early"),
    (b'{"pan": ' + CARD.encode() + b"x}", "not valid JSON"),
    (b'{"pan": "' + CARD.encode() + b'"} trailing', "not valid JSON"),
    (b"[" + CARD.encode() + b"]", "not a JSON object (the line holds an array)"),
    (CARD.encode(), "not a JSON object (the line holds a number)"),
    (b'"' + CARD.encode() + b'"', "not a JSON object (the line holds a string)"),
    (b'{"pan": "' + CARD.encode() + b'"}', "no timestamp in field @timestamp"),
    (b'{"@timestamp": ""}', "no timestamp in field @timestamp"),
    (b'{"@timestamp": "' + CARD.encode() + b'ab"}', "is not a date (digits 16, letters 2)"),
    (b'{"@timestamp": ' + CARD.encode() + b"}", "is a number, not an ISO date"),
    (b'{"@timestamp": ["2026-11-20"]}', "is a list, not a date"),
    (b'{"@timestamp": true}', "is a bool, not a date"),
    (b'{"@timestamp": "2026-13-45T07:00:41Z"}', "is not a date (digits 14, letters 2)"),
]


@pytest.mark.parametrize(("line", "reason"), MALFORMED)
def test_malformed_lines_name_the_problem_not_the_content(
    tmp_path: Path, line: bytes, reason: str
) -> None:
    good = b'{"@timestamp": "2026-11-20T07:00:41Z"}\n'
    recs = read(tmp_path / "a.jsonl", good + line + b"\n" + good)
    assert [type(r) for r in recs] == [Parsed, Malformed, Parsed]
    bad = recs[1]
    assert isinstance(bad, Malformed)
    assert bad.line == 2
    assert bad.end == len(good) + len(line) + 1
    assert reason in bad.reason
    assert CARD not in bad.reason
    assert "\n" not in bad.reason


@pytest.mark.parametrize("fmt", ["epoch", "epoch_ms"])
def test_epoch_out_of_range_and_garbage(tmp_path: Path, fmt: str) -> None:
    mapping = Mapping(name="t", format="jsonl", timestamp_format=fmt)
    data = b'{"@timestamp": 1e300}\n{"@timestamp": "' + CARD.encode() + b'x"}\n'
    recs = read(tmp_path / "a.jsonl", data, mapping)
    assert [r.reason for r in recs if isinstance(r, Malformed)] == [
        "timestamp in @timestamp is out of range",
        "timestamp in @timestamp is not a date (digits 16, letters 1)",
    ]


def test_invalid_utf8_is_replaced_not_rejected(tmp_path: Path) -> None:
    data = b'{"@timestamp": "2026-11-20T07:00:41Z", "user": "ab\xffcd"}\n'
    [rec] = read(tmp_path / "a.jsonl", data)
    assert isinstance(rec, Parsed)
    assert rec.fields["user"] == "ab\ufffdcd"


def test_line_longer_than_one_mib_is_skipped(tmp_path: Path) -> None:
    good = b'{"@timestamp": "2026-11-20T07:00:41Z"}\n'
    huge = b'{"x": "' + b"9" * (3 << 20) + b'"}\n'
    recs = read(tmp_path / "a.jsonl", good + huge + good)
    assert [type(r) for r in recs] == [Parsed, Malformed, Parsed]
    assert isinstance(recs[1], Malformed)
    assert recs[1].reason == "line longer than 1 MiB"
    assert (recs[1].line, recs[1].end) == (2, len(good) + len(huge))
    assert (recs[2].line, recs[2].end) == (3, 2 * len(good) + len(huge))


def test_resume_from_end_yields_exactly_the_rest(tmp_path: Path) -> None:
    lines = [b'{"@timestamp": "2026-11-20T07:00:%02dZ", "n": %d}\n' % (n, n) for n in range(10)]
    lines.insert(4, b"not json\n")
    lines.insert(7, b"\n")
    path = tmp_path / "a.jsonl"
    everything = read(path, b"".join(lines))
    for cut in range(len(everything)):
        at = everything[cut]
        with path.open("rb") as stream:
            rest = list(read_events(stream, ECS, start=at.end, start_line=at.last_line))
        assert rest == everything[cut + 1 :]


def test_reads_from_a_pipe_like_stream(tmp_path: Path) -> None:
    import io

    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            chunk = self.data.read(min(len(b), 7))
            b[: len(chunk)] = chunk
            return len(chunk)

    lines = b"".join(b'{"@timestamp": "2026-11-20T07:00:%02dZ"}\n' % n for n in range(5))
    recs = list(read_events(io.BufferedReader(Pipe(lines)), ECS, start=2 * 39, start_line=2))
    assert [r.line for r in recs] == [3, 4, 5]
    assert all(isinstance(r, Parsed) for r in recs)
