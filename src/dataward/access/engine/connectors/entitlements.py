"""Read one client system's entitlement export: account, application, permission and grants."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dataward.access.engine.types import Entitlement, ImportFileError, ImportResult
from dataward.core.engine.tabular import read_rows, shown

COLUMNS = {
    "account": ("username", "user", "login", "user id", "userid"),
    "application": ("app", "system", "application name"),
    "permission": ("role", "entitlement", "access level", "permission set", "right"),
    "privileged": ("is privileged", "admin", "privileged access"),
    "granted_date": ("granted", "grant date", "granted on", "assigned date", "created"),
    "last_used": ("last use", "last access", "last accessed", "last login"),
    "granted_by": ("approved by", "approver", "assigned by", "granted by user"),
}
REQUIRED = ("account", "permission")


def read_entitlements(
    path: Path, application: str = "", mapping: Mapping[str, str] | None = None
) -> ImportResult:
    """Read every entitlement row; the same account and permission twice is an error."""
    seen: dict[tuple[str, str, str], int] = {}
    rows: list[Entitlement] = []
    for row in read_rows(path, COLUMNS, REQUIRED, mapping or {}):
        ent = Entitlement(
            account=row.text("account", required=True),
            application=row.text("application") or application or path.stem,
            permission=row.text("permission", required=True),
            privileged=bool(row.flag("privileged", default=False)),
            granted_date=row.day("granted_date"),
            last_used=row.day("last_used"),
            granted_by=row.text("granted_by"),
            row=row.number,
        )
        key = (ent.account.lower(), ent.application.lower(), ent.permission.lower())
        if key in seen:
            raise ImportFileError(
                f"account {shown(ent.account)} holds {shown(ent.permission)} twice "
                f"(also row {seen[key]})",
                f"{path} row {row.number}",
                "keep one row per account and permission",
            )
        seen[key] = row.number
        rows.append(ent)
    return ImportResult("entitlements", entitlements=tuple(rows))
