"""`dataward incidents` end to end through the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from helpers import assert_one_line_error
from incidents.conftest import CLIENTS


@pytest.fixture
def w(ws_root: Path, cli, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """A workspace with the three test clients, as a -w argument."""
    records = tmp_path / "clients.json"
    records.write_text(json.dumps(CLIENTS))
    assert cli("clients", "import", str(records), "-w", str(ws_root)).code == 0
    return str(ws_root)


def _ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%MZ")


def _json(result):  # type: ignore[no-untyped-def]
    assert result.code == 0, result
    return json.loads(result.out)


def test_report_list_show_and_clocks_as_json(cli, w: str) -> None:
    (row,) = _json(cli(
        "incidents", "report", "--title", "Laptop stolen", "--severity", "high",
        "--client", "eurotel:PII:38", "--client", "medplan", "--category", "PHI",
        "--detected-at", _ago(30), "--playbook", "lost_or_stolen_laptop", "-f", "json", "-w", w,
    ))  # fmt: skip
    assert row["ref"] == "INC-0001"
    assert row["clients"] == ["eurotel", "medplan"]
    assert [c.split(" ")[0] for c in row["clocks"]] == [
        "contract/eurotel",
        "contract/medplan",
        "gdpr_art33/eurotel",
        "hipaa_individuals/medplan",
        "hipaa_hhs_media/medplan",
    ]  # medplan's record count is unknown, so the 500-record HHS and media rule applies too
    assert row["tasks"] == 9
    (listed,) = _json(cli("incidents", "list", "--open", "-f", "json", "-w", w))
    assert (listed["open_clocks"], listed["overdue_clocks"], listed["records"]) == (5, 1, None)
    overdue = _json(cli("incidents", "clocks", "--overdue", "-f", "json", "-w", w))
    assert [(r["client"], r["rule"], r["state"]) for r in overdue] == [
        ("eurotel", "contract", "overdue")
    ]
    soon = _json(cli("incidents", "clocks", "--due-soon", "-f", "json", "-w", w))
    assert [(r["client"], r["rule"]) for r in soon] == [("medplan", "contract")]
    csv = cli("incidents", "clocks", "--client", "medplan", "-f", "csv", "-w", w)
    assert (
        csv.out.splitlines()[0] == "ref,client,rule,audience,due_at,left,state,notified_at,handler"
    )
    doc = _json(cli("incidents", "show", "inc-0001", "-f", "json", "-w", w))
    assert {"impacts", "clocks", "tasks", "timeline"} <= set(doc)
    medplan = next(i for i in doc["impacts"] if i["client"] == "medplan")
    assert (medplan["data_categories"], medplan["personal_data"]) == (["PHI"], True)
    table = cli("incidents", "show", "INC-0001", "-w", w)
    assert table.code == 0
    assert "Timeline" in table.out
    assert "Laptop stolen" in table.out


def test_handling_an_incident_to_closure(cli, w: str) -> None:
    base = ("-w", w)
    assert cli("incidents", "report", "--title", "Mail to wrong customer", "--severity", "medium",
               "--client", "eurotel:PII:3", "--detected-at", _ago(2), *base).code == 0  # fmt: skip
    assert cli("incidents", "status", "INC-0001", "triage", *base).code == 0
    assert cli("incidents", "note", "INC-0001", "recipient asked to delete", *base).code == 0
    assert cli("incidents", "assign", "INC-0001", "dpo", *base).code == 0
    closing = cli("incidents", "status", "INC-0001", "closed", "--lessons", "x", *base)
    assert_one_line_error(closing, "INC-0001", "closing needs lessons learned")
    lessons = "External recipients now need a second click to confirm."
    blocked = cli("incidents", "status", "INC-0001", "closed", "--lessons", lessons, *base)
    assert_one_line_error(blocked, "cannot close while clock contract for eurotel is open")
    assert cli("incidents", "notify", "INC-0001", "--rule", "contract", "--client", "eurotel",
               "--at", _ago(1), *base).code == 0  # fmt: skip
    notified = cli(
        "incidents",
        "notify",
        "INC-0001",
        "--rule",
        "gdpr_art33",
        "--client",
        "eurotel",
        "--not-required",
        "--note",
        "3 records, all encrypted",
        *base,
    )
    assert notified.code == 0
    assert "not required" in notified.err
    assert cli("incidents", "playbook", "INC-0001", "misdirected_email_or_file", *base).code == 0
    for n in range(1, 9):
        assert cli("incidents", "task", "INC-0001", str(n), "--done", *base).code == 0
    assert cli("incidents", "status", "INC-0001", "closed", "--lessons", lessons, *base).code == 0
    (row,) = _json(cli("incidents", "list", "-f", "json", *base))
    assert (row["status"], row["handler"], row["open_clocks"]) == ("closed", "dpo", 0)
    assert _json(cli("incidents", "list", "--open", "-f", "json", *base)) == []


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("report", "--title", "x", "--severity", "urgent"), ("--severity", "unknown severity")),
        (("report", "--title", "x", "--severity", "low", "--client", "Eurotel"), ("--client",)),
        (("report", "--title", "x", "--severity", "low", "--client", "eurotel",
          "--category", "CARDS"), ("--category", "data categories must be among")),
        (("report", "--title", "x", "--severity", "low", "--detected-at", "last week"),
         ("--detected-at", "is not a date and time")),
        (("report", "--title", "x", "--severity", "low", "--detected-at", "2999-01-01"),
         ("--detected-at", "in the future")),
        (("show", "INC-0042"), ("no incident 'INC-0042'",)),
        (("status", "INC-0042", "triage"), ("no incident",)),
        (("task", "INC-0042", "1"), ("--done", "exactly one of --done or --skip")),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(
    cli, w: str, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    assert_one_line_error(cli("incidents", *args, "-w", w), *needles)


def test_playbooks_and_rule_files(cli, w: str, tmp_path: Path) -> None:
    books = _json(cli("incidents", "playbooks", "-f", "json", "-w", w))
    assert len(books) == 5
    bad = tmp_path / "mine.yaml"
    bad.write_text("name: mine\ntitle: Mine\ntasks:\n  - {text: go, phase: soon}\n")
    assert_one_line_error(
        cli("incidents", "playbooks", "--check", str(bad), "-w", w), "mine.yaml, task 1", "phase"
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - {id: ccpa, audience: state AG, days: 45, hours: 3}\n")
    result = cli("incidents", "report", "--title", "x", "--severity", "low", "--rules",
                 str(rules), "-w", w)  # fmt: skip
    assert_one_line_error(result, "rules.yaml, rule 1 (ccpa)", "exactly one of")
    assert _json(cli("incidents", "list", "-f", "json", "-w", w)) == []


def _register(tmp_path: Path, *incidents: dict) -> Path:
    path = tmp_path / "register.json"
    path.write_text(json.dumps({"schema": "dataward-incident-register/1", "incidents": incidents}))
    return path


GOOD = {
    "id": "OLD-7", "title": "USB stick lost", "severity": "low", "status": "closed",
    "detected_at": "2026-01-10T08:00Z", "closed_at": "2026-02-01T08:00Z",
    "lessons_learned": "USB storage is now blocked on agent desktops.",
    "affected": [{"client": "medplan", "data_categories": ["PHI"], "records": 12}],
    "notifications": [
        {"rule": "contract", "client": "medplan", "at": "2026-01-11T08:00Z", "by": "dpo"},
        {"rule": "hipaa_individuals", "client": "medplan", "not_required": True,
         "note": "the stick was encrypted"},
    ],
    "timeline": [{"at": "2026-01-10T09:00Z", "actor": "it", "text": "stick reported lost"}],
}  # fmt: skip
OPEN = {"id": "OLD-8", "title": "Phish", "severity": "medium", "detected_at": "2026-03-01T08:00Z",
        "playbooks": ["phishing_compromise"], "affected": [{"client": "eurotel"}]}  # fmt: skip


def test_import_register_all_or_nothing(cli, w: str, tmp_path: Path) -> None:
    good = _register(tmp_path, GOOD, OPEN)
    (row,) = _json(cli("incidents", "import", str(good), "-f", "json", "-w", w))
    assert (row["imported"], row["unchanged"], row["refs"]) == (2, 0, ["INC-0001", "INC-0002"])
    (again,) = _json(cli("incidents", "import", str(good), "-f", "json", "-w", w))
    assert (again["imported"], again["unchanged"]) == (0, 2)
    doc = _json(cli("incidents", "show", "INC-0001", "-f", "json", "-w", w))
    assert {c["rule"]: c["state"] for c in doc["clocks"]} == {
        "contract": "met", "hipaa_individuals": "not required"
    }  # fmt: skip
    assert doc["source_ref"] == "OLD-7"
    assert doc["timeline"][0]["text"] == "stick reported lost"
    overdue = _json(cli("incidents", "clocks", "--overdue", "-f", "json", "-w", w))
    assert [(r["ref"], r["rule"]) for r in overdue] == [
        ("INC-0002", "contract"),
        ("INC-0002", "gdpr_art33"),
    ]


@pytest.mark.parametrize(
    ("second", "needles"),
    [
        ({**OPEN, "severity": "dire"}, ("register.json, incident 2 (OLD-8)", "'severity'")),
        ({**OPEN, "affected": [{"client": "nobody"}]}, ("incident 2 (OLD-8)", "'nobody'")),
        ({**OPEN, "playbooks": ["flood"]}, ("incident 2 (OLD-8)", "no playbook 'flood'")),
        ({**GOOD, "id": "OLD-8", "lessons_learned": ""}, ("incident 2", "lessons_learned")),
        ({**GOOD, "id": "OLD-8", "notifications": []},
         ("incident 2", "clock contract for medplan has no notification")),
        ({**GOOD, "id": "OLD-8", "notifications": [{"rule": "gdpr_art33", "client": "medplan",
          "at": "2026-01-11T08:00Z"}]}, ("incident 2", "matches no clock")),
        ({**GOOD}, ("id 'OLD-7' appears twice",)),
    ],
)  # fmt: skip
def test_a_bad_register_entry_stores_nothing(
    cli, w: str, tmp_path: Path, second: dict, needles: tuple[str, ...]
) -> None:
    result = cli("incidents", "import", str(_register(tmp_path, GOOD, second)), "-w", w)
    assert_one_line_error(result, *needles)
    assert _json(cli("incidents", "list", "-f", "json", "-w", w)) == []
    audit = _json(cli("audit", "log", "-f", "json", "-w", w))
    assert not [e for e in audit if e["action"].startswith("incident.")]


def test_a_client_viewer_sees_only_their_incidents(cli, w: str) -> None:
    for client in ("eurotel:PII:1", "medplan:PHI:2"):
        assert cli("incidents", "report", "--title", "x", "--severity", "low", "--client", client,
                   "-w", w).code == 0  # fmt: skip
    assert (
        cli("users", "add", "mv", "--role", "client-viewer", "--client", "medplan", "-w", w).code
        == 0
    )
    rows = _json(cli("incidents", "list", "-f", "json", "-w", w, "--as", "mv"))
    assert [r["ref"] for r in rows] == ["INC-0002"]
    hidden = cli("incidents", "show", "INC-0001", "-w", w, "--as", "mv")
    assert_one_line_error(hidden, "no incident 'INC-0001'")
    denied = cli("incidents", "note", "INC-0002", "seen", "-w", w, "--as", "mv")
    assert_one_line_error(denied, "may not triage")


def test_a_scoped_analyst_never_learns_which_other_clients_are_hit(cli, w: str) -> None:
    assert cli("incidents", "report", "--title", "Laptop stolen", "--severity", "high",
               "--client", "eurotel:PII:38", "--client", "medplan:PHI:600",
               "-w", w).code == 0  # fmt: skip
    assert cli("users", "add", "ana", "--role", "analyst", "--client", "medplan",
               "-w", w).code == 0  # fmt: skip
    as_ana = ("-w", w, "--as", "ana")
    for args in (
        ("status", "INC-0001", "triage"), ("note", "INC-0001", "shared"),
        ("assign", "INC-0001", "ana"), ("playbook", "INC-0001", "ransomware"),
        ("detected", "INC-0001", "2026-01-01T00:00Z", "--note", "knew earlier"),
    ):  # fmt: skip
        result = cli("incidents", *args, *as_ana)
        assert_one_line_error(result, "clients outside your scope")
        assert "eurotel" not in result.err
    mine = cli("incidents", "impact", "INC-0001", "--client", "medplan:PHI:10", *as_ana)
    assert mine.code == 0, mine
    doc = _json(cli("incidents", "show", "INC-0001", "-f", "json", *as_ana))
    assert "eurotel" not in json.dumps(doc)


def test_commands_work_in_a_fresh_process(tmp_path: Path) -> None:
    """Every incidents command opens its workspace before touching models (no set-up leaks)."""
    import os
    import subprocess
    import sys

    records = tmp_path / "clients.json"
    records.write_text(json.dumps(CLIENTS))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    code = "import sys; from dataward.cli import main; sys.exit(main(sys.argv[1:]))"
    steps = [
        ("init",), ("clients", "import", str(records)),
        ("incidents", "report", "--title", "x", "--severity", "low", "--client", "eurotel"),
        ("incidents", "list", "-f", "json"), ("incidents", "show", "INC-0001", "-f", "json"),
        ("incidents", "clocks", "-f", "json"), ("incidents", "playbooks", "-f", "json"),
        ("incidents", "playbook", "INC-0001", "ransomware"),
        ("incidents", "task", "INC-0001", "1", "--done"),
        ("incidents", "notify", "INC-0001", "--rule", "contract", "--client", "eurotel"),
        ("incidents", "impact", "INC-0001", "--client", "eurotel:PII:2"),
        ("incidents", "note", "INC-0001", "seen"), ("incidents", "assign", "INC-0001", "dpo"),
        ("incidents", "status", "INC-0001", "triage"),
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(
            [sys.executable, "-c", code, "-w", str(tmp_path / "ws"), *step],
            capture_output=True, text=True, timeout=120, env=env, check=False,
        )  # fmt: skip
        assert done.returncode == 0, (step, done.stderr)
