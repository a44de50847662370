"""Measure the access engine at scale: import time, full rule evaluation time, peak memory.

100,000 people, 1,000,000 entitlements, 50 roles, 5 clients: import time, full rule evaluation
time, peak memory. Aim: evaluation under 20 s and under 2 GB on 2 cores.

Run with `.venv/bin/python bench/access_bench.py [--people 100000] [--entitlements 1000000]
[--roles 50] [--clients 5] [--seed 7] [--json]`. It generates, with its own seeded random code,
an HR roster (about 3 % leavers, some movers), a directory export (one account per person plus a
few hundred shared, orphan and service accounts), 2-4 systems per client whose entitlement
exports add up to --entitlements rows, and one role matrix per client, sprinkled with the
problems the rules look for (leavers keeping access, cross-client access, off-role grants, movers
keeping old access, SoD pairs, unapproved privileged grants, dormant accounts and grants, MFA
gaps). It creates a throwaway workspace with the real `dataward` CLI and times:

* each import through `dataward access import` / `dataward access matrix` (seconds, rows/s and
  the peak RSS of the command);
* the full rule evaluation in one fresh Python process that opens the workspace as the CLI does
  and calls `dataward.access.readers.load` and `dataward.access.engine.evaluate.evaluate` for
  the operation and every client (load and evaluate seconds apart, peak RSS);
* `dataward assess` end to end (wall time and peak RSS; results written as JSON lines to
  /dev/null so that rendering a huge table does not dominate).

With --breakdown the evaluation process also times building the rule context and each rule on
its own; with --profile DIR it writes cProfile files for the imports and the evaluation there and
prints the functions that dominate. Figures go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

BIN = Path(sys.executable).parent / "dataward"

_FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony "
    "Betty Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle "
    "Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca "
    "Jason Laura Edward Sharon Jeffrey Cynthia Ryan Kathleen Jacob Amy Gary Angela"
)
_LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson"
)
FIRST, LAST = _FIRST_NAMES.split(), _LAST_NAMES.split()
CLIENT_NAMES = (
    "northwind", "bluepeak", "carewise", "telmora", "finhaven", "orbitel", "medisure", "quantabank",
    "voltaire", "greenline", "harborview", "silverleaf",
)  # fmt: skip
SYSTEM_KINDS = (
    ("crm", "Customer CRM"), ("billing", "Billing"), ("tickets", "Ticketing"),
    ("claims", "Claims Portal"), ("reports", "Reporting"), ("payments", "Payments Hub"),
)  # fmt: skip
PERMS = (
    "view", "search", "comment", "edit", "create", "export", "report", "assign", "escalate",
    "refund", "approve", "resolve", "configure", "admin",
)  # fmt: skip
PRIVILEGED = ("configure", "admin")
PLAIN = tuple(p for p in PERMS if p not in PRIVILEGED)
FAMILIES = (
    ("it", 0.02), ("agent", 0.42), ("billing", 0.09), ("claims", 0.09), ("collections", 0.07),
    ("retention", 0.07), ("qa", 0.05), ("training", 0.03), ("workforce", 0.04), ("fraud", 0.12),
)  # fmt: skip
LEVELS = (("associate", 0.45), ("specialist", 0.25), ("senior", 0.15), ("lead", 0.1),
          ("manager", 0.05))  # fmt: skip
GENERIC = ("training", "nightshift", "helpdesk", "queue", "shared", "temp", "kiosk", "spare")


@dataclass
class Person:
    """One generated employee (what the roster and the directory say about them)."""

    eid: str
    name: str
    username: str
    email: str
    role: int
    status: str
    start: int  # days before today
    end: int  # days before today, -1 when still employed
    clients: list[int]
    manager: str = ""
    changed: int = -1  # days before today of the last role change, -1: none since start
    old_role: int = -1


@dataclass
class Estate:
    """What the generator wrote: files to import and how many rows each holds."""

    roster: Path
    directory: Path
    matrices: dict[str, Path] = field(default_factory=dict)
    systems: list[tuple[str, str, Path, int]] = field(default_factory=list)  # slug, key, file
    people: int = 0
    accounts: int = 0
    planted: dict[str, int] = field(default_factory=dict)


class Days:
    """ISO dates and timestamps for 'n days ago', computed once."""

    def __init__(self, today: date, span: int = 6000) -> None:
        self.day = [(today - timedelta(days=n)).isoformat() for n in range(span)]

    def __call__(self, ago: int) -> str:
        return self.day[ago]

    def stamp(self, ago: int, rng: random.Random) -> str:
        return f"{self.day[ago]}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"


def _roles(count: int) -> tuple[list[str], list[float]]:
    """Return job role names (family_level) and their headcount weights."""
    names, weights = [], []
    for fam, fw in FAMILIES:
        for lvl, lw in LEVELS:
            names.append(f"{fam}_{lvl}")
            weights.append(fw * lw)
    extra = 0
    while len(names) < count:
        extra += 1
        names.append(f"role_{extra:03d}")
        weights.append(0.01)
    return names[:count], weights[:count]


def _family(role: str) -> str:
    return role.rsplit("_", 1)[0]


def _level(role: str) -> int:
    lvl = role.rsplit("_", 1)[-1]
    return next((i for i, (name, _) in enumerate(LEVELS) if name == lvl), 0)


@dataclass
class ClientPlan:
    """One client's systems and role matrix as generated."""

    slug: str
    systems: list[tuple[str, str]]  # (key, application)
    allowed: list[list[tuple[str, ...]]]  # role -> system index -> allowed permissions
    conflicts: list[tuple[tuple[int, str], tuple[int, str]]]
    approvers: list[str]
    services: dict[str, str]  # service account -> owner eid


