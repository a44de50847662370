"""File connectors: HR roster, directory CSV and entitlement exports (CSV and XLSX).

Every file is written here from Python data; the people are invented at example domains.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from dataward.access.engine.connectors.directory_csv import read_directory_csv
from dataward.access.engine.connectors.entitlements import read_entitlements
from dataward.access.engine.connectors.hr import read_roster
from dataward.access.engine.types import Account, Entitlement, ImportFileError, Person

HR_HEAD = ["Employee ID", "Name", "Email", "Status", "Start Date", "End Date", "Job Role"]
HR_HEAD += ["Client Accounts", "Manager ID", "Department", "Last Role Change"]


def write_csv(path: Path, rows: Sequence[Sequence[str]], delimiter: str = ",") -> Path:
    """Write rows (header first) as a CSV file and return its path."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def hr_row(eid: str, name: str, **cells: str) -> list[str]:
    """One roster row in HR_HEAD order; unnamed cells are active, agent, no dates."""
    base = {"email": f"{name.split()[0].lower()}@corp.example", "status": "Active"}
    base |= {"job_role": "Agent", **cells}
    keys = ["email", "status", "start", "end", "job_role", "clients", "manager", "dept", "change"]
    return [eid, name, *(base.get(k, "") for k in keys)]


def failure(read: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """Return the ImportFileError message the call raises."""
    with pytest.raises(ImportFileError) as exc:
        read(*args, **kwargs)
    return str(exc.value)


def test_roster_reads_every_field_and_notes_unknown_managers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        [
            HR_HEAD,
            hr_row("E100", "Ann Lee", start="2024-03-01", manager="E900", clients="Northbank"),
            hr_row(
                "E101",
                "Ben Ortiz",
                email="Ben.Ortiz@Corp.Example",
                status="Terminated",
                start="2023-01-09",
                end="2026-10-31",
                job_role="Team Lead",
                clients="northbank; carewell",
                manager="E100",
                dept="Ops",
                change="2025-06-01",
            ),  # fmt: skip
        ],
    )
    result = read_roster(path, frozenset({"northbank", "carewell"}))
    assert result.kind == "hr"
    ann, ben = result.people
    assert (ann.employee_id, ann.status, ann.start_date, ann.clients) == (
        "E100", "active", date(2024, 3, 1), ("northbank",),
    )  # fmt: skip
    assert ben == Person(
        employee_id="E101", name="Ben Ortiz", email="ben.ortiz@corp.example",
        status="terminated", start_date=date(2023, 1, 9), end_date=date(2026, 10, 31),
        department="Ops", job_role="team lead", clients=("northbank", "carewell"),
        manager_id="E100", last_role_change=date(2025, 6, 1), row=3,
    )  # fmt: skip
    assert result.notes == ("row 2: manager E900 of E100 is not on the roster",)


def test_roster_header_aliases(tmp_path: Path) -> None:
    head = ["Employee Number", "Employee Name", "Mail", "Employee Status", "Hire Date"]
    head += ["Termination Date", "Dept", "Job Title", "Clients", "Supervisor ID"]
    row = ["7001", "Cleo Park", "cleo@corp.example", "Resigned", "2022-02-01"]
    row += ["2026-09-30", "Sales", "Closer", "telora", "7000"]
    (cleo,) = read_roster(write_csv(tmp_path / "r.csv", [head, row])).people
    assert cleo.employee_id == "7001"
    assert (cleo.name, cleo.email, cleo.status) == ("Cleo Park", "cleo@corp.example", "terminated")
    assert (cleo.start_date, cleo.end_date) == (date(2022, 2, 1), date(2026, 9, 30))
    assert (cleo.department, cleo.job_role, cleo.clients, cleo.manager_id) == (
        "Sales", "closer", ("telora",), "7000",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("word", "status"),
    [("Resigned", "terminated"), ("LOA", "leave"), ("On Leave", "leave"), ("SUSPENDED", "leave"),
     ("Employed", "active"), ("current", "active"), ("Leaver", "terminated")],
)  # fmt: skip
def test_roster_status_synonyms(tmp_path: Path, word: str, status: str) -> None:
    row = hr_row("E1", "Dee Moss", status=word, end="2026-01-31")
    (dee,) = read_roster(write_csv(tmp_path / "r.csv", [HR_HEAD, row])).people
    assert dee.status == status


