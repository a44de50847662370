"""The training checks in an assessment, the obligations hook and client scope, on both backends."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from dataward.core.engine.obligations import Obligation
from helpers import assert_one_line_error
from training.workforce import COMPLETIONS_HEADER, TODAY, Cli, ago, phishing_rows, write_csv

TRAINING = (
    "training_required_courses_current",
    "training_unassigned_staff_courses_current",
    "training_phishing_click_rate_within_threshold",
    "training_completed_before_client_access",
)


def _results(cli: Cli, root: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    result = cli("assess", "-f", "json", "-w", str(root))
    assert result.code == 0, result
    return {
        (r["client"], r["check"], r["subject"]): r
        for r in json.loads(result.out)["results"]
        if r["check"] in TRAINING
    }


def _failed(results: dict[tuple[str, str, str], dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {key for key, r in results.items() if r["status"] == "fail"}


def test_nothing_loaded_is_not_applicable_with_the_next_step(cli: Cli, people_ws: Path) -> None:
    results = _results(cli, people_ws)
    assert {r["check"] for r in results.values()} == set(TRAINING)
    assert {r["status"] for r in results.values()} == {"not_applicable"}
    summaries = {r["summary"] for r in results.values()}
    assert any("training requirements load" in s for s in summaries)
    assert any("training import phishing" in s for s in summaries)


def test_each_check_fails_exactly_the_planted_subjects(cli: Cli, trained_ws: Path) -> None:
    results = _results(cli, trained_ws)
    assert _failed(results) == {
        ("northbank", "training_required_courses_current", "E2"),
        ("operation", "training_unassigned_staff_courses_current", "E6"),
        ("carewell", "training_completed_before_client_access", "E4"),
        ("operation", "training_phishing_click_rate_within_threshold", "Operations"),
    }
    late = results[("northbank", "training_required_courses_current", "E2")]
    assert (
        late["summary"]
        == f"E2 (agent): Annual Security Awareness overdue since {ago(15)} (15 days)"
    )
    assert late["evidence"][0]["due"] == ago(15)
    early = results[("carewell", "training_completed_before_client_access", "E4")]
    assert "has not completed HIPAA Privacy and Security" in early["summary"]
    assert f"since {ago(8)}" in early["summary"]
    assert (
        results[("carewell", "training_required_courses_current", "carewell")]["status"] == "pass"
    )
    gate = results[("northbank", "training_completed_before_client_access", "northbank")]
    assert gate["status"] == "not_applicable"
    assert "no joiner" in gate["summary"]
    small = results[("operation", "training_phishing_click_rate_within_threshold", "IT")]
    assert small["status"] == "not_applicable"
    assert "fewer than the 8 needed" in small["summary"]
    phish = results[("operation", "training_phishing_click_rate_within_threshold", "Operations")]
    assert "3 of 10" in phish["summary"]
    assert "above the 20% threshold" in phish["summary"]


def test_fixing_the_records_makes_every_check_pass(
    cli: Cli, trained_ws: Path, tmp_path: Path
) -> None:
    w = str(trained_ws)
    fixed = [
        ("E1", "Annual Security Awareness", ago(100), "", 91),
        ("E1", "PCI DSS Awareness", ago(50), "", 88),
        ("E2", "Annual Security Awareness", ago(2), "", 90),
        ("E2", "PCI DSS Awareness", ago(40), "", 80),
        ("E3", "SAT 2026", ago(10), "", 99),
        ("E3", "PCI DSS Awareness", ago(10), "", 99),
        ("E3", "HIPAA Privacy and Security", ago(10), "", 99),
        ("E4", "HIPAA Privacy and Security", ago(9), "", 90),
        ("E5", "Annual Security Awareness", ago(20), "", 95),
        ("E5", "HIPAA Privacy and Security", ago(20), "", 95),
        ("E6", "Annual Security Awareness", ago(1), "", 70),
    ]
    lms = write_csv(tmp_path / "fixed.csv", COMPLETIONS_HEADER, fixed)
    assert cli("training", "import", "completions", str(lms), "-w", w).code == 0
    phish = write_csv(
        tmp_path / "phish.csv",
        ("campaign", "employee_id", "sent_on", "clicked", "reported"),
        phishing_rows(1),
    )
    assert cli("training", "import", "phishing", str(phish), "-w", w).code == 0
    results = _results(cli, trained_ws)
    assert _failed(results) == set()
    early = results[("carewell", "training_completed_before_client_access", "carewell")]
    assert early["status"] == "pass"
    assert early["summary"].startswith("2 joiners hold access to carewell's systems")
    assert (
        results[("operation", "training_phishing_click_rate_within_threshold", "Operations")][
            "status"
        ]
        == "pass"
    )


def test_obligations_go_to_the_manager_and_respect_client_scope(cli: Cli, trained_ws: Path) -> None:
    from dataward.core.workspace import open_workspace
    from dataward.plugins import hook

    def duties(actor: str | None) -> dict[str, Obligation]:
        ws = open_workspace(trained_ws, env={}, actor=actor)
        rows = [o for batch in hook().obligations(ws=ws, today=TODAY) for o in batch]
        return {o.ref: o for o in rows if o.kind == "training"}

    everything = duties(None)
    late = everything["E2/security-awareness"]
    assert (late.owner, late.due, late.client) == ("u3@corp.example", TODAY - timedelta(15), None)
    assert late.state(TODAY) == "overdue"
    joiner = everything["E4/hipaa"]
    assert (joiner.client, joiner.due) == ("carewell", TODAY + timedelta(days=20))
    assert joiner.state(TODAY) == "later"
    assert everything["E3/pci-dss"].owner == "u3@corp.example"  # no manager: the person
    assert late.title == "Bob Two (E2) to complete Annual Security Awareness"
    assert not any(ref.startswith("E7/") for ref in everything)  # leavers owe nothing
    w = str(trained_ws)
    add = ("users", "add", "cara", "--role", "client-viewer", "--client", "carewell", "-w", w)
    assert cli(*add).code == 0
    scoped = duties("cara")
    assert scoped
    assert {o.client for o in scoped.values()} == {"carewell"}


def test_a_client_viewer_sees_only_their_client(cli: Cli, trained_ws: Path) -> None:
    w = str(trained_ws)
    add = ("users", "add", "cara", "--role", "client-viewer", "--client", "carewell", "-w", w)
    assert cli(*add).code == 0
    rows = cli("training", "status", "--client", "carewell", "-f", "json", "-w", w, "--as", "cara")
    assert rows.code == 0, rows
    seen = json.loads(rows.out)
    assert {r["client"] for r in seen} == {"carewell", "(everyone)"}
    assert {r["employee_id"] for r in seen} == {"E3", "E4", "E5"}  # no northbank-only staff
    assert_one_line_error(
        cli("training", "status", "--client", "northbank", "-w", w, "--as", "cara"), "northbank"
    )
    assert_one_line_error(cli("training", "status", "-w", w, "--as", "cara"), "may not")
    assert_one_line_error(cli("training", "phishing", "-w", w, "--as", "cara"), "may not")
    lms = str(trained_ws.parent / "lms.csv")
    assert_one_line_error(
        cli("training", "import", "completions", lms, "-w", w, "--as", "cara"), "may not"
    )


def test_a_course_overdue_with_no_start_date_is_still_a_duty(
    cli: Cli, trained_ws: Path, files: dict[str, Path]
) -> None:
    from dataward.core.workspace import open_workspace
    from dataward.plugins import hook

    roster = files["roster"]
    extra = "E8,Hal Eight,u8@corp.example,active,,,Operations,agent,northbank,E3,\n"
    roster.write_text(roster.read_text() + extra)
    assert cli("access", "import", "hr", str(roster), "-w", str(trained_ws)).code == 0
    ws = open_workspace(trained_ws, env={})
    duties = {
        o.ref: o
        for batch in hook().obligations(ws=ws, today=TODAY)
        for o in batch
        if o.kind == "training"
    }
    late = duties["E8/security-awareness"]  # never done, and no date to count the grace from
    assert (late.due, late.state(TODAY), late.owner) == (TODAY, "due soon", "u3@corp.example")
    assert duties["E8/pci-dss"].client == "northbank"