def _plan_client(
    rng: random.Random, slug: str, roles: list[str], it_people: list[Person]
) -> ClientPlan:
    """Pick the client's systems, what each role may hold, SoD pairs and approvers."""
    kinds = rng.sample(SYSTEM_KINDS, rng.randint(2, 4))
    systems = [(f"{slug.replace('-', '_')}_{k}", f"{slug.title()} {name}") for k, name in kinds]
    conflicts: list[tuple[tuple[int, str], tuple[int, str]]] = []
    while len(conflicts) < 3:
        a = (rng.randrange(len(systems)), rng.choice(PLAIN[1:]))
        b = (rng.randrange(len(systems)), rng.choice(PLAIN[1:]))
        if a != b and (a, b) not in conflicts and (b, a) not in conflicts:
            conflicts.append((a, b))
    conflicts.append(((0, "approve"), (0, "admin")))
    allowed: list[list[tuple[str, ...]]] = []
    for role in roles:
        lvl = _level(role)
        per_system: list[set[str]] = []
        for _ in systems:
            perms = {"view", *rng.sample(PLAIN[1:], 3 + lvl)}
            if _family(role) == "it":
                perms.add("configure")
                if lvl >= 2:
                    perms.add("admin")
            per_system.append(perms)
        for (sa, pa), (sb, pb) in conflicts:
            if pa in per_system[sa]:
                per_system[sb].discard(pb)
        allowed.append([tuple(sorted(p)) for p in per_system])
    managers = [p for p in it_people if _level(roles[p.role]) >= 3 and p.status == "active"]
    approvers = [p.username for p in managers[:3]] + ["svc-provisioning"]
    owner = it_people[0].eid if it_people else ""
    services = {f"svc-{slug}-{job}": owner for job in ("etl", "batch", "sync")}
    return ClientPlan(slug, systems, allowed, conflicts, approvers, services)


def _write_matrix(path: Path, plan: ClientPlan, roles: list[str]) -> None:
    """Write the client's role matrix as YAML (the shape in engine/matrix.py)."""
    import yaml

    doc = {
        "client": plan.slug,
        "review_cadence_days": 90,
        "leaver_sla_hours": 24,
        "dormant_days": 90,
        "groups": [f"{plan.slug}-agents", f"{plan.slug}-admins"],
        "systems": {
            key: {"application": app, "privileged": list(PRIVILEGED)} for key, app in plan.systems
        },
        "roles": {
            role: {plan.systems[s][0]: list(perms) for s, perms in enumerate(plan.allowed[r])}
            for r, role in enumerate(roles)
        },
        "sod_conflicts": [
            {
                "a": f"{plan.systems[sa][0]}:{pa}",
                "b": f"{plan.systems[sb][0]}:{pb}",
                "reason": "segregation of duties",
            }
            for (sa, pa), (sb, pb) in plan.conflicts
        ],
        "approvers": plan.approvers,
        "service_accounts": [
            {"account": a, "owner": o, "purpose": "batch job"} for a, o in plan.services.items()
        ],
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _people(
    rng: random.Random, n: int, roles: list[str], weights: list[float], clients: int
) -> list[Person]:
    """Return the generated workforce."""
    picks = rng.choices(range(len(roles)), weights=weights, k=n)
    people: list[Person] = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        role = picks[i]
        r = rng.random()
        status = "terminated" if r < 0.03 else "leave" if r < 0.04 else "active"
        end = -1
        if status == "terminated":
            end = 0 if rng.random() < 0.01 else rng.randint(2, 400)
        start = (end if end > 0 else 0) + rng.randint(40, 3000)
        fam, lvl = _family(roles[role]), _level(roles[role])
        if fam == "it" or lvl == 4:
            assigned = list(range(clients)) if fam == "it" else rng.sample(range(clients), 2)
        else:
            assigned = [rng.randrange(clients)]
            if rng.random() < 0.1 and clients > 1:
                assigned.append((assigned[0] + 1 + rng.randrange(clients - 1)) % clients)
        p = Person(
            eid=f"E{1000000 + i}",
            name=f"{first} {last}",
            username=f"{first[0]}{last}{i}".lower(),
            email=f"{first}.{last}.{i}@corp.example".lower(),
            role=role,
            status=status,
            start=start,
            end=end,
            clients=assigned,
        )
        if rng.random() < 0.05 and start > 60 and len(roles) > 1:
            p.changed = rng.randint(max(end, 0) + 10, min(start - 20, max(end, 0) + 400))
            p.old_role = (role + 1 + rng.randrange(len(roles) - 1)) % len(roles)
        people.append(p)
    leads: dict[str, list[str]] = {}
    for p in people:
        if _level(roles[p.role]) >= 3:
            leads.setdefault(_family(roles[p.role]), []).append(p.eid)
    for p in people:
        pool = leads.get(_family(roles[p.role]))
        if pool and _level(roles[p.role]) < 4:
            p.manager = rng.choice(pool)
    return people


def _write_roster(
    path: Path, people: list[Person], roles: list[str], slugs: list[str], d: Days
) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["employee_id", "name", "email", "status", "start_date", "end_date", "department",
             "job_role", "client_accounts", "manager_id", "last_role_change"]
        )  # fmt: skip
        for p in people:
            w.writerow(
                [p.eid, p.name, p.email, p.status, d(p.start), d(p.end) if p.end >= 0 else "",
                 _family(roles[p.role]).title(), roles[p.role],
                 ";".join(slugs[c] for c in p.clients), p.manager,
                 d(p.changed if p.changed >= 0 else p.start)]
            )  # fmt: skip