def test_roster_map_option_names_the_users_header(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [["Agent Code", "Name", "Status", "Role"], ["S-9", "Eve Hart", "active", "Agent"]],
    )
    message = failure(read_roster, path)
    assert message.startswith(f"{path}: has no 'employee_id' column")
    assert "(it has: Agent Code, Name, Status, Role)" in message
    assert "--map employee_id=HEADER" in message
    (eve,) = read_roster(path, mapping={"employee_id": "Agent Code"}).people
    assert (eve.employee_id, eve.name, eve.job_role) == ("S-9", "Eve Hart", "agent")


def test_roster_missing_required_column_lists_headers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [["Employee ID", "Name", "Status"], ["E1", "Al", "x"]])
    message = failure(read_roster, path)
    assert str(path) in message
    assert "has no 'job_role' column (it has: Employee ID, Name, Status)" in message
    assert "rename the column or map it with --map job_role=HEADER" in message


@pytest.mark.parametrize(
    ("cells", "needles"),
    [
        ({"job_role": ""}, ["row 3", "'job_role'", "is empty", "fill it in or remove the row"]),
        ({"status": "Retired"}, ["row 3", "'status'", "is 'retired'", "use active, leave or"]),
        ({"status": "Terminated"}, ["row 3", "'end_date'", "is empty for a terminated person",
                                    "give the exit date"]),
        ({"start": "2026-02-01", "end": "2026-01-31"},
         ["row 3", "'end_date'", "2026-01-31 is before start_date 2026-02-01", "fix the dates"]),
        ({"start": "31/01/2026"}, ["row 3", "'start_date'", "not a date (looks like '99/99/9999')",
                                   "write YYYY-MM-DD"]),
        ({"change": "soon"}, ["row 3", "'last_role_change'", "not a date"]),
        ({"clients": "northbank|carewell"}, ["row 3", "'client_accounts'",
                                             "names unknown client 'carewell'",
                                             "add it with dataward clients add"]),
    ],
)  # fmt: skip
def test_roster_bad_cell_names_row_field_and_hint(
    tmp_path: Path, cells: dict[str, str], needles: list[str]
) -> None:
    rows = [HR_HEAD, hr_row("E1", "Fay Ng"), hr_row("E2", "Gus Roy", **cells)]
    path = write_csv(tmp_path / "roster.csv", rows)
    message = failure(read_roster, path, frozenset({"northbank"}))
    assert message.startswith(f"{path} row 3: field ")
    for needle in needles:
        assert needle in message


def test_roster_duplicate_employee_id_names_both_rows(tmp_path: Path) -> None:
    rows = [HR_HEAD, hr_row("E1", "Hal Kim"), hr_row("E2", "Ida Fox"), hr_row("E1", "Hal Kim")]
    path = write_csv(tmp_path / "r.csv", rows)
    message = failure(read_roster, path)
    assert message == f"{path} row 4: employee_id E1 repeats row 2; keep one row per person"


def test_roster_duplicate_employee_id_ignores_case(tmp_path: Path) -> None:
    rows = [HR_HEAD, hr_row("E1", "Hal Kim"), hr_row("e1", "Ivy Kim")]
    message = failure(read_roster, write_csv(tmp_path / "r.csv", rows))
    assert "row 3" in message
    assert "repeats row 2" in message


def test_roster_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    rows = [HR_HEAD, hr_row("E1", "Jo Lin"), [""] * len(HR_HEAD), hr_row("E2", "Kai Wu")]
    path = write_csv(tmp_path / "r.csv", rows)
    assert [p.row for p in read_roster(path).people] == [2, 4]
    rows[3] = hr_row("E2", "Kai Wu", status="gone")
    assert "row 4: field 'status'" in failure(read_roster, write_csv(path, rows))


