"""Shared constants of the incident tests: the instant the test clock stands at."""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
