"""Load and validate a client's role matrix (YAML or CSV): allowed access, privilege, SoD pairs.

YAML shape (every key but ``roles`` optional)::

    client: northbank
    review_cadence_days: 90      # how often access must be reviewed
    leaver_sla_hours: 24         # how long after the exit date access may remain
    dormant_days: 90             # unused this long = dormant
    groups: [northbank-agents]   # directory groups that give access to this client's data
    systems:
      northbank_core_crm: {application: Northbank Core Banking CRM, privileged: [admin]}
    roles:
      agent: {northbank_core_crm: [view]}
      it_admin: {northbank_core_crm: ["*"]}
    sod_conflicts:
      - [northbank_card_disputes:resolve, northbank_core_crm:edit]
    approvers: [zjohnson, svc-provisioning]
    service_accounts:
      - {account: svc-batch, owner: E10267, purpose: nightly export}

CSV shape: one row per allowed access with columns role, system, permission and optional
privileged (true/false) and conflicts_with (``system:permission``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dataward.access.engine.types import ImportFileError
from dataward.core.engine.tabular import quoted, read_rows

Perm = tuple[str, str]  # (system, permission), lower case
TOP_KEYS = frozenset(
    (
        "client", "review_cadence_days", "leaver_sla_hours", "dormant_days", "groups", "systems",
        "roles", "sod_conflicts", "approvers", "service_accounts",
    )
)  # fmt: skip


@dataclass(frozen=True)
class RoleMatrix:
    """What each job role may hold on a client's systems, and the rules around it."""

    client: str = ""
    review_cadence_days: int = 90
    leaver_sla_hours: int = 24
    dormant_days: int = 90
    groups: frozenset[str] = frozenset()
    applications: dict[str, str] = field(default_factory=dict)  # system -> application name
    privileged: frozenset[Perm] = frozenset()
    roles: dict[str, frozenset[Perm]] = field(default_factory=dict)
    conflicts: tuple[tuple[Perm, Perm, str], ...] = ()
    approvers: frozenset[str] = frozenset()
    service_accounts: dict[str, str] = field(default_factory=dict)  # account -> owner

    def allowed(self, role: str, system: str, permission: str) -> bool:
        """Return whether a job role may hold this permission on this system."""
        perms = self.roles.get(role.lower(), frozenset())
        system, permission = system.lower(), permission.lower()
        return (system, permission) in perms or (system, "*") in perms

    def is_privileged(self, system: str, permission: str) -> bool:
        """Return whether the matrix marks this permission as privileged."""
        system, permission = system.lower(), permission.lower()
        return (system, permission) in self.privileged or (system, "*") in self.privileged

    def as_dict(self) -> dict[str, Any]:
        """Return the matrix as plain data (stored, and loaded back with ``from_dict``)."""
        return {
            "client": self.client,
            "review_cadence_days": self.review_cadence_days,
            "leaver_sla_hours": self.leaver_sla_hours,
            "dormant_days": self.dormant_days,
            "groups": sorted(self.groups),
            "systems": {
                s: {
                    "application": self.applications.get(s, ""),
                    "privileged": sorted(p for sys, p in self.privileged if sys == s),
                }
                for s in sorted(self.systems())
            },
            "roles": {
                role: {
                    s: sorted(p for sys, p in perms if sys == s)
                    for s in sorted({s for s, _ in perms})
                }
                for role, perms in sorted(self.roles.items())
            },
            "sod_conflicts": [
                {"a": f"{a[0]}:{a[1]}", "b": f"{b[0]}:{b[1]}", "reason": why}
                for a, b, why in self.conflicts
            ],
            "approvers": sorted(self.approvers),
            "service_accounts": [
                {"account": a, "owner": o} for a, o in sorted(self.service_accounts.items())
            ],
        }

    def systems(self) -> set[str]:
        """Return every system the matrix names."""
        named = set(self.applications) | {s for s, _ in self.privileged}
        named |= {s for perms in self.roles.values() for s, _ in perms}
        return named


