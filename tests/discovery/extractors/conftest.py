"""Helpers for extractor tests: run an extraction and flatten its parts into plain records."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from dataward.discovery.engine.extractors import extract_path, extract_stream
from dataward.discovery.engine.types import Limits, Segment, Skipped, Table


def flatten(parts: Iterable[Segment | Table | Skipped]) -> list[tuple[str, object, object]]:
    """Return ``("seg", where, (text, context))``, ``("table", where, (header, rows))`` or skips."""
    out: list[tuple[str, object, object]] = []
    for part in parts:
        if isinstance(part, Segment):
            out.append(("seg", part.where, (part.text, part.context)))
        elif isinstance(part, Table):
            out.append(("table", part.where, (list(part.header), [list(r) for r in part.rows])))
        else:
            out.append(("skip", part.where, part.reason))
    return out


Run = Callable[..., list[tuple[str, object, object]]]


@pytest.fixture
def run_path() -> Run:
    """Return a function extracting a path and flattening the parts."""

    def run(path: Path, limits: Limits | None = None) -> list[tuple[str, object, object]]:
        return flatten(extract_path(path, limits or Limits()))

    return run


@pytest.fixture
def run_bytes() -> Run:
    """Return a function extracting in-memory bytes under a name and flattening the parts."""

    def run(
        name: str, data: bytes, limits: Limits | None = None
    ) -> list[tuple[str, object, object]]:
        stream = io.BytesIO(data)
        return flatten(extract_stream(name, stream, size=len(data), limits=limits or Limits()))

    return run
