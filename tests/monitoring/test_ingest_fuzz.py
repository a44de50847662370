"""Property tests: arbitrary bytes never crash a reader and offsets stay in order and bounds."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataward.monitoring.engine.ingest import load_mapping, read_events

PIECES = st.lists(
    st.sampled_from(
        [
            b"{",
            b"}",
            b"[",
            b"]",
            b'"',
            b"\\",
            b",",
            b";",
            b"\n",
            b"\r\n",
            b"\xef\xbb\xbf",
            b"\xff",
            b'"@timestamp": "2026-11-20T07:00:41Z"',
            b'{"EventID": 4624, "TimeCreated": "/Date(1795158041000)/"}',
            b"<13>1 2026-11-20T07:00:41Z h a - - ",
            b'[x@1 k="v\\"]',
            b"<38>Nov 20 07:00:41 host sshd[1]: ",
            b"time,user\n",
            b"4111111111111111",
        ]
    )
    | st.binary(max_size=8),
    max_size=40,
)


@pytest.mark.parametrize("name", ["ecs-jsonl", "csv", "syslog", "windows-security"])
@settings(max_examples=150, deadline=None)
@given(pieces=PIECES)
def test_arbitrary_bytes_never_crash(name: str, pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    mapping = load_mapping(name)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    records = list(read_events(io.BytesIO(data), mapping, now=now))
    last_end, last_line = 0, 0
    for record in records:
        assert last_end <= record.end <= len(data)
        assert record.line >= max(last_line, 1)
        assert record.lines >= 1
        assert "4111111111111111" not in getattr(record, "reason", "")
        last_end, last_line = record.end, record.last_line