class _Spec:
    """Validate a parsed YAML document, with errors naming the file and the key path."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, what: str, hint: str) -> ImportFileError:
        return ImportFileError(f"{key}: {what}", self.where, hint)

    def mapping(self, value: Any, key: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(
                key, f"is {type(value).__name__}, not a mapping", "write key: value pairs"
            )
        return {str(k): v for k, v in value.items()}

    def strings(self, value: Any, key: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise self.fail(key, "is not a list of names", "write a YAML list, e.g. [view, edit]")
        return [str(v).strip() for v in value if str(v).strip()]

    def items(self, value: Any, key: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"is {type(value).__name__}, not a list", "write a YAML list")
        return value

    def number(self, value: Any, key: str, default: int) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, f"is {quoted(str(value))}, not a whole number", "write e.g. 90")
        return value

    def perm(self, text: Any, key: str) -> Perm:
        system, sep, permission = str(text).partition(":")
        if not sep or not system.strip() or not permission.strip():
            raise self.fail(
                key, f"{quoted(str(text))} is not system:permission", "write e.g. crm:edit"
            )
        return system.strip().lower(), permission.strip().lower()


def from_dict(data: Any, where: str) -> RoleMatrix:
    """Return a validated matrix from parsed YAML (or a stored ``as_dict``)."""
    spec = _Spec(where)
    top = spec.mapping(data, "matrix")
    unknown = sorted(set(top) - TOP_KEYS)
    if unknown:
        raise spec.fail(
            unknown[0], "is not a matrix key", f"use one of {', '.join(sorted(TOP_KEYS))}"
        )
    applications: dict[str, str] = {}
    privileged: set[Perm] = set()
    for system, body in spec.mapping(top.get("systems"), "systems").items():
        key = f"systems.{system}"
        body = spec.mapping(body, key)
        applications[system.lower()] = str(body.get("application") or "")
        privileged |= {
            (system.lower(), p.lower())
            for p in spec.strings(body.get("privileged"), f"{key}.privileged")
        }
    roles: dict[str, frozenset[Perm]] = {}
    for role, grants in spec.mapping(top.get("roles"), "roles").items():
        perms: set[Perm] = set()
        for system, names in spec.mapping(grants, f"roles.{role}").items():
            key = f"roles.{role}.{system}"
            if applications and system.lower() not in applications:
                raise spec.fail(key, f"unknown system {system!r}", "declare it under systems:")
            perms |= {(system.lower(), p.lower()) for p in spec.strings(names, key)}
        roles[role.lower()] = frozenset(perms)
    if not roles:
        raise spec.fail("roles", "is missing or empty", "list what each job role may hold")
    conflicts = []
    for n, pair in enumerate(spec.items(top.get("sod_conflicts"), "sod_conflicts"), start=1):
        key = f"sod_conflicts[{n}]"
        if isinstance(pair, dict):
            a, b, why = pair.get("a"), pair.get("b"), str(pair.get("reason") or "")
        elif isinstance(pair, list) and len(pair) == 2:
            (a, b), why = pair, ""
        else:
            raise spec.fail(key, "is not a pair", "write [system:perm, system:perm] or {a:, b:}")
        pair = (spec.perm(a, key), spec.perm(b, key))
        for system, _ in pair:
            if applications and system not in applications:
                raise spec.fail(
                    key, f"unknown system {quoted(system)}", "declare it under systems:"
                )
        conflicts.append((pair[0], pair[1], why))
    services: dict[str, str] = {}
    for n, item in enumerate(spec.items(top.get("service_accounts"), "service_accounts"), start=1):
        body = spec.mapping(item, f"service_accounts[{n}]")
        account, owner = (
            str(body.get("account") or "").strip(),
            str(body.get("owner") or "").strip(),
        )
        if not account or not owner:
            raise spec.fail(f"service_accounts[{n}]", "needs account and owner", "name who owns it")
        services[account.lower()] = owner
    return RoleMatrix(
        client=str(top.get("client") or ""),
        review_cadence_days=spec.number(top.get("review_cadence_days"), "review_cadence_days", 90),
        leaver_sla_hours=spec.number(top.get("leaver_sla_hours"), "leaver_sla_hours", 24),
        dormant_days=spec.number(top.get("dormant_days"), "dormant_days", 90),
        groups=frozenset(g.lower() for g in spec.strings(top.get("groups"), "groups")),
        applications=applications,
        privileged=frozenset(privileged),
        roles=roles,
        conflicts=tuple(conflicts),
        approvers=frozenset(a.lower() for a in spec.strings(top.get("approvers"), "approvers")),
        service_accounts=services,
    )


def load_matrix(path: Path) -> RoleMatrix:
    """Read a role matrix from YAML or CSV, with errors naming the file and key or row."""
    if not path.is_file():
        raise ImportFileError("file not found", str(path), "check the path")
    if path.suffix.lower() in (".csv", ".tsv", ".xlsx"):
        return _from_table(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path} line {mark.line + 1}" if mark else str(path)
        raise ImportFileError(
            "is not valid YAML", where, "fix the indentation or quoting"
        ) from None
    return from_dict(data, str(path))


def _from_table(path: Path) -> RoleMatrix:
    """Read the CSV form: role, system, permission[, privileged][, conflicts_with]."""
    columns = {
        "role": ("job_role", "job role"),
        "system": ("application", "app"),
        "permission": ("entitlement", "access"),
        "privileged": ("is privileged",),
        "conflicts_with": ("conflicts with", "sod conflict"),
    }
    roles: dict[str, set[Perm]] = {}
    privileged: set[Perm] = set()
    conflicts: list[tuple[Perm, Perm, str]] = []
    for row in read_rows(path, columns, ("role", "system", "permission")):
        perm = (
            row.text("system", required=True).lower(),
            row.text("permission", required=True).lower(),
        )
        roles.setdefault(row.text("role", required=True).lower(), set()).add(perm)
        if row.flag("privileged"):
            privileged.add(perm)
        other = row.text("conflicts_with")
        if other:
            conflicts.append(
                (perm, _Spec(f"{path} row {row.number}").perm(other, "conflicts_with"), "")
            )
    return RoleMatrix(
        roles={r: frozenset(p) for r, p in roles.items()},
        privileged=frozenset(privileged),
        conflicts=tuple(conflicts),
        applications={s: "" for perms in roles.values() for s, _ in perms},
    )
