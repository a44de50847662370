"""Mapping files: shipped mappings, extends, and one-line errors naming the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataward.errors import ImportFileError
from dataward.monitoring.engine.ingest import FORMATS, Mapping, load_mapping, shipped_mappings


def test_shipped_mappings_load() -> None:
    names = shipped_mappings()
    assert names == ["csv", "ecs-jsonl", "syslog", "windows-security"]
    for name in names:
        mapping = load_mapping(name)
        assert isinstance(mapping, Mapping)
        assert mapping.name == name
        assert mapping.format in FORMATS
    win = load_mapping("windows-security")
    assert (win.product, win.service) == ("windows", "security")
    assert win.lookups["event.code"]["4624"]["event.action"] == "logged-in"


def test_own_file_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text(
        "format: csv\nfields:\n  When: '@timestamp'\nvalues:\n  event.outcome:\n"
        "    ALLOW: success\n    1: success\n    no: failure\n"
        "timestamp_format: '%d/%m/%Y %H:%M'\ntimezone: Asia/Manila\n"
    )
    mapping = load_mapping(str(path))
    assert mapping.name == "fw"
    assert mapping.keep_unmapped is False
    assert mapping.values == {
        "event.outcome": {"allow": "success", "1": "success", "false": "failure"}
    }
    assert (mapping.timezone, mapping.timestamp_format) == ("Asia/Manila", "%d/%m/%Y %H:%M")
    assert mapping.client_field is None


def test_extends_overrides_and_merges(tmp_path: Path) -> None:
    path = tmp_path / "auth.yaml"
    path.write_text(
        "extends: syslog\nname: sso-auth\ntimezone: America/Chicago\n"
        "fields:\n  '*.src': null\n  auth.ip: source.ip\n"
        "lookups:\n  event.code:\n    PW_RESET: {event.action: password-reset}\n"
        "constants:\n  event.module: sso\n"
    )
    mapping = load_mapping(path)
    base = load_mapping("syslog")
    assert mapping.name == "sso-auth"
    assert mapping.format == "syslog"
    assert mapping.timezone == "America/Chicago"
    assert "*.src" not in mapping.fields
    assert mapping.fields["auth.ip"] == "source.ip"
    assert mapping.fields["*.user"] == "user.name"
    assert mapping.lookups["event.code"]["pw_reset"] == {"event.action": "password-reset"}
    assert mapping.lookups["event.code"]["login_ok"] == base.lookups["event.code"]["login_ok"]
    assert mapping.constants == {"event.module": "sso"}
    assert mapping.client_field == base.client_field


BAD = [
    ("format: [jsonl\n", ": not valid YAML; fix the indentation or quoting"),
    ("- a\n- b\n", "not a mapping of keys"),
    ("format: jsonl\ncolour: red\n", "key colour: unknown key colour; use one of: name"),
    ("format: xml\n", "key format: unknown format xml; use one of: jsonl, csv, syslog, windows"),
    ("fields: {a: b}\n", "key format: no format given"),
    ("format: jsonl\ntimezone: Mars/Olympus\n", "key timezone: unknown time zone"),
    ("format: jsonl\ntimezone: 5\n", "key timezone: not text"),
    ("format: jsonl\ntimestamp_format: fancy\n", "key timestamp_format: unknown timestamp format"),
    ("format: jsonl\nfields: [a]\n", "key fields: not a table"),
    ("format: jsonl\nfields: {a: [b]}\n", "key fields.a: wrong kind of value"),
    ("format: jsonl\nvalues: {x: {a: [1]}}\n", "key values.x.a: wrong kind of value"),
    ("format: jsonl\nlookups: {x: {a: b}}\n", "key lookups.x.a: wrong kind of value"),
    ("format: jsonl\nconstants: {a: {b: c}}\n", "key constants.a: wrong kind of value"),
    ("format: jsonl\nkeep_unmapped: maybe\n", "key keep_unmapped: not true or false"),
    ("format: jsonl\nclient_field: [a]\n", "key client_field: not text"),
    ("extends: nosuch\n", "key extends: not a shipped mapping; use one of: csv, ecs-jsonl"),
    ("extends: syslog\ntimezone: Nowhere\n", "key timezone: unknown time zone"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_mapping_files_raise_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(ImportFileError) as caught:
        load_mapping(path)
    line = str(caught.value)
    assert line.startswith(str(path))
    assert message in line
    assert "\n" not in line


def test_missing_file_and_unknown_name(tmp_path: Path) -> None:
    for spec in ("no-such-mapping", tmp_path / "none.yaml"):
        with pytest.raises(ImportFileError, match="no such mapping file or shipped mapping"):
            load_mapping(spec)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(b"format: jsonl\nname: caf\xe9\n")
    with pytest.raises(ImportFileError, match="not UTF-8 text"):
        load_mapping(path)
