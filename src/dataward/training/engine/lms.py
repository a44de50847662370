"""Read LMS exports (CSV or XLSX): course completions and phishing-simulation results.

Headers are matched by name whatever their case or punctuation, with common LMS and
phishing-platform spellings as aliases; ``--map FIELD=HEADER`` names any other. A bad cell fails
the whole file with one line naming file, row and field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from dataward.core.engine.tabular import Row, quoted, read_rows, shape
from dataward.errors import ImportFileError
from dataward.training.engine.types import Completion, PhishingResult

PERSON_COLUMNS = {
    "employee_id": (
        "employee id", "emp id", "employee number", "employee no", "staff id", "staff number",
        "user id", "userid", "learner id", "person number", "personnel number", "badge id",
    ),
    "email": (
        "email address", "work email", "user email", "learner email", "mail", "recipient",
        "recipient email", "target email",
    ),
}  # fmt: skip
COMPLETION_COLUMNS = {
    **PERSON_COLUMNS,
    "course": (
        "course title", "course name", "course code", "training", "training title", "module",
        "learning object", "lo title", "activity", "title",
    ),
    "completed_on": (
        "completion date", "completed", "completed date", "date completed", "completed at",
        "completed on", "finished", "finish date",
    ),
    "due_on": ("due date", "due", "assignment due date", "required by", "due by"),
    "score": ("grade", "result", "percent", "score %", "final score"),
    "status": ("completion status", "learner status", "transcript status"),
}  # fmt: skip
PHISHING_COLUMNS = {
    **PERSON_COLUMNS,
    "campaign": (
        "campaign name", "simulation", "simulation name", "phishing campaign", "test name",
        "phishing test",
    ),
    "sent_on": (
        "sent", "sent date", "date sent", "send date", "delivered", "delivered at",
        "delivered date", "launch date",
    ),
    "clicked": ("link clicked", "clicked link", "clicked at", "click", "clicked date"),
    "reported": ("reported at", "reported phish", "reported date", "phish reported"),
}  # fmt: skip
DONE = frozenset({"completed", "complete", "passed", "pass", "done", "satisfied", "finished"})
OPEN = frozenset(
    {
        "not started", "in progress", "assigned", "registered", "enrolled", "incomplete",
        "failed", "fail", "overdue", "not attempted", "expired", "pending",
    }
)  # fmt: skip
_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%?\s*$")
NO_PERSON = "the file has no 'employee_id' or 'email' column"
T = TypeVar("T")
#: The longest text the store keeps per field; a longer cell is a wrong column or a broken export.
LIMITS = {"employee_id": 64, "email": 254, "course": 200, "campaign": 200}


def _fits(row: Row, field: str, text: str) -> str:
    """Return a cell's text once it fits the store: no NUL character, not too long."""
    if "\x00" in text:
        raise row.error(field, "holds a NUL character", "re-export the file as plain text")
    if len(text) > LIMITS[field]:
        raise row.error(
            field, f"is {len(text)} characters long, over {LIMITS[field]}", "check the column"
        )
    return text


def _some(rows: tuple[T, ...], path: Path) -> tuple[T, ...]:
    """Return the rows, refusing a file with none: importing it would erase every stored row."""
    if not rows:
        raise ImportFileError(
            "has a header but no data rows", str(path), "export it again; nothing was changed"
        )
    return rows


def _who(row: Row, path: Path) -> tuple[str, str]:
    """Return (employee id, email) of a row; a row must name the person one way or the other."""
    if "employee_id" not in row.values and "email" not in row.values:
        raise ImportFileError(
            NO_PERSON, str(path), "rename the column or map it with --map employee_id=HEADER"
        )
    eid = _fits(row, "employee_id", row.text("employee_id"))
    email = _fits(row, "email", row.text("email").lower())
    if not eid and not email:
        raise row.error("employee_id", "is empty (and so is email)", "name the person")
    if email and "@" not in email:
        raise row.error("email", "is not an email address", "fix the cell")
    return eid, email


