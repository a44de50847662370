"""`dataward logs`, `rules` and `alerts` end to end through the command line, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpers import assert_one_line_error

CLIENTS = [
    {"slug": "acme", "name": "Acme Bank", "data_categories": ["PII", "PCI"],
     "timezone": "America/New_York", "working_hours": "08:00-20:00"},
    {"slug": "other", "name": "Other Co", "data_categories": ["PII"]},
]  # fmt: skip
CARD = "4539 1488 0343 6467"  # Luhn-valid, not a documented test number


def _json(result: Any) -> Any:
    assert result.code == 0, result
    return json.loads(result.out)


def _local(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """Return an hour of a recent day in New York."""
    day = datetime.now(ZoneInfo("America/New_York")).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("America/New_York"))


def event(at: datetime, user: str, action: str, **extra: Any) -> str:
    """Return one ECS JSON line."""
    doc = {
        "@timestamp": at.isoformat(),
        "user": {"name": user},
        "event": {
            "action": action,
            "category": "authentication" if "login" in action else "file",
            "outcome": "failure" if action == "failed_login" else "success",
        },
        "source": {"ip": "198.51.100.7"},
        "host": {"name": "crm01"},
    } | extra
    return json.dumps(doc)


def day_of_work() -> list[str]:
    """Return a normal day, a 02:00 mass export and a burst of failed logins."""
    lines = [event(_local(2, 9, m), "ana@bpo.example", "login") for m in range(0, 50, 10)]
    lines += [event(_local(2, 10), "ana@bpo.example", "export", record_count=40)]
    lines += [event(_local(1, 2, 0), "rob@bpo.example", "login")]
    lines += [event(_local(1, 2, 4), "rob@bpo.example", "export", record_count=5000)]
    lines += [
        event(_local(1, 14, 0) + timedelta(seconds=9 * n), "ana@bpo.example", "failed_login")
        for n in range(12)
    ]
    lines += ["{not json"]
    lines += [event(_local(1, 15), "ana@bpo.example", "login", message=f"card {CARD} read back")]
    return lines


@pytest.fixture
def w(ws_root: Path, cli, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    records = tmp_path / "clients.json"
    records.write_text(json.dumps(CLIENTS))
    assert cli("clients", "import", str(records), "-w", str(ws_root)).code == 0
    return str(ws_root)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "app.jsonl"
    path.write_text("\n".join(day_of_work()) + "\n")
    return path


def test_ingest_detect_triage_and_escalate(cli, w: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("logs", "ingest", str(log), "--source", "acme-crm", "--client", "acme",
                 "-f", "json", "-w", w)  # fmt: skip
    (row,) = _json(result)
    assert (row["events"], row["malformed"], row["masked"]) == (21, 1, 1)
    assert row["alerts_raised"] == 3
    assert "created log source 'acme-crm'" in result.err
    assert "line 21: not valid JSON" in result.err
    alerts = _json(cli("alerts", "list", "--client", "acme", "-f", "json", "-w", w))
    by_rule = {a["rule"]: a for a in alerts}
    assert set(by_rule) == {"bpo_mass_export", "bpo_off_hours_access", "bpo_failed_login_burst"}
    assert by_rule["bpo_mass_export"]["summary"] == (
        "rob@bpo.example exported 5000 records from crm01"
    )
    assert by_rule["bpo_off_hours_access"]["events"] == 2
    assert by_rule["bpo_failed_login_burst"]["events"] == 12
    assert all(a["state"] == "new" for a in alerts)

    again = _json(cli("logs", "ingest", str(log), "--source", "acme-crm", "-f", "json", "-w", w))
    assert (again[0]["events"], again[0]["alerts_raised"]) == (0, 0)
    (rerun,) = _json(cli("rules", "run", "--client", "acme", "--full", "-f", "json", "-w", w))
    assert rerun["alerts_raised"] == 0
    assert len(_json(cli("alerts", "list", "-f", "json", "-w", w))) == 3

    ref = by_rule["bpo_mass_export"]["ref"]
    triaged = _json(cli("alerts", "triage", ref, "investigating", "--assignee", "lee",
                        "-f", "json", "-w", w))  # fmt: skip
    assert (triaged[0]["state"], triaged[0]["assignee"]) == ("investigating", "lee")
    assert_one_line_error(cli("alerts", "triage", ref, "false_positive", "-w", w), "--reason")
    (esc,) = _json(cli("alerts", "escalate", ref, "-f", "json", "-w", w))
    assert esc["state"] == "escalated"
    assert esc["incident"].startswith("INC-")
    (incident,) = _json(cli("incidents", "list", "-f", "json", "-w", w))
    assert (incident["ref"], incident["clients"]) == (esc["incident"], ["acme"])
    assert_one_line_error(cli("alerts", "escalate", ref, "-w", w), "already escalated")
    fp = by_rule["bpo_off_hours_access"]["ref"]
    closed = _json(cli("alerts", "triage", fp, "false-positive", "--reason", "approved overtime",
                       "-f", "json", "-w", w))  # fmt: skip
    assert closed[0]["state"] == "false_positive"
    trail = cli("audit", "log", "-f", "json", "-w", w)
    actions = [e["action"] for e in _json(trail)]
    assert {"logs.ingest", "alerts.detect", "alerts.triage", "alerts.escalate"} <= set(actions)


def test_the_checks_judge_the_alerts(cli, w: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    cli("logs", "ingest", str(log), "--source", "acme-crm", "--client", "acme", "-w", w)
    rows = _json(cli("assess", "--client", "acme", "-f", "json", "-w", w))["results"]
    got = {(r["check"], r["status"], r["subject"]) for r in rows
           if r["check"].startswith("monitoring_")}  # fmt: skip
    assert ("monitoring_no_mass_exports", "fail", "rob@bpo.example") in got
    assert ("monitoring_no_off_hours_access", "fail", "rob@bpo.example") in got
    assert ("monitoring_no_failed_login_bursts", "fail", "ana@bpo.example") in got
    assert ("monitoring_no_access_after_termination", "pass", "logs") in got
    assert ("monitoring_alerts_triaged_within_sla", "pass", "alerts") in got
    other = _json(cli("assess", "--client", "other", "-f", "json", "-w", w))["results"]
    assert {r["status"] for r in other if r["check"] == "monitoring_no_mass_exports"} == {
        "not_applicable"
    }


def test_the_store_holds_no_raw_sensitive_value(cli, w: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    cli("logs", "ingest", str(log), "--source", "acme-crm", "--client", "acme", "-w", w)
    from dataward.monitoring.models import LogEvent

    docs = list(LogEvent.objects.unscoped("test reads every event").values_list("doc", flat=True))
    assert len(docs) == 21
    assert not [d for d in docs if CARD in d or CARD.replace(" ", "") in d]
    assert any("[CREDIT_CARD]" in d for d in docs)


def test_an_interrupted_ingest_resumes_without_loss_or_duplicates(  # type: ignore[no-untyped-def]
    cli, w: str, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.monitoring import store

    monkeypatch.setattr(store, "BATCH", 5)
    real = store._Writer._commit
    calls = {"n": 0}

    def flaky(self: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(self)

    monkeypatch.setattr(store._Writer, "_commit", flaky)
    cli("logs", "sources", "add", "s", "--mapping", "ecs-jsonl", "--client", "acme", "-w", w)
    first = cli("logs", "ingest", str(log), "--source", "s", "--client", "acme", "-w", w)
    assert_one_line_error(first, "interrupted after line 10 (10 events", "run the same command")
    monkeypatch.setattr(store._Writer, "_commit", real)
    (row,) = _json(cli("logs", "ingest", str(log), "--source", "s", "-f", "json", "-w", w))
    assert row["resumed_from_line"] == 10
    from dataward.monitoring.models import LogEvent

    lines = sorted(LogEvent.objects.unscoped("test").values_list("line", flat=True))
    assert lines == [n for n in range(1, 23) if n != 21]


def test_a_grown_file_is_read_from_where_it_ended(cli, w: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    cli("logs", "ingest", str(log), "--source", "s", "--client", "acme", "-w", w)
    with log.open("a") as fh:
        fh.write(event(_local(0, 10), "ana@bpo.example", "login") + "\n")
    (row,) = _json(cli("logs", "ingest", str(log), "--source", "s", "-f", "json", "-w", w))
    assert (row["events"], row["resumed_from_line"]) == (1, 22)


def test_rules_list_and_export_to_siems(cli, w: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rules = _json(cli("rules", "list", "-f", "json", "-w", w))
    assert {r["rule"] for r in rules} >= {"bpo_mass_export", "bpo_failed_login_burst"}
    assert not [r for r in rules if r["problem"]]
    spl = cli("rules", "export", "--target", "splunk", "-w", w)
    assert spl.code == 0, spl
    assert "record_count>=1000" in spl.out
    assert "| stats count as event_count by _time user.name" in spl.out
    assert "# bpo_failed_login:" not in spl.out  # feeds the burst only; converted inside it
    out = tmp_path / "rules.esql"
    es = cli("rules", "export", "--target", "elasticsearch", "-o", str(out), "-w", w)
    assert es.code == 0, es
    assert "from " in out.read_text().lower()
    assert_one_line_error(cli("rules", "export", "--target", "qradar", "-w", w), "qradar")


def test_a_broken_workspace_rule_is_reported_not_fatal(cli, w: str) -> None:  # type: ignore[no-untyped-def]
    folder = Path(w) / "rules"
    folder.mkdir()
    (folder / "bad.yml").write_text("title: Bad one\nname: bad\nlogsource: {category: x}\n"
                                    "detection:\n  s: {a|nosuch: 1}\n  condition: s\n")  # fmt: skip
    result = cli("rules", "list", "-f", "json", "-w", w)
    rows = _json(result)
    (bad,) = [r for r in rows if r["problem"]]
    assert bad["title"] == "Bad one"
    assert "nosuch" in bad["problem"]
    assert "cannot be evaluated" in result.err
    assert _json(cli("rules", "run", "-f", "json", "-w", w))


def test_bad_input_gets_one_line(cli, w: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nope.jsonl"
    assert_one_line_error(
        cli("logs", "ingest", str(missing), "--source", "s", "--client", "acme", "-w", w),
        "no such file",
    )
    odd = tmp_path / "data.bin"
    odd.write_text("x")
    assert_one_line_error(cli("logs", "ingest", str(odd), "--source", "t", "-w", w), "--mapping")
    assert_one_line_error(
        cli("logs", "sources", "add", "u", "--mapping", "nosuch", "-w", w), "nosuch"
    )
    assert_one_line_error(cli("alerts", "show", "AL-999999", "-w", w), "AL-999999")
    cli("logs", "sources", "add", "acme-sso", "--mapping", "syslog", "--client", "acme", "-w", w)
    log = tmp_path / "x.log"
    log.write_text("")
    assert_one_line_error(
        cli("logs", "ingest", str(log), "--source", "acme-sso", "--client", "other", "-w", w),
        "belongs to acme",
    )
    assert_one_line_error(cli("alerts", "list", "--state", "closed", "-w", w), "closed")


def test_silent_sources_and_uncovered_systems() -> None:
    from dataward.monitoring.engine.judge import Monitoring, SourceFact, coverage, silent

    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    quiet = SourceFact("crm", ("acme_crm",), 6, now - timedelta(hours=9))
    fresh = SourceFact("sso", (), 24, now - timedelta(hours=1))
    never = SourceFact("vpn", (), 24, None)
    data = Monitoring((), (quiet, fresh, never), (quiet, fresh), 10, ("acme_crm", "acme_billing"),
                      {}, 30, now)  # fmt: skip
    assert [(v.status, v.subject) for v in silent(data)] == [
        ("fail", "crm"), ("pass", "sso"), ("fail", "vpn")
    ]  # fmt: skip
    assert [(v.status, v.subject) for v in coverage(data)] == [
        ("pass", "acme_crm"), ("fail", "acme_billing")
    ]  # fmt: skip
    none = Monitoring((), (), (), 0, (), {}, 30, now)
    assert [v.status for v in silent(none)] == ["not_applicable"]
    assert [v.status for v in coverage(none)] == ["not_applicable"]


def test_sigmahq_style_windows_rules_run_on_windows_events(cli, w: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = Path(w) / "rules"
    folder.mkdir()
    (folder / "win.yml").write_text(
        "title: Audit log cleared\nname: win_audit_cleared\n"
        "logsource: {product: windows, service: security}\n"
        "detection:\n  s:\n    EventID: 1102\n  condition: s\nlevel: high\n"
        "dataward: {dedup: [host.name]}\n"
        "---\ntitle: Admin logon from outside\nname: win_admin_logon\n"
        "logsource: {product: windows, service: security}\n"
        "detection:\n  s:\n    EventID: 4624\n    TargetUserName|endswith: adm\n"
        "  f:\n    IpAddress|cidr: 10.0.0.0/8\n  condition: s and not f\nlevel: high\n"
    )  # fmt: skip
    now = datetime.now(UTC).replace(microsecond=0)
    events = [
        {"EventID": 1102, "TimeCreated": now.isoformat(), "Computer": "dc01",
         "EventData": {"SubjectUserName": "tech1"}},
        {"EventID": 4624, "TimeCreated": now.isoformat(), "Computer": "dc01",
         "EventData": {"TargetUserName": "j.adm", "IpAddress": "203.0.113.4", "LogonType": "10"}},
        {"EventID": 4624, "TimeCreated": now.isoformat(), "Computer": "dc01",
         "EventData": {"TargetUserName": "k.adm", "IpAddress": "10.1.2.3"}},
        {"EventID": 4624, "TimeCreated": now.isoformat(), "Computer": "dc01",
         "EventData": {"TargetUserName": "ana", "IpAddress": "203.0.113.4"}},
    ]  # fmt: skip
    path = tmp_path / "security.json"
    path.write_text(json.dumps(events))
    (row,) = _json(cli("logs", "ingest", str(path), "--source", "dc", "--mapping",
                       "windows-security", "-f", "json", "-w", w))  # fmt: skip
    assert (row["events"], row["malformed"], row["alerts_raised"]) == (4, 0, 2)
    alerts = _json(cli("alerts", "list", "-f", "json", "-w", w))
    assert sorted((a["client"], a["rule"], a["subject"]) for a in alerts) == [
        ("operation", "win_admin_logon", "j.adm"),
        ("operation", "win_audit_cleared", "dc01"),
    ]


def test_a_source_keeps_its_mapping_unless_changed_on_purpose(cli, w: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    cli("logs", "ingest", str(log), "--source", "s", "--client", "acme", "-w", w)
    assert_one_line_error(
        cli("logs", "ingest", str(log), "--source", "s", "--mapping", "syslog", "-w", w),
        "reads its files with mapping 'ecs-jsonl'",
    )
    (row,) = _json(cli("logs", "sources", "list", "-f", "json", "-w", w))
    assert row["mapping"] == "ecs-jsonl"


def test_a_backfill_is_judged_before_retention_prunes_it(cli, w: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("logs", "sources", "add", "old", "--mapping", "ecs-jsonl", "--client", "acme",
        "--retention-days", "1", "-w", w)  # fmt: skip
    path = tmp_path / "old.jsonl"
    path.write_text(event(_local(3, 2, 0), "rob@bpo.example", "export", record_count=5000) + "\n")
    (row,) = _json(cli("logs", "ingest", str(path), "--source", "old", "-f", "json", "-w", w))
    assert (row["events"], row["alerts_raised"], row["pruned"]) == (1, 2, 1)
    rules = {a["rule"] for a in _json(cli("alerts", "list", "-f", "json", "-w", w))}
    assert rules == {"bpo_mass_export", "bpo_off_hours_access"}


def test_a_failed_ingest_is_recorded_as_failed(  # type: ignore[no-untyped-def]
    cli, w: str, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataward.monitoring import store

    def broken(self: Any) -> None:
        raise RuntimeError("disk full")

    cli("logs", "sources", "add", "s", "--mapping", "ecs-jsonl", "--client", "acme", "-w", w)
    monkeypatch.setattr(store._Writer, "_commit", broken)
    assert cli("logs", "ingest", str(log), "--source", "s", "-w", w).code == 3
    (run,) = _json(cli("logs", "runs", "-f", "json", "-w", w))
    assert run["status"] == "failed"


def test_a_growing_log_leaves_its_unfinished_last_line_for_later(
    cli, w: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "live.jsonl"
    first = event(_local(1, 10), "ana@bpo.example", "login")
    second = event(_local(1, 11), "ana@bpo.example", "login")
    path.write_text(first + "\n" + second[:40])  # the writer is half way through line 2
    args = ("logs", "ingest", str(path), "--source", "live", "--client", "acme", "--growing")
    (row,) = _json(cli(*args, "-f", "json", "-w", w))
    assert (row["events"], row["malformed"]) == (1, 0)
    path.write_text(first + "\n" + second + "\n")
    (row,) = _json(cli(*args, "-f", "json", "-w", w))
    assert (row["events"], row["malformed"], row["resumed_from_line"]) == (1, 0, 1)


def test_rules_test_shows_what_a_rule_would_raise_without_storing(
    cli, w: str, log: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    rule = tmp_path / "big_exports.yml"
    rule.write_text("title: Exports over 3000\nname: acme_big_exports\n"
                    "logsource: {category: file}\ndetection:\n"
                    "  s: {event.action: export, record_count|gte: 3000}\n"
                    "  condition: s\nlevel: high\n")  # fmt: skip
    result = cli("rules", "test", str(log), "--rule", str(rule), "--client", "acme",
                 "-f", "json", "-w", w)  # fmt: skip
    rows = _json(result)
    assert [(r["rule"], r["group"], r["events"], r["lines"]) for r in rows] == [
        ("acme_big_exports", "rob@bpo.example", 1, "8")
    ]
    assert "1 malformed lines skipped" in result.err
    everything = _json(cli("rules", "test", str(log), "--client", "acme", "-f", "json", "-w", w))
    assert {r["rule"] for r in everything} == {
        "bpo_mass_export", "bpo_off_hours_access", "bpo_failed_login_burst"
    }  # fmt: skip
    from dataward.monitoring.models import Alert, LogEvent

    assert not LogEvent.objects.unscoped("test").exists()
    assert not Alert.objects.unscoped("test").exists()


def test_a_mapping_file_is_remembered_by_its_full_path(  # type: ignore[no-untyped-def]
    cli, w: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine.yaml").write_text("extends: ecs-jsonl\nname: mine\n")
    (tmp_path / "a.jsonl").write_text(event(_local(1, 10), "ana@bpo.example", "login") + "\n")
    monkeypatch.chdir(tmp_path)
    args = ("logs", "ingest", "a.jsonl", "--source", "s", "--client", "acme")
    assert cli(*args, "--mapping", "mine.yaml", "-w", w).code == 0
    monkeypatch.chdir(Path(w))
    (src,) = _json(cli("logs", "sources", "list", "-f", "json", "-w", w))
    assert src["mapping"] == str(tmp_path / "mine.yaml")
    again = cli("logs", "ingest", str(tmp_path / "a.jsonl"), "--source", "s", "-f", "json", "-w", w)
    assert _json(again)[0]["events"] == 0


def test_a_utf16_export_is_refused_with_the_fix(cli, w: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "security.json"
    path.write_text('[{"EventID": 4624}]', encoding="utf-16")  # with a BOM, as PowerShell 5
    bare = tmp_path / "bare.jsonl"
    bare.write_bytes('{"a": 1}\n'.encode("utf-16-le"))  # no BOM
    for f in (path, bare):
        result = cli("logs", "ingest", str(f), "--source", "dc", "--mapping", "windows-security",
                     "-w", w)  # fmt: skip
        assert_one_line_error(result, "UTF-16", "iconv")
    assert _json(cli("logs", "sources", "list", "-f", "json", "-w", w)) == []  # nothing created