def _write_directory(
    rng: random.Random,
    path: Path,
    people: list[Person],
    roles: list[str],
    slugs: list[str],
    plans: list[ClientPlan],
    d: Days,
    planted: dict[str, int],
) -> tuple[int, list[tuple[str, int]]]:
    """Write the directory export; return its row count and the unowned accounts (name, client)."""
    unowned: list[tuple[str, int]] = []
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["username", "employee_id", "email", "display_name", "enabled", "mfa_registered",
             "mfa_enforced", "last_login", "groups", "privileged"]
        )  # fmt: skip
        for p in people:
            role = roles[p.role]
            fam, lvl = _family(role), _level(role)
            enabled = p.status != "terminated"
            if not enabled and rng.random() < 0.15:
                enabled = True
                planted["leaver_enabled_accounts"] = planted.get("leaver_enabled_accounts", 0) + 1
            if p.status == "terminated":
                login = d.stamp(p.end + rng.randint(0, 3), rng)
            elif rng.random() < 0.005:
                login = ""
            elif rng.random() < 0.015:
                login = d.stamp(rng.randint(95, 500), rng)
                planted["dormant_accounts"] = planted.get("dormant_accounts", 0) + 1
            else:
                login = d.stamp(rng.randint(0, 20), rng)
            registered = rng.random() < 0.97
            enforced = registered and rng.random() < 0.98
            groups = ["all-staff", f"dept-{fam}"] + [f"{slugs[c]}-agents" for c in p.clients]
            privileged = fam == "it" and lvl >= 2
            if privileged:
                groups += ["Domain Admins"] + [f"{slugs[c]}-admins" for c in p.clients]
            w.writerow(
                [p.username, p.eid, p.email, p.name, _b(enabled), _b(registered), _b(enforced),
                 login, ";".join(groups), _b(privileged)]
            )  # fmt: skip
            rows += 1
        extra = max(30, len(people) // 330)
        for i in range(extra):
            c = rng.randrange(len(slugs))
            kind = i % 4
            if kind == 0:  # shared / generic
                name = f"{rng.choice(GENERIC)}{i:03d}"
                row = [name, "", "", f"{name.title()} Seat", "true", "false", "false"]
            elif kind == 1:  # agentNNN style generic login
                name = f"agent{i:04d}"
                row = [name, "", "", "Floor Login", "true", "", ""]
            elif kind == 2:  # orphan: nobody on the roster
                first, last = rng.choice(FIRST), rng.choice(LAST)
                name = f"x{first[:2]}{last[:3]}{i}".lower()
                row = [name, f"E9{i:06d}", "", f"{first} {last}x", "true", "true", "true"]
            else:  # contractor with an unknown id and outside email
                name = f"ext.{i:04d}"
                row = [name, "", f"{name}@vendor.example", "Vendor Contractor", "true", "true",
                       "true"]  # fmt: skip
            w.writerow([*row, d.stamp(rng.randint(0, 30), rng), f"{slugs[c]}-agents", "false"])
            unowned.append((name, c))
            rows += 1
        for plan in plans:  # service accounts, declared owners in the client's matrix
            for name in plan.services:
                w.writerow([name, "", "", "Service account", "true", "", "", "", "", "false"])
                rows += 1
        for i in range(min(10, len(people) // 2)):  # id of one person, email of another
            a, b = people[2 * i], people[2 * i + 1]
            w.writerow(
                [f"dup{i}.{a.username}", a.eid, b.email, a.name, "true", "true", "true",
                 d.stamp(1, rng), "all-staff", "false"]
            )  # fmt: skip
            rows += 1
        planted["unowned_directory_accounts"] = extra
    return rows, unowned


def _b(flag: bool) -> str:
    return "true" if flag else "false"


class Grants:
    """Writes one client's entitlement files, refusing duplicates of (system, account, perm)."""

    def __init__(self, plan: ClientPlan, folder: Path, d: Days, rng: random.Random) -> None:
        self.plan = plan
        self.d = d
        self.rng = rng
        self.paths = [folder / f"{key}.csv" for key, _ in plan.systems]
        self.files: list[IO[str]] = [p.open("w", newline="", encoding="utf-8") for p in self.paths]
        self.writers = [csv.writer(fh) for fh in self.files]
        for w in self.writers:
            w.writerow(
                ["account", "application", "permission", "privileged", "granted_date",
                 "last_used", "granted_by"]
            )  # fmt: skip
        self.seen: list[set[tuple[str, str]]] = [set() for _ in plan.systems]
        self.counts = [0] * len(plan.systems)
        self.by_email = rng.randrange(len(plan.systems))  # an SSO app that names accounts by email

    def add(
        self,
        who: Person | str,
        system: int,
        perm: str,
        granted: int,
        approver: str,
        used: int | None = None,
    ) -> bool:
        """Write one grant (granted and used are days ago); False when it is already there."""
        if isinstance(who, Person):
            account = who.email if system == self.by_email else who.username
        else:
            account = who
        key = (account, perm)
        if key in self.seen[system]:
            return False
        self.seen[system].add(key)
        rng = self.rng
        if used is None:
            r = rng.random()
            if r < 0.05:
                used = -1  # never used
            elif r < 0.06 and granted > 95:
                used = rng.randint(91, granted)  # dormant
            else:
                used = rng.randint(0, min(granted, 30))
        privileged = perm in PRIVILEGED
        if privileged:
            r = rng.random()
            if r < 0.03:
                approver = ""
            elif r < 0.04 and isinstance(who, Person):
                approver = who.username
            elif r < 0.05:
                approver = "jdoe-helpdesk"
            else:
                approver = rng.choice(self.plan.approvers)
        self.writers[system].writerow(
            [account, self.plan.systems[system][1], perm, _b(privileged), self.d(granted),
             self.d(used) if used >= 0 else "", approver]
        )  # fmt: skip
        self.counts[system] += 1
        return True

    def total(self) -> int:
        return sum(self.counts)

    def close(self) -> None:
        for fh in self.files:
            fh.close()


def _granted(rng: random.Random, p: Person) -> int:
    """Return days ago of a grant made since the person's last role change."""
    since = p.changed if p.changed >= 0 else p.start
    low = max(p.end, 0)
    return rng.randint(low, max(low, since - 1))


def _write_grants(
    rng: random.Random,
    folder: Path,
    plans: list[ClientPlan],
    people: list[Person],
    unowned: list[tuple[str, int]],
    target: int,
    d: Days,
    planted: dict[str, int],
) -> list[tuple[str, str, Path, int]]:
    """Write every client's entitlement exports, about ``target`` rows in all."""

    def plant(kind: str, n: int = 1) -> None:
        planted[kind] = planted.get(kind, 0) + n

    holders: list[list[Person]] = [[] for _ in plans]
    for p in people:
        for c in p.clients:
            if p.status != "terminated" or rng.random() < 0.1:
                holders[c].append(p)
                if p.status == "terminated":
                    plant("leavers_holding_grants")
    weight = [len(h) * len(plan.systems) for h, plan in zip(holders, plans, strict=True)]
    out: list[tuple[str, str, Path, int]] = []
    left = target
    for c, plan in enumerate(plans):
        budget = round(target * weight[c] / max(1, sum(weight))) if c < len(plans) - 1 else left
        left -= budget
        g = Grants(plan, folder, d, rng)
        mine = holders[c]
        nsys = len(plan.systems)
        # problems first, so the ordinary grants fill the budget exactly around them
        for p in rng.sample(people, max(1, len(mine) // 500)):  # other clients' staff
            if c not in p.clients and p.status != "terminated":
                s = rng.randrange(nsys)
                if g.add(p, s, rng.choice(plan.allowed[p.role][s]), _granted(rng, p), p.manager):
                    plant("cross_client_grants")
        for p in rng.sample(mine, max(1, len(mine) // 300)):  # beyond the role
            s = rng.randrange(nsys)
            extra = [x for x in PLAIN if x not in plan.allowed[p.role][s]]
            if extra and p.status != "terminated":
                granted = _granted(rng, p)
                if g.add(p, s, rng.choice(extra), granted, p.manager):
                    plant("off_role_grants")
        for p in mine:  # movers keeping access of their old role
            if p.old_role < 0 or p.status == "terminated" or rng.random() > 0.4:
                continue
            s = rng.randrange(nsys)
            old = [x for x in plan.allowed[p.old_role][s] if x not in plan.allowed[p.role][s]]
            if old:
                granted = rng.randint(p.changed + 1, max(p.changed + 1, p.start - 1))
                if g.add(p, s, rng.choice(old), granted, p.manager):
                    plant("mover_grants")
        for p in rng.sample(mine, max(1, len(mine) // 1000)):  # both sides of an SoD pair
            (sa, pa), (sb, pb) = rng.choice(plan.conflicts)
            if p.status != "terminated":
                granted = _granted(rng, p)
                g.add(p, sa, pa, granted, p.manager)
                g.add(p, sb, pb, granted, p.manager)
                plant("sod_pairs")
        for name, owner in unowned:  # shared, orphan and contractor accounts
            if owner == c or rng.random() < 0.05:
                for _ in range(rng.randint(1, 3)):
                    s = rng.randrange(nsys)
                    g.add(name, s, rng.choice(PLAIN[:6]), rng.randint(0, 400), "")
        for name in plan.services:
            g.add(name, rng.randrange(nsys), "export", rng.randint(30, 900), plan.approvers[0])
        for i in range(15):  # local application accounts no directory knows
            g.add(f"local_{plan.slug}_{i}", rng.randrange(nsys), "view", rng.randint(0, 900), "")
            plant("local_app_accounts")
        # ordinary grants: what the role allows, spread over the holders by their allowance
        rest = budget - g.total()
        room = [sum(len(a) for a in plan.allowed[p.role]) for p in mine]
        total_room = max(1, sum(room))
        carry = 0.0
        for p, r in zip(mine, room, strict=True):
            carry += rest * r / total_room
            want = int(carry)
            carry -= want
            options = [(s, perm) for s in range(nsys) for perm in plan.allowed[p.role][s]]
            rng.shuffle(options)
            if want > len(options):  # more than the role allows: off-role filler
                spare = [(s, x) for s in range(nsys) for x in PLAIN]
                rng.shuffle(spare)
                options += spare
            for s, perm in options:
                if want <= 0:
                    break
                if g.add(p, s, perm, _granted(rng, p), p.manager):
                    want -= 1
            carry += want
        for p in mine:  # rounding left a few over: give them to whoever has room
            for s in range(nsys):
                for perm in plan.allowed[p.role][s]:
                    if g.total() < budget:
                        g.add(p, s, perm, _granted(rng, p), p.manager)
            if g.total() >= budget:
                break
        g.close()
        out += [
            (plan.slug, key, path, n)
            for (key, _), path, n in zip(plan.systems, g.paths, g.counts, strict=True)
        ]
    return out


def generate(
    folder: Path, people_n: int, ents: int, roles_n: int, clients_n: int, seed: int
) -> Estate:
    """Write the roster, directory, entitlement exports and role matrices; return the Estate."""
    rng = random.Random(seed)
    d = Days(datetime.now(UTC).date())
    roles, weights = _roles(roles_n)
    slugs = [
        CLIENT_NAMES[i] if i < len(CLIENT_NAMES) else f"client-{i + 1}" for i in range(clients_n)
    ]
    people = _people(rng, people_n, roles, weights, clients_n)
    it_people = [p for p in people if _family(roles[p.role]) == "it"]
    plans = [_plan_client(rng, slug, roles, it_people) for slug in slugs]
    estate = Estate(folder / "hr_roster.csv", folder / "directory_users.csv", people=people_n)
    _write_roster(estate.roster, people, roles, slugs, d)
    estate.accounts, unowned = _write_directory(
        rng, estate.directory, people, roles, slugs, plans, d, estate.planted
    )
    ent_dir = folder / "entitlements"
    ent_dir.mkdir()
    estate.systems = _write_grants(rng, ent_dir, plans, people, unowned, ents, d, estate.planted)
    estate.planted["terminated"] = sum(p.status == "terminated" for p in people)
    estate.planted["movers"] = sum(p.changed >= 0 for p in people)
    for plan in plans:
        path = folder / f"{plan.slug}_role_matrix.yaml"
        _write_matrix(path, plan, roles)
        estate.matrices[plan.slug] = path
    return estate


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


#: Runs the dataward command line as its console script does, optionally after opening the
#: workspace (for CLI versions whose access commands import Django models before opening it:
#: they fail with ImproperlyConfigured) and optionally under cProfile (`python -m cProfile`
#: would swallow the command's exit code). argv: PROFILE|- SHIM(0|1) -w WS ARGS...
RUNNER = """\
import sys

profile, shim, argv = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
if shim:
    from dataward.core.workspace import open_workspace

    open_workspace(argv[1])
from dataward.cli import main

if profile == "-":
    sys.exit(main(argv))
import cProfile

prof = cProfile.Profile()
prof.enable()
try:
    code = main(argv)
finally:
    prof.disable()
    prof.dump_stats(profile)
sys.exit(code)
"""
SHIMMED: list[str] = []  # the commands that needed the workspace opened first


def _run(ws: Path, args: list[str], profile: Path | None = None) -> tuple[float, int]:
    """Run a dataward command; return wall seconds and its peak RSS in MB."""
    shim = bool(SHIMMED)
    while True:
        wall, rss, code, text = _once(ws, args, profile, shim)
        if code != 0 and not shim and "ImproperlyConfigured" in text:
            _log(f"  note: `dataward {' '.join(args[:3])}` fails with ImproperlyConfigured "
                 "in a fresh process; opening the workspace first from now on")  # fmt: skip
            shim = True
            continue
        break
    if shim:
        SHIMMED.append(" ".join(args[:3] if args[1] == "import" else args[:2]))
    if code != 0:
        sys.exit(f"dataward {' '.join(args)} failed ({code}): {text.strip()[-2000:]}")
    return wall, rss


def _once(
    ws: Path, args: list[str], profile: Path | None, shim: bool
) -> tuple[float, int, int, str]:
    """Run one command; return wall seconds, peak RSS in MB, exit code and stderr."""
    if shim or profile is not None:
        runner = ws.parent / "dataward_runner.py"
        if not runner.exists():
            runner.write_text(RUNNER)
        prefix = [sys.executable, str(runner), str(profile or "-"), "1" if shim else "0"]
    else:
        prefix = [str(BIN)]
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*prefix, "-w", str(ws), *args], stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        text = err.read()
    return wall, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status), text


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def evaluate_workspace(ws_path: str, breakdown: bool, profile: str | None) -> dict[str, Any]:
    """Open the workspace as the CLI does, then load and evaluate every client's access data."""
    import gc

    from dataward.core.workspace import open_workspace

    start = time.perf_counter()
    ws = open_workspace(ws_path)
    from dataward.access import readers
    from dataward.access.engine.context import Context
    from dataward.access.engine.evaluate import CLIENT_RULES, OPERATION_RULES, evaluate
    from dataward.core.clients import ensure_operation, visible

    result: dict[str, Any] = {"open_s": time.perf_counter() - start, "rss_open_mb": _rss_mb()}
    clients = [ensure_operation(ws), *visible(ws)]
    per_client: dict[str, dict[str, float]] = {}
    rules: dict[str, dict[str, int]] = {}
    rule_s: dict[str, float] = {}
    prof: Any = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
    for client in clients:
        if not readers.imported(ws, client):
            continue
        _log(f"  evaluating {client.slug}")
        if prof is not None:
            prof.enable()
        t0 = time.perf_counter()
        data = readers.load(ws, client)
        t1 = time.perf_counter()
        outcomes = evaluate(data)
        t2 = time.perf_counter()
        if prof is not None:
            prof.disable()
        per_client[client.slug] = {
            "load_s": t1 - t0,
            "evaluate_s": t2 - t1,
            "people": len(data.people),
            "accounts": len(data.accounts),
            "grants": len(data.grants),
        }
        for rule_id, outcome in outcomes.items():
            seen = rules.setdefault(rule_id, {"fail": 0, "warning": 0, "not_applicable": 0})
            for v in outcome.violations:
                seen["warning" if v.warning else "fail"] += 1
            seen["not_applicable"] += bool(outcome.not_applicable)
        if breakdown:
            t0 = time.perf_counter()
            ctx = Context(data)
            rule_s["(context)"] = rule_s.get("(context)", 0.0) + time.perf_counter() - t0
            chosen = OPERATION_RULES if data.operation else CLIENT_RULES
            for rule_id, rule in chosen.items():
                t0 = time.perf_counter()
                rule(ctx)
                rule_s[rule_id] = rule_s.get(rule_id, 0.0) + time.perf_counter() - t0
            del ctx
        del data, outcomes
        gc.collect()
    if prof is not None and profile:
        prof.dump_stats(profile)
    result.update(
        clients=per_client,
        load_s=sum(c["load_s"] for c in per_client.values()),
        evaluate_s=sum(c["evaluate_s"] for c in per_client.values()),
        rules=rules,
        rule_s=rule_s,
        peak_rss_mb=_rss_mb(),
    )
    return result


def _top(path: Path, limit: int = 18) -> list[str]:
    """Return the functions that dominate a cProfile file (by own time), one line each."""
    import pstats

    stats = pstats.Stats(str(path))
    rows = []
    entries: dict[Any, Any] = getattr(stats, "stats", {})
    total = max(sum(v[2] for v in entries.values()), 1e-9)
    ordered = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:limit]
    for (file, line, func), (_, calls, tt, ct, _) in ordered:
        where = f"{Path(file).name}:{line}" if line else file
        rows.append(
            f"    {tt:7.2f}s own {100 * tt / total:5.1f}%  cum {ct:7.2f}s  "
            f"{calls:>9} calls  {func} ({where})"
        )
    return rows


def _workspace(tmp: Path, slugs: Iterable[str]) -> Path:
    ws = tmp / "ws"
    subprocess.run([str(BIN), "init", "-w", str(ws)], check=True, capture_output=True)
    for slug in slugs:
        subprocess.run(
            [str(BIN), "-w", str(ws), "clients", "add", slug, "--name", slug.title()],
            check=True,
            capture_output=True,
        )
    return ws


def main() -> None:
    """Generate the estate, import it, evaluate the rules and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--entitlements", type=int, default=1_000_000)
    parser.add_argument("--roles", type=int, default=50)
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--breakdown", action="store_true", help="also time the context and each rule apart"
    )
    parser.add_argument(
        "--profile", type=Path, help="write cProfile files here and print the top functions"
    )
    parser.add_argument("--skip-assess", action="store_true", help="do not run dataward assess")
    parser.add_argument("--keep", type=Path, help="keep the estate and workspace in this folder")
    parser.add_argument("--evaluate-workspace", help=argparse.SUPPRESS)
    parser.add_argument("--evaluate-profile", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.evaluate_workspace:  # the child process that times the in-process evaluation
        found = evaluate_workspace(args.evaluate_workspace, args.breakdown, args.evaluate_profile)
        print(json.dumps(found))
        return
    if args.clients < 1 or args.people < 2 or args.roles < 1:
        parser.error("need at least one client, two people and one role")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {
        "people": args.people,
        "entitlements_asked": args.entitlements,
        "roles": args.roles,
        "clients": args.clients,
        "cores": os.cpu_count() or 1,
    }
    with tempfile.TemporaryDirectory(prefix="dw-access-bench-") as name:
        tmp = args.keep or Path(name)
        if args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
        _log(f"generating {args.people} people and {args.entitlements} entitlements in {tmp}")
        start = time.perf_counter()
        (tmp / "estate").mkdir()
        estate = generate(
            tmp / "estate", args.people, args.entitlements, args.roles, args.clients, args.seed
        )
        figures["generate_s"] = time.perf_counter() - start
        figures["entitlements"] = sum(n for *_, n in estate.systems)
        figures["systems"] = len(estate.systems)
        figures["directory_accounts"] = estate.accounts
        figures["planted"] = estate.planted
        ws = _workspace(tmp, estate.matrices)
        imports: dict[str, dict[str, float]] = {}

        def timed(kind: str, rows: int, cmd: list[str], first: bool) -> None:
            prof = args.profile / f"import-{kind}.prof" if args.profile and first else None
            _log(f"  {' '.join(cmd[:3])} ...")
            wall, rss = _run(ws, cmd, prof)
            seen = imports.setdefault(kind, {"s": 0.0, "rows": 0, "files": 0, "peak_rss_mb": 0})
            seen["s"] += wall
            seen["rows"] += rows
            seen["files"] += 1
            seen["peak_rss_mb"] = max(seen["peak_rss_mb"], rss)

        _log("importing")
        timed("hr", args.people, ["access", "import", "hr", str(estate.roster)], True)
        timed(
            "directory",
            estate.accounts,
            ["access", "import", "directory", str(estate.directory)],
            True,
        )
        for n, (slug, path) in enumerate(estate.matrices.items()):
            cmd = ["access", "matrix", str(path), "--client", slug]
            timed("matrix", args.roles, cmd, n == 0)
        for n, (slug, key, path, rows) in enumerate(estate.systems):
            cmd = ["access", "import", "entitlements", str(path), "--client", slug]
            timed("entitlements", rows, [*cmd, "--system", key], n == 0)
        for seen in imports.values():
            seen["rows_s"] = seen["rows"] / seen["s"]
        figures["imports"] = imports
        figures["import_s"] = sum(v["s"] for v in imports.values())
        figures["import_peak_rss_mb"] = max(v["peak_rss_mb"] for v in imports.values())
        if SHIMMED:  # what opening the workspace a second time costs per command
            plain = min(_once(ws, ["clients", "list"], None, False)[0] for _ in range(3))
            shimmed = min(_once(ws, ["clients", "list"], None, True)[0] for _ in range(3))
            figures["cli_workaround"] = {
                "commands": sorted(set(SHIMMED)),
                "overhead_s": max(0.0, shimmed - plain),
            }

        _log("evaluating in process")
        child = [sys.executable, __file__, "--evaluate-workspace", str(ws)]
        if args.breakdown:
            child.append("--breakdown")
        if args.profile:
            child += ["--evaluate-profile", str(args.profile / "evaluate.prof")]
        with tempfile.TemporaryFile("w+") as out:
            start = time.perf_counter()
            proc = subprocess.Popen(child, stdout=out)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit("the evaluation process failed")
            out.seek(0)
            figures["evaluation"] = json.loads(out.read())
        figures["evaluation"]["wall_s"] = wall
        figures["evaluation"]["child_peak_rss_mb"] = usage.ru_maxrss // 1024

        if not args.skip_assess:
            _log("running dataward assess")
            prof = args.profile / "assess.prof" if args.profile else None
            wall, rss = _run(ws, ["assess", "-f", "jsonl"], prof)
            figures["assess"] = {"wall_s": wall, "peak_rss_mb": rss}
    if args.json:
        print(json.dumps(_rounded(figures)))
    else:
        _report(figures)
    if args.profile:
        for path in sorted(args.profile.glob("*.prof")):
            print(f"\nprofile {path} (top functions by own time):")
            print("\n".join(_top(path)))


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def aim(ok: bool) -> str:
    return "within the aim" if ok else "MISSES the aim"


def _report(f: dict[str, Any]) -> None:
    """Print the figures for people."""
    print(
        f"estate: {f['people']:,} people, {f['directory_accounts']:,} directory accounts, "
        f"{f['entitlements']:,} entitlements on {f['systems']} systems, {f['roles']} roles, "
        f"{f['clients']} clients (generated in {f['generate_s']:.1f} s, {f['cores']} cores)"
    )
    print("planted: " + ", ".join(f"{k} {v:,}" for k, v in sorted(f["planted"].items())))
    print("imports (real CLI, one process per file):")
    for kind, v in f["imports"].items():
        unit = "roles" if kind == "matrix" else "rows"
        print(
            f"  {kind:<13} {v['s']:8.2f} s  {v['rows']:>10,.0f} {unit:<5} "
            f"{v['rows_s']:>9,.0f} {unit}/s"
            f"  {v['files']:.0f} file(s)  peak RSS {v['peak_rss_mb']:.0f} MB"
        )
    print(f"  total         {f['import_s']:8.2f} s  peak RSS {f['import_peak_rss_mb']:.0f} MB")
    if "cli_workaround" in f:
        w = f["cli_workaround"]
        print(
            f"  NOTE: {', '.join(w['commands'])} failed in a fresh process (ImproperlyConfigured:"
            " the command imports models before opening the workspace), so they ran through a"
            f" shim that opens the workspace first (about {w['overhead_s']:.2f} s extra each)"
        )
    ev = f["evaluation"]
    both = ev["load_s"] + ev["evaluate_s"]
    print(
        f"full rule evaluation (in process, operation + {len(ev['clients']) - 1} clients): "
        f"load {ev['load_s']:.2f} s + evaluate {ev['evaluate_s']:.2f} s = {both:.2f} s; "
        f"opening the workspace {ev['open_s']:.2f} s; peak RSS {ev['peak_rss_mb']:.0f} MB "
        f"({ev['rss_open_mb']:.0f} MB after opening)"
    )
    for slug, c in ev["clients"].items():
        print(
            f"  {slug:<12} load {c['load_s']:6.2f} s  evaluate {c['evaluate_s']:6.2f} s  "
            f"({c['people']:,.0f} people, {c['accounts']:,.0f} accounts, {c['grants']:,.0f} grants)"
        )
    print(
        f"  aim: evaluation under 20 s -> {aim(both < 20)} "
        f"(evaluate alone {aim(ev['evaluate_s'] < 20)}); under 2 GB -> "
        f"{aim(ev['peak_rss_mb'] < 2048)}"
    )
    if ev["rule_s"]:
        print("  time per part (a second pass, context built once per client):")
        for rule_id, secs in sorted(ev["rule_s"].items(), key=lambda kv: -kv[1]):
            print(f"    {secs:7.2f} s  {rule_id}")
    print("violations per rule (all clients; fail / warning / not applicable):")
    for rule_id, v in sorted(ev["rules"].items()):
        print(f"  {rule_id:<46} {v['fail']:>8,}  {v['warning']:>7,}  {v['not_applicable']:>3}")
    if "assess" in f:
        a = f["assess"]
        print(
            f"dataward assess (every check, all clients, results stored, JSON lines to /dev/null):"
            f" {a['wall_s']:.2f} s, peak RSS {a['peak_rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
