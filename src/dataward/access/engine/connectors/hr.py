"""Read an HR roster (CSV or XLSX): who works here, in what role, for which client accounts."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dataward.access.engine.types import ImportFileError, ImportResult, Person
from dataward.core.engine.tabular import Row, quoted, read_rows, shape, shown

COLUMNS = {
    "employee_id": (
        "employee id",
        "emp id",
        "employee number",
        "employeenumber",
        "staff id",
        "staff number",
        "staff no",
        "employee no",
        "emp no",
        "personnel number",
        "payroll number",
        "badge id",
    ),  # fmt: skip
    "name": ("full name", "employee name", "display name"),
    "email": ("work email", "email address", "mail"),
    "status": ("employment status", "employee status"),
    "start_date": ("start", "hire date", "hired", "join date"),
    "end_date": ("end", "termination date", "exit date", "leave date", "terminated"),
    "department": ("dept",),
    "job_role": ("role", "job title", "title", "position"),
    "client_accounts": ("clients", "client account", "accounts", "assigned clients", "campaigns"),
    "manager_id": ("manager", "manager employee id", "supervisor id"),
    "last_role_change": ("role change date", "last transfer", "last role change date"),
}
REQUIRED = ("employee_id", "name", "status", "job_role")
STATUS_WORDS = {
    "active": "active",
    "employed": "active",
    "current": "active",
    "leave": "leave",
    "on leave": "leave",
    "loa": "leave",
    "suspended": "leave",
    "terminated": "terminated",
    "inactive": "terminated",
    "left": "terminated",
    "leaver": "terminated",
    "resigned": "terminated",
    "separated": "terminated",
    "exited": "terminated",
}


def _person(row: Row, clients: frozenset[str] | None) -> Person:
    """Return the roster row as a Person, checking status, dates and client slugs."""
    status_text = row.text("status", required=True).lower()
    status = STATUS_WORDS.get(status_text)
    if status is None:
        raise row.error(
            "status", f"is {quoted(status_text)}", "use active, leave or terminated (or a synonym)"
        )
    start, end = row.day("start_date"), row.day("end_date")
    if status == "terminated" and end is None:
        raise row.error("end_date", "is empty for a terminated person", "give the exit date")
    if start and end and end < start:
        raise row.error("end_date", f"{end} is before start_date {start}", "fix the dates")
    assigned = tuple(c.lower() for c in row.items("client_accounts"))
    unknown = [c for c in assigned if clients is not None and c not in clients]
    if unknown:
        raise row.error(
            "client_accounts",
            f"names unknown client {quoted(unknown[0])}",
            "add it with dataward clients add, or fix the slug",
        )
    email = row.text("email").lower()
    if email and (email.count("@") != 1 or email.startswith("@") or email.endswith("@")):
        # A misaligned column puts other data here: refuse it rather than store it as an email.
        raise row.error("email", f"is not an email address ({shape(email)})", "fix the cell")
    return Person(
        employee_id=row.text("employee_id", required=True),
        name=row.text("name", required=True),
        email=email,
        status=status,
        start_date=start,
        end_date=end,
        department=row.text("department"),
        job_role=row.text("job_role", required=True).lower(),
        clients=assigned,
        manager_id=row.text("manager_id"),
        last_role_change=row.day("last_role_change"),
        row=row.number,
    )


def read_roster(
    path: Path, clients: frozenset[str] | None = None, mapping: Mapping[str, str] | None = None
) -> ImportResult:
    """Read every roster row; a repeated employee id is an error naming both rows."""
    people: dict[str, Person] = {}
    for row in read_rows(path, COLUMNS, REQUIRED, mapping or {}):
        person = _person(row, clients)
        key = person.employee_id.lower()
        if key in people:
            first = people[key].row
            raise ImportFileError(
                f"employee_id {shown(person.employee_id)} repeats row {first}",
                f"{path} row {row.number}",
                "keep one row per person",
            )
        people[key] = person
    notes = tuple(
        f"row {p.row}: manager {p.manager_id} of {p.employee_id} is not on the roster"
        for p in people.values()
        if p.manager_id and p.manager_id.lower() not in people
    )
    return ImportResult("hr", people=tuple(people.values()), notes=notes)
