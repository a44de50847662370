"""LMS and phishing-platform exports: common headers, statuses, timestamps, and row errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dataward.errors import ImportFileError
from dataward.training.engine.lms import read_completions, read_phishing
from training.workforce import write_csv

TODAY = date(2026, 11, 28)


def test_a_cornerstone_style_export_with_statuses(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "transcript.csv",
        ("User ID", "User Email", "Training Title", "Transcript Status", "Completed Date",
         "Due Date", "Grade"),
        [
            ("E1", "", "Annual Security Awareness", "Completed", "2026-10-01", "", "88%"),
            ("", "Bo@Corp.example", "GDPR Essentials", "In Progress", "", "2026-12-01", ""),
            ("E3", "", "GDPR Essentials", "Failed", "2026-11-01", "2026-11-20", "40"),
        ],
    )  # fmt: skip
    rows = read_completions(path, today=TODAY)
    assert [(r.employee_id, r.email, r.completed_on, r.due_on, r.score) for r in rows] == [
        ("E1", "", date(2026, 10, 1), None, 88.0),
        ("", "bo@corp.example", None, date(2026, 12, 1), None),
        ("E3", "", None, date(2026, 11, 20), 40.0),  # a failed attempt is not a completion
    ]
    assert [r.row for r in rows] == [2, 3, 4]


def test_a_knowbe4_style_export_with_timestamps(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "phish.csv",
        ("Campaign Name", "Email", "Delivered At", "Clicked At", "Reported At"),
        [
            ("Lure", "a@corp.example", "2026-10-01T08:00:00Z", "2026-10-01 09:13:00", ""),
            ("Lure", "b@corp.example", "2026-10-01T08:00:00Z", "", "2026-10-01T08:30:00Z"),
        ],
    )
    rows = read_phishing(path, today=TODAY)
    assert [(r.email, r.sent_on, r.clicked, r.reported) for r in rows] == [
        ("a@corp.example", date(2026, 10, 1), True, False),
        ("b@corp.example", date(2026, 10, 1), False, True),
    ]


COMPLETION_HEADER = ("employee_id", "course", "completed_on", "due_on", "score", "status")


@pytest.mark.parametrize(
    ("row", "needles"),
    [
        (("", "SAT", "2026-01-01", "", "", ""), ["row 2", "'employee_id'", "email"]),
        (("E1", "", "2026-01-01", "", "", ""), ["row 2", "'course'", "empty"]),
        (("E1", "SAT", "01/02/2026", "", "", ""), ["row 2", "'completed_on'", "YYYY-MM-DD"]),
        (("E1", "SAT", "2026-12-01", "", "", ""), ["'completed_on'", "after today"]),
        (("E1", "SAT", "", "", "", ""), ["'completed_on'", "due_on"]),
        (("E1", "SAT", "2026-01-01", "", "high", ""), ["'score'", "percentage"]),
        (("E1", "SAT", "2026-01-01", "", "140", ""), ["'score'", "0 to 100"]),
        (("E1", "SAT", "", "", "", "passed"), ["'completed_on'", "status is 'passed'"]),
        (("E1", "SAT", "2026-01-01", "", "", "graded"), ["'status'", "'graded'"]),
    ],
)
def test_completion_row_errors(tmp_path: Path, row: tuple[str, ...], needles: list[str]) -> None:
    path = write_csv(tmp_path / "lms.csv", COMPLETION_HEADER, [row])
    with pytest.raises(ImportFileError) as caught:
        read_completions(path, today=TODAY)
    line = caught.value.line()
    assert line.startswith(f"{path} row 2") or line.startswith(str(path))
    for needle in needles:
        assert needle in line, (needle, line)


@pytest.mark.parametrize(
    ("header", "rows", "needles"),
    [
        (("campaign", "employee_id", "clicked"), [("L", "E1", "maybe")], ["row 2", "'clicked'"]),
        (("campaign", "employee_id", "clicked"), [("L", "E1", "y"), ("L", "e1", "n")],
         ["row 3", "repeats row 2"]),
        (("campaign", "email", "clicked"), [("L", "nobody", "no")], ["'email'", "not an email"]),
        (("campaign", "employee_id", "clicked", "sent_on"), [("L", "E1", "no", "2027-01-01")],
         ["'sent_on'", "after today"]),
        (("campaign", "user", "clicked"), [("L", "E1", "no")], ["no 'employee_id' or 'email'"]),
        (("campaign", "employee_id"), [("L", "E1")], ["no 'clicked' column", "--map clicked="]),
    ],
)  # fmt: skip
def test_phishing_errors(
    tmp_path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]], needles: list[str]
) -> None:
    path = write_csv(tmp_path / "phish.csv", header, rows)
    with pytest.raises(ImportFileError) as caught:
        read_phishing(path, {}, today=TODAY)
    line = caught.value.line()
    assert "\n" not in line
    for needle in needles:
        assert needle in line, (needle, line)


def test_a_missing_file_and_an_empty_one(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="file not found"):
        read_completions(tmp_path / "none.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ImportFileError, match="is empty"):
        read_phishing(tmp_path / "empty.csv")


@pytest.mark.parametrize("status", ["Failed", "Expired", "Not Started", "Enrolled"])
def test_an_open_or_failed_row_without_a_due_date_is_kept_but_completes_nothing(
    tmp_path: Path, status: str
) -> None:
    path = write_csv(
        tmp_path / "lms.csv",
        ("employee_id", "course", "completed_on", "status"),
        [("E1", "SAT", "2026-11-01", status), ("E1", "SAT", "2026-10-01", "Passed")],
    )
    rows = read_completions(path, today=TODAY)
    assert [(r.completed_on, r.due_on) for r in rows] == [(None, None), (date(2026, 10, 1), None)]


@pytest.mark.parametrize(
    ("header", "row", "needles"),
    [
        (COMPLETION_HEADER, ("E1", "C" * 201, "2026-01-01", "", "", ""),
         ["row 2", "'course'", "201 characters"]),
        (COMPLETION_HEADER, ("E" * 65, "SAT", "2026-01-01", "", "", ""),
         ["row 2", "'employee_id'", "65 characters"]),
        (COMPLETION_HEADER, ("E1", "S\x00AT", "2026-01-01", "", "", ""), ["'course'", "NUL"]),
        (("campaign", "employee_id", "clicked"), ("L" * 300, "E1", "no"),
         ["row 2", "'campaign'", "300 characters"]),
    ],
)  # fmt: skip
def test_cells_the_store_cannot_keep_fail_naming_row_and_field(
    tmp_path: Path, header: tuple[str, ...], row: tuple[str, ...], needles: list[str]
) -> None:
    path = write_csv(tmp_path / "export.csv", header, [row])
    reader = read_phishing if "campaign" in header else read_completions
    with pytest.raises(ImportFileError) as caught:
        reader(path, today=TODAY)
    line = caught.value.line()
    assert "C" * 50 not in line  # never the value itself
    assert "L" * 50 not in line
    for needle in needles:
        assert needle in line, (needle, line)


def test_a_header_without_rows_is_refused_rather_than_erasing_everything(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "lms.csv", COMPLETION_HEADER, [])
    with pytest.raises(ImportFileError, match="no data rows"):
        read_completions(path, today=TODAY)
    phish = write_csv(tmp_path / "phish.csv", ("campaign", "employee_id", "clicked"), [])
    with pytest.raises(ImportFileError, match="no data rows"):
        read_phishing(phish, today=TODAY)
