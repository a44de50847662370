"""Write the directory exports (CSV and SCIM 2.0) and the per-application entitlements."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dataward.demo.engine.clients import BPO_DOMAIN
from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import csv_doc, json_doc
from dataward.demo.engine.logs import leaver_login
from dataward.demo.engine.model import Cell, S, Text
from dataward.demo.engine.people import DEPARTMENTS, SHARED_USERNAME, Employee

SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
SCIM_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SCIM_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
DIRECTORY_HEADER = (
    "username",
    "employee_id",
    "email",
    "display_name",
    "enabled",
    "mfa_registered",
    "mfa_enforced",
    "last_login",
    "groups",
    "privileged",
)
PRIVILEGED_GROUPS = ("Domain Admins", "northbank-admins", "carewell-admins", "telora-admins")


@dataclass
class Account:
    """One directory account, personal or shared."""

    username: str
    email: str
    display: Text
    employee: Employee | None
    enabled: bool
    last_login: datetime
    groups: list[str] = field(default_factory=list)
    mfa: bool = True
    uid: str = ""

    @property
    def privileged(self) -> bool:
        """Return whether the account sits in an administrative group."""
        return any(g in PRIVILEGED_GROUPS for g in self.groups)


def _groups(p: Employee) -> list[str]:
    """Return the directory groups an employee's role and clients imply."""
    if p.status == "terminated" and "leaver_active" not in p.flags:
        return []
    groups = ["all-staff", f"site-{p.site.key}"]
    if p.role in ("agent", "team_lead", "qa_analyst", "trainer"):
        groups += [f"{c}-agents" for c in p.clients]
    if p.role == "ops_manager":
        groups.append("ops-managers")
    if p.role == "it_admin":
        groups += ["Domain Admins"] + [f"{c}-admins" for c in p.clients]
    if p.role == "security_lead":
        groups += ["Domain Admins", "security-team"]
    return groups


def build_accounts(estate: Estate, people: list[Employee]) -> list[Account]:
    """Return every directory account: one per employee plus the planted shared account."""
    rng = estate.rng("directory")
    accounts = []
    for p in people:
        if p.status == "terminated":
            enabled = "leaver_active" in p.flags
            seen = leaver_login(estate) if enabled else _midday(p.end) - timedelta(days=1)
        elif p.status == "leave":
            enabled, seen = True, estate.at(rng.uniform(18, 25))
        else:
            enabled, seen = True, estate.at(rng.uniform(0.1, 2.5))
        accounts.append(
            Account(
                p.username,
                p.email,
                p.person(),
                p,
                enabled,
                seen,
                _groups(p),
                mfa="admin_no_mfa" not in p.flags,
            )
        )
    accounts.append(
        Account(
            SHARED_USERNAME,
            f"{SHARED_USERNAME}@{BPO_DOMAIN}",
            "Carewell Shared Queue 01",
            None,
            True,
            estate.at(0.6),
            ["carewell-agents", "site-manila"],
        )
    )
    for a in accounts:
        a.uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return accounts


def _midday(day: date | None) -> datetime:
    """Return noon UTC of a date."""
    assert day is not None
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _ts(moment: datetime) -> str:
    """Return an ISO-8601 UTC timestamp."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def directory_rows(accounts: list[Account]) -> list[list[Cell]]:
    """Return directory_users.csv rows."""
    return [
        [
            a.username,
            a.employee.employee_id if a.employee else "",
            S("EMAIL_ADDRESS", a.email),
            a.display,
            a.enabled,
            a.mfa,
            a.mfa,
            _ts(a.last_login),
            ";".join(a.groups),
            a.privileged,
        ]
        for a in accounts
    ]


def scim_user(a: Account, people_uid: dict[str, str]) -> dict[str, Any]:
    """Return one SCIM 2.0 User resource."""
    p = a.employee
    name: dict[str, Any] = {"formatted": a.display}
    if p is not None:
        name |= {"givenName": S("PERSON", p.first), "familyName": S("PERSON", p.last)}
    user: dict[str, Any] = {
        "schemas": [SCIM_USER] + ([SCIM_ENTERPRISE] if p else []),
        "id": a.uid,
        "externalId": a.username,
        "userName": S("EMAIL_ADDRESS", a.email),
        "name": name,
        "displayName": a.display,
        "active": a.enabled,
        "emails": [{"value": S("EMAIL_ADDRESS", a.email), "type": "work", "primary": True}],
        "groups": [{"value": _gid(g), "display": g} for g in a.groups],
    }
    if p is not None:
        user["title"] = p.role
        user[SCIM_ENTERPRISE] = {
            "employeeNumber": p.employee_id,
            "department": DEPARTMENTS[p.role],
            "division": p.site.city,
            "manager": {"value": people_uid.get(p.manager_id, "")},
        }
    user["meta"] = {"resourceType": "User", "lastModified": _ts(a.last_login)}
    return user


def _gid(group: str) -> str:
    """Return a stable group id derived from the group name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://{BPO_DOMAIN}/groups/{group}"))


def _list(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """Wrap resources in a SCIM ListResponse."""
    return {
        "schemas": [SCIM_LIST],
        "totalResults": len(resources),
        "startIndex": 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def scim_groups(accounts: list[Account]) -> list[dict[str, Any]]:
    """Return SCIM Group resources with their members."""
    names = sorted({g for a in accounts for g in a.groups})
    return [
        {
            "schemas": [SCIM_GROUP],
            "id": _gid(g),
            "displayName": g,
            "members": [
                {"value": a.uid, "display": S("EMAIL_ADDRESS", a.email)}
                for a in accounts
                if g in a.groups
            ],
        }
        for g in names
    ]


def write_directory(estate: Estate, people: list[Employee]) -> list[Account]:
    """Write directory_users.csv, scim_users.json and scim_groups.json; return the accounts."""
    accounts = build_accounts(estate, people)
    uids = {a.employee.employee_id: a.uid for a in accounts if a.employee}
    kw: dict[str, Any] = {"client": None, "kind": "directory", "days_ago": 0.7}
    estate.write(
        "directory/directory_users.csv", csv_doc(DIRECTORY_HEADER, directory_rows(accounts)), **kw
    )
    estate.write(
        "directory/scim_users.json", json_doc(_list([scim_user(a, uids) for a in accounts])), **kw
    )
    estate.write("directory/scim_groups.json", json_doc(_list(scim_groups(accounts))), **kw)
    return accounts
