"""JSON and JSON Lines: a segment per leaf with its JSON pointer, lines, and fallbacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataward.discovery.engine.types import Where

DOC = {
    "customers": [
        {"name": "Ana Reyes", "email": "ana@example.org", "active": True},
        {"name": "Bo Lind", "email": "bo@example.com", "score": 7, "tags": ["vip", None]},
    ],
    "a/b~c": "odd key",
    "empty": "",
}


def test_json_leaves_have_pointers_and_keys(tmp_path: Path, run_path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(DOC, indent=2), encoding="utf-16")
    got = [(w.column, ctx, text) for _, w, (text, ctx) in run_path(path)]
    assert got == [
        ("/customers/0/name", "name", "Ana Reyes"),
        ("/customers/0/email", "email", "ana@example.org"),
        ("/customers/1/name", "name", "Bo Lind"),
        ("/customers/1/email", "email", "bo@example.com"),
        ("/customers/1/score", "score", "7"),
        ("/customers/1/tags/0", "tags", "vip"),
        ("/a~1b~0c", "a/b~c", "odd key"),
    ]


def test_json_scalar_document(run_bytes) -> None:
    assert run_bytes("v.json", b'"ana@example.org"') == [
        ("seg", Where(column="/"), ("ana@example.org", ""))
    ]


@pytest.mark.parametrize("name", ["events.jsonl", "events.ndjson", "events.json"])
def test_json_lines_keep_line_numbers_and_read_bad_lines_as_text(
    tmp_path: Path, run_path, name: str
) -> None:
    lines = [
        json.dumps({"user": {"email": "ana@example.org"}}),
        "",
        "{broken json with bo@example.com",
        json.dumps([{"ip": "10.1.2.3"}]),
    ]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    assert run_path(path) == [
        ("seg", Where(line=1, column="/user/email"), ("ana@example.org", "email")),
        ("seg", Where(line=3), ("{broken json with bo@example.com\n", "")),
        ("seg", Where(line=4, column="/0/ip"), ("10.1.2.3", "ip")),
    ]


def test_json_sniffed_without_suffix(run_bytes) -> None:
    [(_, where, (text, ctx))] = run_bytes("payload", b'  {"iban": "GB00TEST"}')
    assert (where.column, ctx, text) == ("/iban", "iban", "GB00TEST")


def test_deep_json_falls_back_without_raising(run_bytes) -> None:
    data = b"[" * 100_000 + b"]" * 100_000
    parts = run_bytes("deep.json", data)
    assert parts
    assert all(kind == "seg" for kind, _, _ in parts)
