"""Measure date-column retention: count each location's rows past the limit, and store it.

Checks never open files or databases, so `dataward retention measure` does the reading (the
spreadsheets on the share; the tables through a `--connect` URL, whose password is never
stored) and keeps the counts for `retention overdue` and the retention check to judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.retention import readers
from dataward.retention.engine.policy import applicable
from dataward.retention.engine.rows import RowCount, count_file, count_table
from dataward.retention.models import RowMeasure
from dataward.retention.service import client_of


def measure(ws: Workspace, slug: str, connect: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Count expired rows for every location a date-column rule applies to; replace the last."""
    from dataward.discovery.engine.sources.database import redact_url

    client = client_of(ws, slug, Action.SCAN)
    rules, _ = readers.rules(client)
    if not any(r.date_column for r in rules):
        raise DatawardError(
            f"no retention rule of {slug} names a date_column",
            "--client",
            "add date_column to a rule in the policy file",
        )
    urls = {redact_url(u): u for u in connect}
    now = ws.clock()
    rows: list[dict[str, Any]] = []
    found: list[tuple[Any, ...]] = []
    for h in readers.holdings(client):
        for category in h.categories:
            rule = applicable(rules, slug, category, h.kind, h.rel)
            if rule is None or not rule.date_column:
                continue
            cutoff = (now - timedelta(days=rule.keep_days)).date()
            count, error = _count(
                h.kind, h.location, rule.date_column, cutoff, urls, rule.day_first
            )
            found.append((h.location, category, rule.date_column, rule.keep_days, count, error))
            rows.append({
                "location": h.location, "category": category, "column": rule.date_column,
                "keep_days": rule.keep_days, "rows": count.total if count else None,
                "expired": count.expired if count else None,
                "undated": count.undated if count else None,
                "oldest": count.oldest if count else None, "problem": error,
            })  # fmt: skip
    with transaction.atomic():
        RowMeasure.objects.for_client(client).delete()
        RowMeasure.objects.bulk_create(
            RowMeasure(client=client, location=loc, category=cat, column=col, keep_days=days,
                       total=c.total if c else None, expired=c.expired if c else None,
                       undated=c.undated if c else None, oldest=c.oldest if c else None,
                       error=err, measured_at=now)
            for loc, cat, col, days, c, err in found
        )  # fmt: skip
        audit.record(
            ws,
            "retention.measure",
            slug,
            "client",
            slug,
            detail={
                "locations": len(found),
                "expired_rows": sum(c.expired for *_, c, _ in found if c),
            },
        )
    return rows


def _count(
    kind: str, location: str, column: str, cutoff: Any, urls: dict[str, str], day_first: bool
) -> tuple[RowCount | None, str]:
    """Return the count for one location, or why it could not be counted."""
    try:
        if kind == "file":
            return count_file(Path(location), column, cutoff, day_first), ""
        root, _, table = location.partition("#")
        if root not in urls:
            return None, "table: give its database with --connect URL"
        return count_table(urls[root], table, column, cutoff), ""
    except DatawardError as exc:
        return None, exc.line()
    except Exception as exc:  # noqa: BLE001 - a database or file error is reported per location
        return None, f"{type(exc).__name__}: could not be read"