def test_roster_xlsx_with_real_date_cells(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Employee Number", "Name", "Status", "Hire Date", "Termination Date", "Title"])
    sheet.append([4001, "Lou Ames", "Terminated", date(2021, 5, 3), datetime(2026, 7, 1), "QA"])
    sheet.append([4002.0, "Mia Cho", "Active", datetime(2020, 1, 6, 8, 30), None, "Agent"])
    book.save(tmp_path / "roster.xlsx")
    lou, mia = read_roster(tmp_path / "roster.xlsx").people
    assert (lou.employee_id, lou.start_date, lou.end_date) == (
        "4001", date(2021, 5, 3), date(2026, 7, 1),
    )  # fmt: skip
    assert (mia.employee_id, mia.start_date, mia.end_date, mia.row) == (
        "4002", date(2020, 1, 6), None, 3,
    )  # fmt: skip


def test_cp1252_roster_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    text = "Employee ID,Name,Status,Job Title\r\nE1,Renée Dubois,Active,Agent\r\n"
    text += "E2,Zoë Brontë,Active,Agent\r\n"
    path.write_bytes(text.encode("cp1252"))
    assert [p.name for p in read_roster(path).people] == ["Renée Dubois", "Zoë Brontë"]


def test_cp1252_single_accented_row_keeps_its_letters(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    text = "Employee ID,Name,Status,Job Title,Email\nE1,José Núñez,Active,Agent,jose@corp.example\n"
    path.write_bytes(text.encode("cp1252"))
    assert read_roster(path).people[0].name == "José Núñez"


def test_utf8_bom_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    rows = "\ufeffEmployee ID;Name;Status;Job Title;Clients\nE1;Smyth, Nia;LOA;Agent;a, b\n"
    path.write_text(rows, encoding="utf-8")
    (nia,) = read_roster(path).people
    assert (nia.employee_id, nia.name, nia.status, nia.clients) == ("E1", "Smyth, Nia", "leave",
                                                                    ("a", "b"))  # fmt: skip


def test_unreadable_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert failure(read_roster, empty) == (
        f"{empty}: is empty; export the file again with its header row"
    )
    missing = tmp_path / "nope.csv"
    assert failure(read_roster, missing) == f"{missing}: file not found; check the path"
    binary = tmp_path / "blob.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    assert failure(read_directory_csv, binary).endswith(
        "blob.csv: is not text; export it as CSV (UTF-8) or XLSX"
    )
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    assert "fake.xlsx: is not a readable XLSX file" in failure(read_roster, fake)


DIR_HEAD = ["sAMAccountName", "employeeID", "mail", "displayName", "Enabled", "MFA Registered"]
DIR_HEAD += ["MFA Enforced", "lastLogonTimestamp", "memberOf", "Admin"]


def test_directory_csv_reads_accounts(tmp_path: Path) -> None:
    rows = [
        DIR_HEAD,
        ["jsmyth", "E1", "J.Smyth@Corp.Example", "John Smyth", "TRUE", "yes", "no",
         "2026-11-28T09:30:00Z", "Domain Admins; VPN Users", "x"],
        ["olin", "", "", "Oli N", "Disabled", "1", "0", "2026-11-28T11:30:00+02:00", "", ""],
        ["svc-batch", "", "", "", "", "", "", "2026-11-01", "", "false"],
    ]  # fmt: skip
    result = read_directory_csv(write_csv(tmp_path / "ad.csv", rows), login_lag_days=14)
    assert result.kind == "directory"
    jsmyth, olin, svc = result.accounts
    assert jsmyth == Account(
        username="jsmyth", employee_id="E1", email="j.smyth@corp.example",
        display_name="John Smyth", enabled=True, mfa_registered=True, mfa_enforced=False,
        last_login=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        groups=("Domain Admins", "VPN Users"), privileged=True, login_lag_days=14, row=2,
    )  # fmt: skip
    assert (olin.enabled, olin.mfa_registered, olin.mfa_enforced) == (False, True, False)
    assert olin.last_login == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert olin.last_login is not None
    assert olin.last_login.tzinfo is UTC
    assert (svc.enabled, svc.mfa_registered, svc.privileged, svc.row) == (True, None, False, 4)
    assert svc.last_login == datetime(2026, 11, 1, tzinfo=UTC)


def test_directory_csv_without_optional_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [["Login", "Member Of"], ["pq", "a|b;a"]])
    (pq,) = read_directory_csv(path).accounts
    assert (pq.enabled, pq.mfa_registered, pq.mfa_enforced, pq.last_login) == (
        True, None, None, None,
    )  # fmt: skip
    assert (pq.groups, pq.login_lag_days) == (("a", "b"), 0)


