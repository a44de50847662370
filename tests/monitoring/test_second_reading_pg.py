"""Rule runs beside concurrent writers on PostgreSQL: no event skipped, none counted twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from helpers import race

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
AT = datetime.now(UTC).replace(hour=3, minute=0, second=0, microsecond=0) - timedelta(days=1)


@pytest.fixture
def mws(ws_root: Path, cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Return the workspace (client acme, source s, one stored export) opened as its owner."""
    records = tmp_path / "clients.json"
    records.write_text(json.dumps([{"slug": "acme", "name": "Acme", "data_categories": ["PII"],
                                    "working_hours": "08:00-20:00"}]))  # fmt: skip
    assert cli("clients", "import", str(records), "-w", str(ws_root)).code == 0
    log = tmp_path / "a.jsonl"
    log.write_text(json.dumps(_doc("ann")) + "\n")
    got = cli("logs", "ingest", str(log), "--source", "s", "--client", "acme", "--no-detect",
              "-w", str(ws_root))  # fmt: skip
    assert got.code == 0, got
    from dataward.core.workspace import open_workspace

    return open_workspace(ws_root, env={})


def _doc(user: str) -> dict[str, Any]:
    return {"@timestamp": AT.isoformat(), "user.name": user, "event.action": "export",
            "event.category": "file", "event.outcome": "success", "record_count": 5000}  # fmt: skip


def _store(user: str) -> None:
    """Store one night export of a user directly, as an ingestion batch does."""
    from dataward.core.models import Client
    from dataward.monitoring.models import LogEvent, LogSource

    acme = Client.objects.get(slug="acme")
    LogEvent.objects.create(
        client=acme, source=LogSource.objects.for_client(acme).get(name="s"), line=1, ts=AT,
        category="file", action="export", user_name=user, doc=orjson.dumps(_doc(user)).decode(),
    )  # fmt: skip


def _alerts() -> dict[tuple[str, str], int]:
    from dataward.monitoring.models import Alert

    rows = Alert.objects.unscoped("test").values_list("rule", "subject", "event_count")
    return {(rule, subject): n for rule, subject, n in rows}


def test_a_rule_run_waits_for_a_batch_still_being_written(mws) -> None:  # type: ignore[no-untyped-def]
    from dataward.monitoring import service

    def later_batch_then_rules() -> None:
        _store("cy")  # a higher id, committed first
        service.detect(mws, "acme")

    errors = race(lambda: _store("bo"), later_batch_then_rules)
    assert errors == []
    service.detect(mws, "acme")
    exports = {s for (rule, s) in _alerts() if rule == "bpo_mass_export"}
    assert exports == {"ann", "bo", "cy"}  # bo's lower id was still uncommitted: not skipped


def test_two_rule_runs_at_once_count_each_event_once(mws) -> None:  # type: ignore[no-untyped-def]
    from dataward.monitoring import service

    errors = race(lambda: service.detect(mws, "acme"), lambda: service.detect(mws, "acme"))
    assert errors == []
    assert _alerts() == {("bpo_mass_export", "ann"): 1, ("bpo_off_hours_access", "ann"): 1}
