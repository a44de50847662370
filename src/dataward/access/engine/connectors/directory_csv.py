"""Read a directory export as CSV: accounts, their owner, state, MFA, last sign-in and groups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from dataward.access.engine.types import Account, ImportFileError, ImportResult
from dataward.core.engine.tabular import read_rows, shown

COLUMNS = {
    "username": ("user name", "login", "samaccountname", "account", "user principal name", "upn"),
    "employee_id": ("employee id", "employeeid", "employee number", "employeenumber"),
    "email": ("mail", "email address"),
    "display_name": ("name", "display name", "displayname", "full name"),
    "enabled": ("active", "account enabled", "accountenabled", "status enabled"),
    "mfa_registered": ("mfa registered", "ismfaregistered"),
    "mfa_enforced": ("mfa enforced", "mfa required", "mfa state enforced"),
    "last_login": ("last logon", "last sign in", "lastlogontimestamp", "last login time"),
    "groups": ("member of", "memberof", "group membership"),
    "privileged": ("admin", "is admin", "isadmin", "privileged account"),
}
REQUIRED = ("username",)


def read_directory_csv(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    login_lag_days: int = 0,
    privileged_groups: Iterable[str] = (),
) -> ImportResult:
    """Read every account row; a repeated username is an error naming both rows.

    An account is privileged when its row says so or it sits in one of ``privileged_groups``.
    """
    admin = {g.lower() for g in privileged_groups}
    accounts: dict[str, Account] = {}
    for row in read_rows(path, COLUMNS, REQUIRED, mapping or {}):
        name = row.text("username", required=True)
        key = name.lower()
        if key in accounts:
            raise ImportFileError(
                f"username {shown(name)} repeats row {accounts[key].row}",
                f"{path} row {row.number}",
                "keep one row per account",
            )
        accounts[key] = Account(
            username=name,
            employee_id=row.text("employee_id"),
            email=row.text("email").lower(),
            display_name=row.text("display_name"),
            enabled=bool(row.flag("enabled", default=True)),
            mfa_registered=row.flag("mfa_registered", default=None),
            mfa_enforced=row.flag("mfa_enforced", default=None),
            last_login=row.moment("last_login"),
            groups=row.items("groups"),
            privileged=bool(row.flag("privileged", default=False))
            or any(g.lower() in admin for g in row.items("groups")),
            login_lag_days=login_lag_days,
            row=row.number,
        )
    return ImportResult("directory", accounts=tuple(accounts.values()))
