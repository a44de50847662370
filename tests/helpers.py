"""Assertions shared by the test modules."""

from __future__ import annotations

from typing import Any


def assert_one_line_error(result: Any, *needles: str) -> None:
    """Assert the CLI failed with exit 2 and one 'error:' line naming each needle."""
    assert result.code == 2, result
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), result.err
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
