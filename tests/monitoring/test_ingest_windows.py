"""Windows event ingestion: JSONL and JSON arrays, export shapes, the event id table."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
import pytest

from dataward.monitoring.engine.ingest import Malformed, Parsed, load_mapping, read_events

CARD = "4111111111111111"
WIN = load_mapping("windows-security")

GET_WINEVENT = {
    "Id": 4625,
    "TimeCreated": "/Date(1795158041000)/",
    "MachineName": "DC01.corp.example",
    "ProviderName": "Microsoft-Windows-Security-Auditing",
    "LogName": "Security",
    "Properties": [{"Value": "S-1-0-0"}, {"Value": "-"}, {"Value": "bob"}],
    "Message": "An account failed to log on.",
}
NXLOG = {
    "EventID": 4624,
    "TimeCreated": "2026-11-20T07:00:41.1234567Z",
    "Computer": "WS-1",
    "Provider": "Microsoft-Windows-Security-Auditing",
    "EventData": {
        "SubjectUserName": "WS-1$",
        "TargetUserName": "ann",
        "TargetDomainName": "CORP",
        "LogonType": "10",
        "IpAddress": "::ffff:10.0.0.7",
        "IpPort": "50123",
        "WorkstationName": "LAPTOP-9",
    },
}
WINLOGBEAT = {
    "@timestamp": "2026-11-20T07:00:41.000Z",
    "host": {"name": "dc01"},
    "winlog": {
        "event_id": "4732",
        "provider_name": "Microsoft-Windows-Security-Auditing",
        "channel": "Security",
        "event_data": {
            "SubjectUserName": "admin.joe",
            "TargetUserName": "Administrators",
            "MemberName": "CN=Eve Smith,OU=Staff,DC=corp,DC=example",
            "IpAddress": "-",
        },
    },
}
EVTX = {
    "Event": {
        "System": {
            "EventID": 1102,
            "Computer": "DC02",
            "TimeCreated": {"#attributes": {"SystemTime": "2026-11-20T07:00:41.000000Z"}},
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Eventlog"}},
        },
        "EventData": {"Data": [{"@Name": "SubjectUserName", "#text": "mallory"}]},
    }
}
OBJECT_ACCESS = {
    "EventID": 4663,
    "TimeCreated": "2026-11-20T07:00:41Z",
    "EventData": {"SubjectUserName": "ann", "ObjectType": "File", "ObjectName": "C:\\x.csv"},
}


def read(path: Path, data: bytes, **kw: Any) -> list[Any]:
    path.write_bytes(data)
    with path.open("rb") as stream:
        return list(read_events(stream, WIN, **kw))


def jsonl(*events: dict[str, Any]) -> bytes:
    return b"".join(orjson.dumps(e) + b"\n" for e in events)


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            GET_WINEVENT,
            {
                "@timestamp": "2026-11-20T07:00:41Z",
                "event.code": "4625",
                "host.name": "DC01.corp.example",
                "event.provider": "Microsoft-Windows-Security-Auditing",
                "winlog.channel": "Security",
                "winlog.event_data.param1": "S-1-0-0",
                "winlog.event_data.param3": "bob",
                "event.action": "logon-failed",
                "event.outcome": "failure",
                "event.category": "authentication",
                "message": "An account failed to log on.",
            },
        ),
        (
            NXLOG,
            {
                "@timestamp": "2026-11-20T07:00:41.123456Z",
                "event.code": "4624",
                "user.name": "ann",
                "user.domain": "CORP",
                "source.ip": "10.0.0.7",
                "source.port": 50123,
                "source.domain": "LAPTOP-9",
                "winlog.logon.type": "RemoteInteractive",
                "winlog.event_data.LogonType": "10",
                "winlog.event_data.SubjectUserName": "WS-1$",
                "event.action": "logged-in",
                "event.outcome": "success",
            },
        ),
        (
            WINLOGBEAT,
            {
                "event.code": "4732",
                "host.name": "dc01",
                "winlog.channel": "Security",
                "group.name": "Administrators",
                "user.name": "admin.joe",
                "user.target.name": "Eve Smith",
                "event.action": "added-member-to-group",
                "event.category": "iam",
            },
        ),
        (
            EVTX,
            {
                "event.code": "1102",
                "host.name": "DC02",
                "event.provider": "Microsoft-Windows-Eventlog",
                "user.name": "mallory",
                "event.action": "audit-log-cleared",
            },
        ),
        (
            OBJECT_ACCESS,
            {"file.path": "C:\\x.csv", "event.category": "file", "event.action": "object-access"},
        ),
    ],
)
def test_export_shapes_normalise_to_ecs(
    tmp_path: Path, event: dict[str, Any], expected: dict[str, Any]
) -> None:
    [rec] = read(tmp_path / "w.jsonl", jsonl(event))
    assert isinstance(rec, Parsed), rec
    assert expected.items() <= rec.fields.items()


def test_dash_ip_and_empty_event_data_are_absent(tmp_path: Path) -> None:
    [rec] = read(tmp_path / "w.jsonl", jsonl(WINLOGBEAT))
    assert "source.ip" not in rec.fields
    assert "winlog.event_data.IpAddress" not in rec.fields


def test_user_mapping_extends_the_code_table(tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text(
        "extends: windows-security\n"
        "lookups:\n  event.code:\n    '4625': {event.action: bad-logon}\n"
        "    '5156': {event.action: connection-allowed, event.category: network}\n"
    )
    mapping = load_mapping(own)
    data = jsonl(GET_WINEVENT, {**NXLOG, "EventID": 5156}, {**NXLOG, "EventID": 4740})
    (tmp_path / "w.jsonl").write_bytes(data)
    with (tmp_path / "w.jsonl").open("rb") as stream:
        actions = [r.fields["event.action"] for r in read_events(stream, mapping)]
    assert actions == ["bad-logon", "connection-allowed", "locked-out-user-account"]


def test_array_file_streams_elements_with_lines_and_resume(tmp_path: Path) -> None:
    pretty = orjson.dumps([GET_WINEVENT, NXLOG, WINLOGBEAT, EVTX], option=orjson.OPT_INDENT_2)
    data = b"\xef\xbb\xbf \r\n" + pretty.replace(b"\n", b"\r\n") + b"\r\n"
    path = tmp_path / "w.json"
    everything = read(path, data)
    assert [type(r) for r in everything] == [Parsed] * 4
    assert everything[0].line == 3
    assert [r.fields["event.code"] for r in everything] == ["4625", "4624", "4732", "1102"]
    for a, b in zip(everything, everything[1:], strict=False):
        assert b.line > a.last_line
        assert data[a.end - 1 : a.end] == b"}"
    for cut, at in enumerate(everything):
        with path.open("rb") as stream:
            rest = list(read_events(stream, WIN, start=at.end, start_line=at.last_line))
        assert rest == everything[cut + 1 :]
        pipe = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]
        pipe.seekable = lambda: False  # type: ignore[method-assign]
        rest = list(read_events(pipe, WIN, start=at.end, start_line=at.last_line))
        assert rest == everything[cut + 1 :]


def test_array_from_a_pipe_from_the_start(tmp_path: Path) -> None:
    data = orjson.dumps([NXLOG, NXLOG])
    pipe = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]
    pipe.seekable = lambda: False  # type: ignore[method-assign]
    recs = list(read_events(pipe, WIN))
    assert [type(r) for r in recs] == [Parsed, Parsed]


def test_array_problems_are_malformed(tmp_path: Path) -> None:
    tricky = {**NXLOG, "Message": 'brackets ] } [ { and "quotes" \\ and ' + CARD}
    big = {**NXLOG, "Message": "z" * (3 << 20)}
    data = (
        b"[\n"
        + orjson.dumps(tricky)
        + b",\n"
        + CARD.encode()
        + b',\n"'
        + CARD.encode()
        + b'",\n[1, 2],\n{"EventID": '
        + CARD.encode()
        + b"},\n"
        + orjson.dumps(big)
        + b",\n"
        + orjson.dumps(NXLOG)
        + b"\n] trailing "
        + CARD.encode()
    )
    recs = read(tmp_path / "w.json", data)
    reasons = [(r.line, getattr(r, "reason", "ok")) for r in recs]
    assert reasons == [
        (2, "ok"),
        (3, "not a JSON object (the element holds a number)"),
        (4, "not a JSON object (the element holds a string)"),
        (5, "not a JSON object (the element holds an array)"),
        (6, "no timestamp in field @timestamp"),
        (7, "array element longer than 1 MiB"),
        (8, "ok"),
        (9, "text after the end of the JSON array"),
    ]
    assert all(CARD not in reason for _, reason in reasons)


def test_truncated_array_is_reported(tmp_path: Path) -> None:
    full = orjson.dumps([NXLOG, NXLOG], option=orjson.OPT_INDENT_2)
    recs = read(tmp_path / "w.json", full[: len(full) // 2 + 40])
    assert isinstance(recs[0], Parsed)
    assert isinstance(recs[-1], Malformed)
    assert "ends inside an element" in recs[-1].reason
    unclosed = read(tmp_path / "x.json", b"[" + orjson.dumps(NXLOG) + b",\n")
    assert isinstance(unclosed[-1], Malformed)
    assert unclosed[-1].reason == "the JSON array is not closed (no ])"


def test_bad_jsonl_lines(tmp_path: Path) -> None:
    data = jsonl(NXLOG) + b'{"EventID": ' + CARD.encode() + b"\n[]\n" + jsonl(NXLOG)
    recs = read(tmp_path / "w.jsonl", data)
    assert [type(r) for r in recs] == [Parsed, Malformed, Malformed, Parsed]
    assert recs[1].reason.startswith("not valid JSON")
    assert CARD not in recs[1].reason