@pytest.mark.parametrize(
    ("column", "value", "needles"),
    [
        ("Enabled", "maybe", ["'enabled'", "is not yes/no (looks like 'aaaaa')"]),
        ("MFA Enforced", "sometimes", ["'mfa_enforced'", "not yes/no"]),
        ("lastLogonTimestamp", "yesterday", ["'last_login'", "not a timestamp",
                                             "write ISO 8601"]),
    ],
)  # fmt: skip
def test_directory_csv_bad_cells(
    tmp_path: Path, column: str, value: str, needles: list[str]
) -> None:
    head = ["username", column]
    path = write_csv(tmp_path / "d.csv", [head, ["ok", ""], ["bad", value]])
    message = failure(read_directory_csv, path)
    assert message.startswith(f"{path} row 3: field ")
    for needle in needles:
        assert needle in message


def test_directory_csv_duplicate_username_ignores_case(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [["username"], ["rvale"], ["qa"], ["RVale"]])
    message = failure(read_directory_csv, path)
    assert message == f"{path} row 4: username RVale repeats row 2; keep one row per account"


def test_directory_xlsx_boolean_cells(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["UPN", "Account Enabled", "isMfaRegistered"])
    sheet.append(["sue@corp.example", False, True])
    book.save(tmp_path / "d.xlsx")
    (sue,) = read_directory_csv(tmp_path / "d.xlsx").accounts
    assert (sue.username, sue.enabled, sue.mfa_registered) == ("sue@corp.example", False, True)


def test_account_names_are_lower_case_and_unique() -> None:
    account = Account("TVu", email="Tam.Vu@Corp.Example", aliases=("tvu", "00u-TAM", ""))
    assert account.names() == ("tvu", "00u-tam", "tam.vu@corp.example", "tam.vu")
    assert Account("uma").names() == ("uma",)


def test_entitlements_read_every_field(tmp_path: Path) -> None:
    head = ["User", "Role", "Admin", "Granted On", "Last Accessed", "Approved By"]
    rows = [head, ["ann", "Edit", "yes", "2025-01-02", "2026-11-20T08:00:00Z", "zjohnson"]]
    rows.append(["ann", "View", "", "", "", ""])
    result = read_entitlements(write_csv(tmp_path / "core_crm.csv", rows))
    assert result.kind == "entitlements"
    assert result.entitlements == (
        Entitlement("ann", "core_crm", "Edit", True, date(2025, 1, 2), date(2026, 11, 20),
                    "zjohnson", 2),
        Entitlement("ann", "core_crm", "View", False, None, None, "", 3),
    )  # fmt: skip


def test_entitlements_application_column_then_argument_then_stem(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["login", "app", "entitlement"], ["b", "", "r"]])
    assert read_entitlements(path, "Dialer").entitlements[0].application == "Dialer"
    assert read_entitlements(path).entitlements[0].application == "x"
    write_csv(path, [["login", "app", "entitlement"], ["b", "Ledger", "r"]])
    assert read_entitlements(path, "Dialer").entitlements[0].application == "Ledger"