def _not_future(row: Row, field: str, day: date | None, today: date | None) -> date | None:
    """Return the date, refusing one after today (a day's slack: exports use local dates)."""
    if day is not None and today is not None and day > today + timedelta(days=1):
        raise row.error(field, f"is {day}, after today", "fix the date")
    return day


def _score(row: Row) -> float | None:
    """Return the score as a percentage (88, 88.5 or 88%); empty gives None."""
    text = row.text("score")
    if not text:
        return None
    match = _PERCENT.match(text)
    if match is None or not 0 <= float(match.group(1)) <= 100:
        raise row.error(
            "score", f"is not a percentage ({shape(text)})", "write a number from 0 to 100"
        )
    return float(match.group(1))


def _completion(row: Row, path: Path, today: date | None) -> Completion:
    """Return one LMS row, checking the status, dates and score agree."""
    eid, email = _who(row, path)
    completed = _not_future(row, "completed_on", row.day("completed_on"), today)
    status = row.text("status").lower()
    if status and status not in DONE | OPEN:
        raise row.error(
            "status", f"is {quoted(status)}", "use completed or passed, or in progress, failed, ..."
        )
    if status in DONE and completed is None:
        raise row.error(
            "completed_on", f"is empty though status is {quoted(status)}", "give the date"
        )
    if status in OPEN:
        completed = None  # an attempt that failed or is still open is not a completion
    due = row.day("due_on")
    if completed is None and due is None and status not in OPEN:
        raise row.error(
            "completed_on", "is empty and so is due_on", "give the completion or the due date"
        )
    return Completion(
        course=_fits(row, "course", row.text("course", required=True)),
        employee_id=eid,
        email=email,
        completed_on=completed,
        due_on=due,
        score=_score(row),
        row=row.number,
    )


def read_completions(
    path: Path, mapping: Mapping[str, str] | None = None, today: date | None = None
) -> tuple[Completion, ...]:
    """Read every completion (or open assignment) row of an LMS export."""
    rows = tuple(
        _completion(row, path, today)
        for row in read_rows(path, COMPLETION_COLUMNS, ("course",), mapping or {})
    )
    return _some(rows, path)


def _clicked(row: Row, field: str) -> bool:
    """Return a yes/no cell, where a timestamp (KnowBe4's 'Clicked At') also means yes."""
    text = row.text(field)
    if not text:
        return False
    try:
        return bool(row.flag(field))
    except ImportFileError:
        if text[:1].isdigit():
            row.moment(field)  # a timestamp means it happened; anything else is an error
            return True
        raise


def read_phishing(
    path: Path, mapping: Mapping[str, str] | None = None, today: date | None = None
) -> tuple[PhishingResult, ...]:
    """Read every simulated email of a phishing-platform export; one row per person per campaign."""
    results: list[PhishingResult] = []
    seen: dict[tuple[str, str], int] = {}
    for row in read_rows(path, PHISHING_COLUMNS, ("campaign", "clicked"), mapping or {}):
        eid, email = _who(row, path)
        campaign = _fits(row, "campaign", row.text("campaign", required=True))
        key = (campaign.lower(), (eid or email).lower())
        if key in seen:
            raise ImportFileError(
                f"{'employee_id' if eid else 'email'} repeats row {seen[key]} in this campaign",
                f"{path} row {row.number}",
                "keep one row per person per campaign",
            )
        seen[key] = row.number
        clicked, reported = _clicked(row, "clicked"), _clicked(row, "reported")
        results.append(
            PhishingResult(
                campaign=campaign,
                employee_id=eid,
                email=email,
                sent_on=_not_future(row, "sent_on", row.day("sent_on"), today),
                clicked=clicked,
                reported=reported,
                row=row.number,
            )
        )
    return _some(tuple(results), path)
