"""The demo estate's logs parse cleanly with the shipped mappings."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from dataward.monitoring.engine.ingest import Malformed, Parsed, load_mapping, read_events


def parse(path: Path, mapping: str) -> list[Parsed]:
    with path.open("rb") as stream:
        records = list(read_events(stream, load_mapping(mapping)))
    assert [r for r in records if isinstance(r, Malformed)] == []
    return [r for r in records if isinstance(r, Parsed)]


def test_demo_app_access_log(estate: Path) -> None:
    path = estate / "logs" / "app_access.jsonl"
    events = parse(path, "ecs-jsonl")
    raw = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(events) == len(raw) > 100
    assert [e.line for e in events] == list(range(1, len(raw) + 1))
    assert {e.client for e in events} == {"northbank", "telora", "carewell"}
    for event, source in zip(events, raw, strict=True):
        assert event.fields["user.name"] == source["user"]["name"]
        assert event.fields["source.ip"] == source["source"]["ip"]
        assert event.fields["event.action"] == source["event"]["action"]
        assert event.fields["@timestamp"].endswith("Z")
    assert [e.ts for e in events] == sorted(e.ts for e in events)
    exports = [e for e in events if e.fields.get("record_count") == 5000]
    assert len(exports) == 1
    assert exports[0].fields["file.path"].startswith("/data/core_crm/exports/")


def test_demo_auth_log(estate: Path) -> None:
    events = parse(estate / "logs" / "auth.log", "syslog")
    assert len(events) > 50
    actions = Counter(e.fields["event.action"] for e in events)
    assert set(actions) == {"login", "failed_login"}
    assert actions["failed_login"] >= 30
    for event in events:
        assert event.client in {"northbank", "telora", "carewell"}
        assert "@" in event.fields["user.name"]
        assert event.fields["source.ip"]
        assert event.fields["event.category"] == "authentication"
        assert event.fields["event.outcome"] in {"success", "failure"}
    app = parse(estate / "logs" / "app_access.jsonl", "ecs-jsonl")
    logins = [e for e in app if e.fields["event.action"] in ("login", "failed_login")]
    key = ("@timestamp", "user.name", "source.ip", "event.action")
    assert sorted(tuple(e.fields[k] for k in key) for e in logins) == sorted(
        tuple(e.fields[k] for k in key) for e in events
    )