def test_entitlements_duplicate_account_and_permission(tmp_path: Path) -> None:
    rows = [["account", "permission"], ["ann", "View"], ["bo", "View"], ["ANN", "view"]]
    path = write_csv(tmp_path / "e.csv", rows)
    message = failure(read_entitlements, path)
    assert message == (
        f"{path} row 4: account ANN holds view twice (also row 2); "
        "keep one row per account and permission"
    )


def test_entitlements_same_permission_in_two_applications(tmp_path: Path) -> None:
    rows = [["account", "application", "permission"], ["ann", "crm", "view"]]
    rows.append(["ann", "dialer", "view"])
    result = read_entitlements(write_csv(tmp_path / "e.csv", rows))
    assert [e.application for e in result.entitlements] == ["crm", "dialer"]


@pytest.mark.parametrize(
    ("rows", "needles"),
    [
        ([["account", "app"], ["a", "b"]], ["has no 'permission' column (it has: account, app)",
                                           "--map permission=HEADER"]),
        ([["account", "permission"], ["", "view"]], ["row 2: field 'account' is empty"]),
        ([["account", "permission", "admin"], ["a", "v", "sure"]],
         ["row 2: field 'privileged' is not yes/no (looks like 'aaaa')"]),
        ([["account", "permission", "last use"], ["a", "v", "2026-13-01"]],
         ["row 2: field 'last_used' is not a date (looks like '9999-99-99')"]),
    ],
)  # fmt: skip
def test_entitlements_bad_input(tmp_path: Path, rows: list[list[str]], needles: list[str]) -> None:
    path = write_csv(tmp_path / "e.csv", rows)
    message = failure(read_entitlements, path)
    assert message.startswith(str(path))
    for needle in needles:
        assert needle in message


def test_staff_number_header_and_a_semicolon_cp1252_roster(tmp_path: Path) -> None:
    from dataward.access.engine.connectors.hr import read_roster

    path = tmp_path / "roster.csv"
    text = "Staff Number;Full Name;Employment Status;Job Title\r\nE1;José Núñez;Resigned;Agent\r\n"
    path.write_bytes(text.replace("Resigned", "Active").encode("cp1252"))
    (person,) = read_roster(path).people
    assert (person.employee_id, person.name, person.status) == ("E1", "José Núñez", "active")


def test_a_map_to_a_missing_header_or_unknown_field_is_one_line(tmp_path: Path) -> None:
    from dataward.core.engine.tabular import read_rows
    from dataward.errors import ImportFileError

    path = tmp_path / "people.csv"
    path.write_text("Staff No,Full name\nE1,Ann\n", encoding="utf-8")
    columns = {"employee_id": ("staff_no",), "name": ("full_name",)}
    with pytest.raises(ImportFileError, match="has no column 'Staff Number'"):
        list(read_rows(path, columns, ["employee_id"], {"employee_id": "Staff Number"}))
    with pytest.raises(ImportFileError, match="unknown field 'emplyee_id'"):
        list(read_rows(path, columns, ["employee_id"], {"emplyee_id": "Staff No"}))
    rows = list(read_rows(path, columns, ["employee_id"], {"employee_id": "Staff No"}))
    assert rows[0].text("employee_id") == "E1"


def test_errors_describe_a_bad_cell_without_quoting_it(tmp_path: Path) -> None:
    from dataward.core.engine.tabular import read_rows

    path = tmp_path / "people.csv"
    path.write_text("employee_id,start_date\nE1,123-45-6789\n", encoding="utf-8")
    rows = list(read_rows(path, {"employee_id": (), "start_date": ()}, ["employee_id"]))
    with pytest.raises(ImportFileError) as caught:
        rows[0].day("start_date")
    assert "123-45-6789" not in str(caught.value)
    assert "looks like '999-99-9999'" in str(caught.value)
    headless = tmp_path / "noheader.csv"
    headless.write_text("ann@bank.example,4111111111111111\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as missing:
        list(read_rows(headless, {"employee_id": ()}, ["employee_id"]))
    assert "ann@bank.example" not in str(missing.value)
    assert "4111111111111111" not in str(missing.value)
