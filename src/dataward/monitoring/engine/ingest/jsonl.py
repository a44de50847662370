"""Read JSON Lines logs: one JSON object per line, nested objects flattened to dotted keys."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from dataward.monitoring.engine.ingest.normalise import Normaliser
from dataward.monitoring.engine.ingest.records import (
    TOO_LONG,
    Malformed,
    Record,
    iter_lines,
    seek_to,
)

SAFE_MESSAGE = re.compile(r"[A-Za-z ,'{}\[\]:-]{1,80}")


def json_reason(exc: orjson.JSONDecodeError) -> str:
    """Describe a JSON error by orjson's fixed message and column, never by the input."""
    message = str(exc.msg).split(": line ")[0].strip()
    if "end of data" in message:
        message = "line ends early, inside a string or object"
    elif not SAFE_MESSAGE.fullmatch(message):
        message = "unexpected character"
    return f"not valid JSON ({message}, column {exc.colno})"


def object_reason(value: Any) -> str:
    """Say what a JSON value is when an object was expected."""
    kinds = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}
    return f"not a JSON object (the line holds {kinds.get(type(value), 'a number')})"


def read_jsonl(stream: BinaryIO, norm: Normaliser, start: int, start_line: int) -> Iterator[Record]:
    """Yield one Parsed or Malformed per non-blank line."""
    loads = orjson.loads
    seek_to(stream, start)
    rename = norm.rename
    finish = norm.finish
    for line, end, raw in iter_lines(stream, start, start_line):
        if not raw:
            yield Malformed(line, end, TOO_LONG)
            continue
        try:
            obj = loads(raw)
        except orjson.JSONDecodeError:
            if not raw.strip():
                continue
            try:
                obj = loads(raw.rstrip(b"\r\n").decode("utf-8", "replace"))
            except orjson.JSONDecodeError as again:
                yield Malformed(line, end, json_reason(again))
                continue
        if type(obj) is not dict:
            yield Malformed(line, end, object_reason(obj))
            continue
        yield finish(rename(obj, {}), line, end)
