"""`dataward training` end to end on a small workforce, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from helpers import assert_one_line_error
from training.workforce import COMPLETIONS_HEADER, TODAY, Cli, ago, completion_rows, write_csv


def _json(result: Any) -> list[dict[str, Any]]:
    assert result.code == 0, result
    rows: list[dict[str, Any]] = json.loads(result.out)
    return rows


def _count(kind: str) -> int:
    from dataward.core.models import Client
    from dataward.training.models import Completion, PhishingResult

    op = Client.objects.get(kind="operation")
    model = Completion if kind == "completions" else PhishingResult
    return model.objects.for_client(op).count()


def test_import_reports_rows_notes_and_unchanged(
    cli: Cli, people_ws: Path, files: dict[str, Path]
) -> None:
    w = str(people_ws)
    assert cli("training", "requirements", "load", str(files["requirements"]), "-w", w).code == 0
    first = cli(
        "training", "import", "completions", str(files["completions"]), "-f", "json", "-w", w
    )
    assert _json(first) == [{"kind": "completions", "rows": 12, "replaced": 0, "unchanged": False}]
    assert "1 rows name people not on the HR roster" in first.err
    assert "1 rows name courses the requirements do not declare" in first.err
    again = cli(
        "training", "import", "completions", str(files["completions"]), "-f", "json", "-w", w
    )
    assert _json(again) == [{"kind": "completions", "rows": 12, "replaced": 0, "unchanged": True}]
    phish = cli("training", "import", "phishing", str(files["phishing"]), "-f", "json", "-w", w)
    assert _json(phish) == [{"kind": "phishing", "rows": 12, "replaced": 0, "unchanged": False}]
    events = _json(cli("audit", "log", "-f", "json", "-w", w))
    actions = [e["action"] for e in events]
    assert actions.count("training.import.completions") == 2
    assert "training.import.phishing" in actions
    assert "training.requirements.load" in actions


def test_a_bad_row_fails_the_whole_import_and_stores_nothing(
    cli: Cli, trained_ws: Path, tmp_path: Path
) -> None:
    w = str(trained_ws)
    rows = completion_rows()
    rows[4] = ("E3", "SAT 2026", "yesterday", "", 99)
    bad = write_csv(tmp_path / "bad.csv", COMPLETIONS_HEADER, rows)
    result = cli("training", "import", "completions", str(bad), "-w", w)
    assert_one_line_error(result, "bad.csv row 6", "completed_on", "not a date")
    assert _count("completions") == 12  # the previous import is untouched
    empty = write_csv(tmp_path / "empty.csv", COMPLETIONS_HEADER, [("E1", "SAT 2026", "", "", "")])
    assert_one_line_error(
        cli("training", "import", "completions", str(empty), "-w", w), "row 2", "due_on"
    )
    phish = write_csv(
        tmp_path / "phish.csv",
        ("campaign", "employee_id", "clicked"),
        [("Lure", "E1", "yes"), ("Lure", "E2", "perhaps")],
    )
    assert_one_line_error(
        cli("training", "import", "phishing", str(phish), "-w", w), "row 3", "clicked"
    )
    assert _count("phishing") == 12
    assert_one_line_error(
        cli("training", "import", "grades", str(phish), "-w", w), "completions, phishing"
    )


def test_xlsx_export_with_mapped_headers(cli: Cli, people_ws: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Learner", "Learning Item", "Finished", "Due"])
    sheet.append(["E1", "Annual Security Awareness", TODAY - timedelta(days=3), None])
    sheet.append(["E2", "Annual Security Awareness", None, TODAY + timedelta(days=9)])
    path = tmp_path / "lms.xlsx"
    book.save(path)
    w = str(people_ws)
    args = ("training", "import", "completions", str(path), "-f", "json", "-w", w)
    missing = cli(*args)
    assert_one_line_error(missing, "lms.xlsx", "'course'", "--map course=HEADER")
    mapped = cli(*args, "--map", "employee_id=Learner", "--map", "course=Learning Item")
    assert _json(mapped)[0]["rows"] == 2
    from dataward.core.models import Client
    from dataward.training.models import Completion

    op = Client.objects.get(kind="operation")
    stored = {c.employee_id: c for c in Completion.objects.for_client(op)}
    assert stored["E1"].completed_on == TODAY - timedelta(days=3)
    assert stored["E2"].completed_on is None
    assert stored["E2"].due_on == TODAY + timedelta(days=9)


def test_requirements_load_show_and_errors(
    cli: Cli, people_ws: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    w = str(people_ws)
    assert "no training requirements loaded" in cli("training", "requirements", "show", "-w", w).err
    loaded = cli("training", "requirements", "load", str(files["requirements"]), "-w", w)
    assert loaded.code == 0, loaded
    assert "3 courses and 3 requirements loaded" in loaded.err
    again = cli("training", "requirements", "load", str(files["requirements"]), "-w", w)
    assert "unchanged" in again.err
    rows = _json(cli("training", "requirements", "show", "-f", "json", "-w", w))
    assert [(r["course"], r["client"], r["before_access"]) for r in rows] == [
        ("security-awareness", "(everyone)", False),
        ("pci-dss", "northbank", True),
        ("hipaa", "carewell", True),
    ]
    carewell = _json(
        cli("training", "requirements", "show", "--client", "carewell", "-f", "json", "-w", w)
    )
    assert [r["course"] for r in carewell] == ["security-awareness", "hipaa"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        files["requirements"].read_text().replace("clients: [carewell]", "clients: [acme]")
    )
    assert_one_line_error(
        cli("training", "requirements", "load", str(bad), "-w", w),
        "bad.yaml",
        "requirements[3].clients",
        "acme",
    )
    example = cli("training", "requirements", "example")
    assert example.code == 0
    assert "before_access: true" in example.out


def test_status_lists_each_person_and_course(cli: Cli, trained_ws: Path) -> None:
    w = str(trained_ws)
    rows = _json(cli("training", "status", "-f", "json", "-w", w))
    state = {(r["employee_id"], r["course"]): r for r in rows}
    assert "E7" not in {r["employee_id"] for r in rows}  # leavers are not judged
    assert state[("E1", "security-awareness")]["state"] == "current"
    late = state[("E2", "security-awareness")]
    assert (late["state"], late["due"], late["days"]) == ("overdue", ago(15), -15)
    assert state[("E4", "hipaa")]["state"] == "not yet due"
    assert state[("E4", "hipaa")]["due"] == (TODAY + timedelta(days=20)).isoformat()
    assert state[("E3", "security-awareness")]["last_completed"] == ago(10)  # alias matched
    overdue = _json(cli("training", "status", "--overdue", "-f", "json", "-w", w))
    assert {(r["employee_id"], r["course"]) for r in overdue} == {
        ("E2", "security-awareness"),
        ("E6", "security-awareness"),
    }
    carewell = _json(cli("training", "status", "--client", "carewell", "-f", "json", "-w", w))
    assert {r["employee_id"] for r in carewell} == {"E3", "E4", "E5"}
    assert "pci-dss" not in {r["course"] for r in carewell}
    csv_out = cli("training", "status", "--overdue", "-f", "csv", "-w", w)
    assert csv_out.out.splitlines()[0].startswith("employee_id,name,job_role,client,course")


def test_phishing_listing_per_campaign_and_team(cli: Cli, trained_ws: Path) -> None:
    rows = _json(cli("training", "phishing", "-f", "json", "-w", str(trained_ws)))
    window = {r["team"]: r for r in rows if r["campaign"].startswith("all campaigns")}
    assert (window["Operations"]["sent"], window["Operations"]["clicked"]) == (10, 3)
    assert window["Operations"]["verdict"] == "above threshold"
    assert window["IT"]["verdict"] == "too few to judge"
    per = [r for r in rows if r["campaign"] == "Parcel lure" and r["team"] == "Operations"]
    assert per[0]["click_rate"] == 60.0
    by_manager = _json(
        cli("training", "phishing", "--team", "manager", "-f", "json", "-w", str(trained_ws))
    )
    assert "manager E3" in {r["team"] for r in by_manager}
    assert cli("training", "phishing", "--team", "site", "-w", str(trained_ws)).code == 2


def test_jsonl_output_stands_alone(cli: Cli, trained_ws: Path) -> None:
    out = cli("training", "status", "--overdue", "-f", "jsonl", "-w", str(trained_ws)).out
    assert [json.loads(line)["employee_id"] for line in out.splitlines()] == ["E2", "E6"]


def _ids(kind: str) -> list[int]:
    from dataward.core.models import Client
    from dataward.training.models import Completion, PhishingResult

    op = Client.objects.get(kind="operation")
    model = Completion if kind == "completions" else PhishingResult
    return list(model.objects.for_client(op).order_by("id").values_list("id", flat=True))


def test_unchanged_means_the_same_rows_not_the_same_bytes(
    cli: Cli, trained_ws: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    w = str(trained_ws)
    before = _ids("completions")
    rows = [(*r, "note") for r in completion_rows()]  # one more column dataward does not read
    resaved = write_csv(tmp_path / "resaved.csv", (*COMPLETIONS_HEADER, "Comments"), rows)
    same = _json(cli("training", "import", "completions", str(resaved), "-f", "json", "-w", w))
    assert same == [{"kind": "completions", "rows": 12, "replaced": 0, "unchanged": True}]
    assert _ids("completions") == before  # nothing was rewritten
    # The same file read through another column is a different import, not "unchanged".
    args = ("training", "import", "completions", str(files["completions"]), "-f", "json")
    remapped = _json(cli(*args, "--map", "employee_id=Course Title", "-w", w))
    assert remapped[0]["unchanged"] is False
    assert _json(cli(*args, "-w", w))[0]["unchanged"] is False  # and back again


def test_a_cell_too_long_for_the_store_is_a_row_error_on_every_backend(
    cli: Cli, trained_ws: Path, tmp_path: Path
) -> None:
    w = str(trained_ws)
    rows = completion_rows()
    rows[-1] = ("E1", "A" * 250, ago(3), "", 90)
    bad = write_csv(tmp_path / "long.csv", COMPLETIONS_HEADER, rows)
    result = cli("training", "import", "completions", str(bad), "-w", w)
    assert_one_line_error(result, "long.csv row 13", "'course'", "250 characters")
    assert _count("completions") == 12
    header_only = write_csv(tmp_path / "header.csv", COMPLETIONS_HEADER, [])
    result = cli("training", "import", "completions", str(header_only), "-w", w)
    assert_one_line_error(result, "header.csv", "no data rows")
    assert _count("completions") == 12


def test_a_reformatted_requirements_file_loads_unchanged(
    cli: Cli, trained_ws: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    w = str(trained_ws)
    same = tmp_path / "same.yaml"
    same.write_text("# the same requirements, commented\n" + files["requirements"].read_text())
    result = cli("training", "requirements", "load", str(same), "-w", w)
    assert "3 courses and 3 requirements unchanged" in result.err, result
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        files["requirements"].read_text().replace("within_days: 30", "within_days: 20")
    )
    result = cli("training", "requirements", "load", str(changed), "-w", w)
    assert "3 courses and 3 requirements loaded" in result.err, result


def test_a_role_no_one_holds_is_noted_on_load(
    cli: Cli, people_ws: Path, files: dict[str, Path], tmp_path: Path
) -> None:
    w = str(people_ws)
    text = (
        files["requirements"]
        .read_text()
        .replace("clients: [northbank]", "clients: [northbank], roles: [Team Lead, teamlead]")
    )
    path = tmp_path / "roles.yaml"
    path.write_text(text)
    result = cli("training", "requirements", "load", str(path), "-w", w)
    assert result.code == 0, result
    notes = [line for line in result.err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1, result.err  # "Team Lead" is the roster's team_lead
    assert "'teamlead'" in notes[0]
