"""Regressions from the second reading of monitoring: re-runs, rule edits, scope, retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpers import assert_one_line_error

CLIENTS = [
    {"slug": "acme", "name": "Acme Bank", "data_categories": ["PII"],
     "timezone": "UTC", "working_hours": "08:00-20:00"},
    {"slug": "other", "name": "Other Co", "data_categories": ["PII"]},
]  # fmt: skip
DAY = (datetime.now(UTC) - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _json(result: Any) -> Any:
    assert result.code == 0, result
    return json.loads(result.out)


def line(at: datetime, user: str, action: str, **extra: Any) -> str:
    """Return one ECS JSON line."""
    failed = action == "failed_login"
    doc = {
        "@timestamp": at.isoformat(),
        "user": {"name": user},
        "event": {"action": action, "category": "authentication" if "login" in action else "file",
                  "outcome": "failure" if failed else "success"},
        "source": {"ip": "198.51.100.7"},
        "host": {"name": "crm01"},
    } | extra  # fmt: skip
    return json.dumps(doc)


@pytest.fixture
def w(ws_root: Path, cli, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    records = tmp_path / "clients.json"
    records.write_text(json.dumps(CLIENTS))
    assert cli("clients", "import", str(records), "-w", str(ws_root)).code == 0
    return str(ws_root)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """Three night logins and exports by rob, twelve failed sign-ins by ana."""
    rows = [line(DAY + timedelta(hours=2, minutes=m), "rob@x.example", "login") for m in (0, 5)]
    rows += [line(DAY + timedelta(hours=2, minutes=9), "rob@x.example", "export",
                  record_count=5000)]  # fmt: skip
    rows += [line(DAY + timedelta(hours=14, seconds=9 * n), "ana@x.example", "failed_login")
             for n in range(12)]  # fmt: skip
    path = tmp_path / "app.jsonl"
    path.write_text("\n".join(rows) + "\n")
    return path


def _counts(cli, w: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {a["rule"]: a["events"] for a in _json(cli("alerts", "list", "-f", "json", "-w", w))}


def test_rerunning_or_editing_a_rule_counts_no_event_twice(cli, w: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    cli("logs", "ingest", str(log), "--source", "s", "--client", "acme", "-w", w)
    before = _counts(cli, w)
    assert before == {"bpo_off_hours_access": 3, "bpo_mass_export": 1, "bpo_failed_login_burst": 12}
    for _ in range(2):
        (run,) = _json(cli("rules", "run", "--client", "acme", "--full", "-f", "json", "-w", w))
        assert (run["alerts_raised"], run["alerts_updated"]) == (0, 0)
    assert _counts(cli, w) == before
    # An edited copy of a pack rule re-reads every event: still one alert, counted once.
    pack = Path(__file__).parents[2] / "src/dataward/monitoring/rules/bpo_off_hours_access.yaml"
    own = Path(w) / "rules"
    own.mkdir(exist_ok=True)
    (own / "hours.yml").write_text(pack.read_text() + "\n# our copy\n")
    cli("rules", "run", "--client", "acme", "-w", w)
    assert _counts(cli, w) == before
    ref = next(a["ref"] for a in _json(cli("alerts", "list", "-f", "json", "-w", w))
               if a["rule"] == "bpo_mass_export")  # fmt: skip
    cli("alerts", "triage", ref, "false_positive", "--reason", "approved", "-w", w)
    cli("rules", "run", "--full", "-w", w)
    assert len(_json(cli("alerts", "list", "-f", "json", "-w", w))) == 3  # not raised again


def test_a_changed_correlation_regroups_its_stored_matches(cli, w: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    cli("logs", "ingest", str(log), "--source", "s", "--client", "acme", "-w", w)
    pack = Path(__file__).parents[2] / "src/dataward/monitoring/rules/bpo_failed_logins.yaml"
    burst = pack.read_text().split("---")[1]
    own = Path(w) / "rules"
    own.mkdir()
    (own / "burst.yml").write_text(burst.replace("- user.name", "- source.ip").replace(
        "gte: 10", "gte: 12").replace("level: high", "level: critical"))  # fmt: skip
    listed = _json(cli("rules", "list", "-f", "json", "-w", w))
    assert [r["level"] for r in listed if r["rule"] == "bpo_failed_login_burst"] == ["critical"]
    assert not [r for r in listed if r["problem"]]
    cli("rules", "run", "--client", "acme", "-w", w)
    from dataward.monitoring.models import Alert

    groups = set(Alert.objects.unscoped("test").filter(rule="bpo_failed_login_burst")
                 .values_list("group", flat=True))  # fmt: skip
    assert groups == {"ana@x.example", "198.51.100.7"}


def test_a_clients_source_refuses_another_clients_events(cli, w: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mixed.jsonl"
    path.write_text(line(DAY, "a", "login", client="other") + "\n"
                    + line(DAY, "a", "login", client="acme") + "\n")  # fmt: skip
    (row,) = _json(cli("logs", "ingest", str(path), "--source", "acme-app", "--client", "acme",
                       "-f", "json", "-w", w))  # fmt: skip
    assert (row["events"], row["malformed"], row["clients"]) == (1, 1, "acme 1")
    from dataward.monitoring.models import LogEvent

    assert not LogEvent.objects.unscoped("test").filter(client__slug="other").exists()


def test_prune_needs_import_and_is_audited(cli, w: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "old.jsonl"
    path.write_text(line(DAY - timedelta(days=2), "a", "login") + "\n")
    cli("logs", "ingest", str(path), "--source", "s", "--client", "acme", "-w", w)
    cli("logs", "sources", "add", "s", "--mapping", "ecs-jsonl", "--client", "acme",
        "--retention-days", "1", "-w", w)  # fmt: skip
    for user, role in (("viewer", "client-viewer"), ("lee", "analyst")):
        assert cli("users", "add", user, "--role", role, "--client", "acme", "-w", w).code == 0
    assert_one_line_error(cli("logs", "prune", "--as", "viewer", "-w", w), "may not import")
    from dataward.monitoring.models import LogEvent

    assert LogEvent.objects.unscoped("test").count() == 1
    (row,) = _json(cli("logs", "prune", "--as", "lee", "-f", "json", "-w", w))
    assert row == {"source": "s", "deleted": 1}
    trail = _json(cli("audit", "log", "-f", "json", "-w", w))
    assert [e["detail"]["deleted"] for e in trail if e["action"] == "logs.prune"] == [1]


def test_another_clients_alert_and_source_stay_unnamed(cli, w: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    cli("logs", "ingest", str(log), "--source", "acme-app", "--client", "acme", "-w", w)
    assert cli("users", "add", "ov", "--role", "analyst", "--client", "other", "-w", w).code == 0
    ref = _json(cli("alerts", "list", "-f", "json", "-w", w))[0]["ref"]
    shown = cli("alerts", "show", ref, "--as", "ov", "-w", w)
    assert_one_line_error(shown, f"no alert '{ref}'")
    assert "acme" not in shown.err
    taken = cli("logs", "sources", "add", "acme-app", "--mapping", "csv", "--client", "other",
                "--as", "ov", "-w", w)  # fmt: skip
    assert_one_line_error(taken, "belongs to someone else")
    assert "acme" not in taken.err.replace("'acme-app'", "")
