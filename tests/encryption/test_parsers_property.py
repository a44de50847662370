"""Property tests: sslyze output and registers of any shape give records or one error line."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dataward.encryption.engine.channel_register import read_register
from dataward.encryption.engine.sslyze_json import SslyzeOutputError, parse
from dataward.errors import DatawardError

NOW = datetime(2026, 11, 28, tzinfo=UTC)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)
COMMANDS = ("certificate_info", "tls_1_2_cipher_suites", "http_headers", "robot", "heartbleed")


def _error_line(fn: Callable[[], Any], kind: type[Exception]) -> str:
    """Run fn; return '' when it succeeds, or the one-line message of the expected error."""
    try:
        fn()
    except kind as exc:
        return str(exc)
    return ""


@st.composite
def sslyze_docs(draw: st.DrawFn) -> dict[str, Any]:
    """Return documents shaped like sslyze's, with anything at any depth."""
    scan = {c: draw(documents | st.fixed_dictionaries({"status": st.just("COMPLETED"),
                                                       "result": documents}))
            for c in draw(st.lists(st.sampled_from(COMMANDS), max_size=5))}  # fmt: skip
    server = {
        "server_location": draw(
            st.fixed_dictionaries({"hostname": st.text(max_size=5), "port": st.integers()})
            | documents
        ),
        "connectivity_status": draw(st.sampled_from(["COMPLETED", "ERROR"]) | scalars),
        "scan_result": draw(st.just(scan) | documents),
    }
    return {
        "server_scan_results": [server],
        "invalid_server_strings": draw(documents),
        "date_scans_completed": draw(scalars),
    }


@given(documents | sslyze_docs())
@settings(max_examples=300, deadline=None)
def test_any_sslyze_output_gives_facts_or_one_error(doc: Any) -> None:
    line = _error_line(lambda: parse(doc, NOW), SslyzeOutputError)
    assert "\n" not in line


@given(st.binary(max_size=400), st.sampled_from([".json", ".csv"]))
@settings(max_examples=100, deadline=None)
def test_any_register_file_gives_channels_or_one_line(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"register{suffix}"
        path.write_bytes(data)
        line = _error_line(lambda: read_register(path), DatawardError)
    assert "\n" not in line


FIELDS = st.sampled_from(["id", "protocol", "url", "port", "tls_min_version", "client"])


@given(st.lists(st.dictionaries(FIELDS, scalars, max_size=6), max_size=5))
@settings(max_examples=150, deadline=None)
def test_any_json_records_give_channels_or_one_line(records: list[dict[str, object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "register.json"
        path.write_text(json.dumps({"channels": records}))
        line = _error_line(lambda: read_register(path), DatawardError)
    assert "\n" not in line
