"""Measure the access engine at scale: import time, full rule evaluation time, peak memory.

Aim: with 100,000 people, 1,000,000 entitlements, 50 roles and 5 clients, full rule evaluation
under 20 s and under 2 GB on 2 cores.

Run with `.venv/bin/python bench/access_bench.py [--people 100000] [--entitlements 1000000]
[--roles 50] [--clients 5] [--seed 7] [--breakdown] [--profile DIR] [--skip-assess] [--keep DIR]
[--json]`. With its own seeded random code it generates an HR roster (about 3 % leavers, some
movers), a directory export (one account per person plus a few hundred shared, orphan and
service accounts), 2-4 systems per client whose entitlement exports add up to --entitlements
rows, and one role matrix per client, sprinkled with the problems the rules look for (leavers
keeping access, cross-client access, off-role grants, movers keeping old access, SoD pairs,
unapproved privileged grants, dormant accounts and grants, MFA gaps). It creates a throwaway
workspace (kept in DIR with --keep) with the real `dataward` CLI and prints the estate and the
problems planted, then:

* each kind of import through `dataward access import` / `dataward access matrix`, one process
  per file (seconds, rows/s, files, largest peak RSS) and their total;
* the full rule evaluation in one fresh Python process that opens the workspace as the CLI does
  and calls `dataward.access.readers.load` and `dataward.access.engine.evaluate.evaluate` for
  the operation and every client (load and evaluate seconds per client and in all, the time to
  open the workspace, peak RSS, whether that meets the aim), and the violations per rule;
* `dataward assess` end to end unless --skip-assess (wall time and peak RSS; results written as
  JSON lines to /dev/null so that rendering a huge table does not dominate).

With --breakdown the evaluation process also times building the rule context and each rule on
its own; with --profile DIR the first import of each kind, the evaluation and assess run under
cProfile, the files go to DIR and the functions that dominate are printed. --json prints the
figures as one JSON object instead. Figures go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
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
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

BIN = Path(sys.executable).parent / "dataward"

_FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony "
    "Betty Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle "
    "Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca "
    "Jason Laura Edward Sharon Jeffrey Cynthia Ryan Kathleen Jacob Amy Gary Angela"
)
_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson"
)
_CLIENTS = (
    "northwind bluepeak carewise telmora finhaven orbitel medisure quantabank voltaire greenline "
    "harborview silverleaf"
)
_PERMS = (
    "view search comment edit create export report assign escalate refund approve resolve "
    "configure admin"
)
FIRST, LAST, CLIENT_NAMES, PERMS = (words.split() for words in (_FIRST, _LAST, _CLIENTS, _PERMS))
SYSTEM_KINDS = (
    ("crm", "Customer CRM"), ("billing", "Billing"), ("tickets", "Ticketing"),
    ("claims", "Claims Portal"), ("reports", "Reporting"), ("payments", "Payments Hub"),
)  # fmt: skip
PRIVILEGED = ("configure", "admin")
PLAIN = tuple(p for p in PERMS if p not in PRIVILEGED)
FAMILIES = (
    ("it", 0.02), ("agent", 0.42), ("billing", 0.09), ("claims", 0.09), ("collections", 0.07),
    ("retention", 0.07), ("qa", 0.05), ("training", 0.03), ("workforce", 0.04), ("fraud", 0.12),
)  # fmt: skip
LEVELS = (("associate", 0.45), ("specialist", 0.25), ("senior", 0.15), ("lead", 0.1),
          ("manager", 0.05))  # fmt: skip
LEVEL_OF = {name: i for i, (name, _) in enumerate(LEVELS)}
GENERIC = ("training", "nightshift", "helpdesk", "queue", "shared", "temp", "kiosk", "spare")
GRANT_HEADER = "account application permission privileged granted_date last_used granted_by"


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
class ClientPlan:
    """One client's systems and role matrix as generated."""

    slug: str
    systems: list[tuple[str, str]]  # (key, application)
    allowed: list[list[tuple[str, ...]]]  # role -> system index -> allowed permissions
    conflicts: list[tuple[tuple[int, str], tuple[int, str]]]
    approvers: list[str]
    services: dict[str, str]  # service account -> owner eid


def _b(flag: bool) -> str:
    return "true" if flag else "false"


def _write_csv(path: Path, header: str, rows: Iterable[list[str]]) -> None:
    """Write a CSV file: the header (space separated names), then the rows."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header.split())
        writer.writerows(rows)


class Estate:
    """Generates the estate into a folder; keeps the files to import and what it planted."""

    def __init__(self, folder: Path, seed: int, people: int, ents: int, roles: int, clients: int):
        self.rng = random.Random(seed)
        today = datetime.now(UTC).date()
        self.day = [(today - timedelta(days=n)).isoformat() for n in range(6000)]
        pairs = [(f"{fam}_{lvl}", fw * lw) for fam, fw in FAMILIES for lvl, lw in LEVELS]
        pairs = (pairs + [(f"role_{i:03d}", 0.01) for i in range(1, roles + 1)])[:roles]
        self.roles = [name for name, _ in pairs]  # family_level, weighted by headcount
        self.fam = [name.rsplit("_", 1)[0] for name in self.roles]
        self.lvl = [LEVEL_OF.get(name.rsplit("_", 1)[-1], 0) for name in self.roles]
        self.slugs = [CLIENT_NAMES[i] if i < len(CLIENT_NAMES) else f"client-{i + 1}"
                      for i in range(clients)]  # fmt: skip
        self.planted: Counter[str] = Counter()
        self.people = self._people(people, [w for _, w in pairs], clients)
        it_people = [p for p in self.people if self.fam[p.role] == "it"]
        self.plans = [self._plan_client(slug, it_people) for slug in self.slugs]
        self.roster, self.directory = folder / "hr_roster.csv", folder / "directory_users.csv"
        self._write_roster()
        self.accounts = self._write_directory()
        (folder / "entitlements").mkdir()
        self.systems = self._write_grants(folder / "entitlements", ents)  # slug, key, file, rows
        self.planted["terminated"] = sum(p.status == "terminated" for p in self.people)
        self.planted["movers"] = sum(p.changed >= 0 for p in self.people)
        self.matrices = {plan.slug: folder / f"{plan.slug}_role_matrix.yaml" for plan in self.plans}
        for plan in self.plans:
            self._write_matrix(self.matrices[plan.slug], plan)

    def stamp(self, ago: int) -> str:
        """Return a timestamp on the day ``ago`` days before today."""
        return f"{self.day[ago]}T{self.rng.randrange(24):02d}:{self.rng.randrange(60):02d}:00Z"

    def granted(self, p: Person) -> int:
        """Return days ago of a grant made since the person's last role change."""
        low = max(p.end, 0)
        return self.rng.randint(low, max(low, (p.changed if p.changed >= 0 else p.start) - 1))

    def _people(self, n: int, weights: list[float], clients: int) -> list[Person]:
        rng, roles = self.rng, self.roles
        people: list[Person] = []
        for i, role in enumerate(rng.choices(range(len(roles)), weights=weights, k=n)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            r = rng.random()
            status = "terminated" if r < 0.03 else "leave" if r < 0.04 else "active"
            end = -1
            if status == "terminated":
                end = 0 if rng.random() < 0.01 else rng.randint(2, 400)
            start = max(end, 0) + rng.randint(40, 3000)
            if self.fam[role] == "it":
                assigned = list(range(clients))
            elif self.lvl[role] == 4:
                assigned = rng.sample(range(clients), 2)
            else:
                assigned = [rng.randrange(clients)]
                if rng.random() < 0.1 and clients > 1:
                    assigned.append((assigned[0] + 1 + rng.randrange(clients - 1)) % clients)
            p = Person(
                f"E{1000000 + i}", f"{first} {last}", f"{first[0]}{last}{i}".lower(),
                f"{first}.{last}.{i}@corp.example".lower(), role, status, start, end, assigned,
            )  # fmt: skip
            if rng.random() < 0.05 and start > 60 and len(roles) > 1:
                p.changed = rng.randint(max(end, 0) + 10, min(start - 20, max(end, 0) + 400))
                p.old_role = (role + 1 + rng.randrange(len(roles) - 1)) % len(roles)
            people.append(p)
        leads: dict[str, list[str]] = {}
        for p in people:
            if self.lvl[p.role] >= 3:
                leads.setdefault(self.fam[p.role], []).append(p.eid)
        for p in people:
            pool = leads.get(self.fam[p.role])
            if pool and self.lvl[p.role] < 4:
                p.manager = rng.choice(pool)
        return people

    def _plan_client(self, slug: str, it_people: list[Person]) -> ClientPlan:
        """Pick the client's systems, what each role may hold, SoD pairs and approvers."""
        rng = self.rng
        kinds = rng.sample(SYSTEM_KINDS, rng.randint(2, 4))
        systems = [(f"{slug.replace('-', '_')}_{k}", f"{slug.title()} {app}") for k, app in kinds]
        conflicts: list[tuple[tuple[int, str], tuple[int, str]]] = []
        while len(conflicts) < 3:
            a = (rng.randrange(len(systems)), rng.choice(PLAIN[1:]))
            b = (rng.randrange(len(systems)), rng.choice(PLAIN[1:]))
            if a != b and (a, b) not in conflicts and (b, a) not in conflicts:
                conflicts.append((a, b))
        conflicts.append(((0, "approve"), (0, "admin")))
        allowed: list[list[tuple[str, ...]]] = []
        for fam, lvl in zip(self.fam, self.lvl, strict=True):
            per_system = [{"view", *rng.sample(PLAIN[1:], 3 + lvl)} for _ in systems]
            if fam == "it":  # configure, and admin from senior up
                for perms in per_system:
                    perms.update(PRIVILEGED[: 1 + (lvl >= 2)])
            for (sa, pa), (sb, pb) in conflicts:
                if pa in per_system[sa]:
                    per_system[sb].discard(pb)
            allowed.append([tuple(sorted(p)) for p in per_system])
        managers = [p for p in it_people if self.lvl[p.role] >= 3 and p.status == "active"]
        approvers = [p.username for p in managers[:3]] + ["svc-provisioning"]
        owner = it_people[0].eid if it_people else ""
        services = {f"svc-{slug}-{job}": owner for job in ("etl", "batch", "sync")}
        return ClientPlan(slug, systems, allowed, conflicts, approvers, services)

    def _write_matrix(self, path: Path, plan: ClientPlan) -> None:
        """Write the client's role matrix as YAML (the shape in engine/matrix.py)."""
        import yaml

        keys = [key for key, _ in plan.systems]
        doc = {
            "client": plan.slug, "review_cadence_days": 90, "leaver_sla_hours": 24,
            "dormant_days": 90, "groups": [f"{plan.slug}-agents", f"{plan.slug}-admins"],
            "systems": {k: {"application": a, "privileged": list(PRIVILEGED)}
                        for k, a in plan.systems},
            "roles": {role: dict(zip(keys, map(list, plan.allowed[r]), strict=True))
                      for r, role in enumerate(self.roles)},
            "sod_conflicts": [{"a": f"{keys[sa]}:{pa}", "b": f"{keys[sb]}:{pb}",
                               "reason": "segregation of duties"}
                              for (sa, pa), (sb, pb) in plan.conflicts],
            "approvers": plan.approvers,
            "service_accounts": [{"account": a, "owner": o, "purpose": "batch job"}
                                 for a, o in plan.services.items()],
        }  # fmt: skip
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    def _write_roster(self) -> None:
        day = self.day
        rows = ([p.eid, p.name, p.email, p.status, day[p.start], day[p.end] if p.end >= 0 else "",
                 self.fam[p.role].title(), self.roles[p.role], ";".join(self.slugs[c] for c in
                 p.clients), p.manager, day[p.changed if p.changed >= 0 else p.start]]
                for p in self.people)  # fmt: skip
        _write_csv(self.roster, "employee_id name email status start_date end_date department "
                   "job_role client_accounts manager_id last_role_change", rows)  # fmt: skip

    def _write_directory(self) -> int:
        """Write the directory export (keeping the unowned accounts); return its row count."""
        rng, slugs, planted = self.rng, self.slugs, self.planted
        rows: list[list[str]] = []
        for p in self.people:
            enabled = p.status != "terminated"
            if not enabled and rng.random() < 0.15:
                enabled = True
                planted["leaver_enabled_accounts"] += 1
            if p.status == "terminated":
                login = self.stamp(p.end + rng.randint(0, 3))
            elif rng.random() < 0.005:
                login = ""
            elif rng.random() < 0.015:
                login = self.stamp(rng.randint(95, 500))
                planted["dormant_accounts"] += 1
            else:
                login = self.stamp(rng.randint(0, 20))
            registered = rng.random() < 0.97
            enforced = registered and rng.random() < 0.98
            groups = ["all-staff", f"dept-{self.fam[p.role]}"]
            groups += [f"{slugs[c]}-agents" for c in p.clients]
            privileged = self.fam[p.role] == "it" and self.lvl[p.role] >= 2
            if privileged:
                groups += ["Domain Admins"] + [f"{slugs[c]}-admins" for c in p.clients]
            rows.append(
                [p.username, p.eid, p.email, p.name, _b(enabled), _b(registered), _b(enforced),
                 login, ";".join(groups), _b(privileged)]
            )  # fmt: skip
        self.unowned: list[tuple[str, int]] = []  # (account, client)
        planted["unowned_directory_accounts"] = extra = max(30, len(self.people) // 330)
        for i in range(extra):
            c = rng.randrange(len(slugs))
            if i % 4 == 0:  # shared / generic
                name = f"{rng.choice(GENERIC)}{i:03d}"
                row = [name, "", "", f"{name.title()} Seat", "true", "false", "false"]
            elif i % 4 == 1:  # agentNNN style generic login
                name = f"agent{i:04d}"
                row = [name, "", "", "Floor Login", "true", "", ""]
            elif i % 4 == 2:  # orphan: nobody on the roster
                first, last = rng.choice(FIRST), rng.choice(LAST)
                name = f"x{first[:2]}{last[:3]}{i}".lower()
                row = [name, f"E9{i:06d}", "", f"{first} {last}x", "true", "true", "true"]
            else:  # contractor with an unknown id and outside email
                name = f"ext.{i:04d}"
                row = [name, "", f"{name}@vendor.example", "Vendor Contractor"] + ["true"] * 3
            rows.append([*row, self.stamp(rng.randint(0, 30)), f"{slugs[c]}-agents", "false"])
            self.unowned.append((name, c))
        for plan in self.plans:  # service accounts, declared owners in the client's matrix
            rows += [[name, "", "", "Service account", "true"] + [""] * 4 + ["false"]
                     for name in plan.services]  # fmt: skip
        for i in range(min(10, len(self.people) // 2)):  # id of one person, email of another
            a, b = self.people[2 * i], self.people[2 * i + 1]
            rows.append([f"dup{i}.{a.username}", a.eid, b.email, a.name, "true", "true", "true",
                         self.stamp(1), "all-staff", "false"])  # fmt: skip
        _write_csv(self.directory, "username employee_id email display_name enabled "
                   "mfa_registered mfa_enforced last_login groups privileged", rows)  # fmt: skip
        return len(rows)

    def _write_grants(self, folder: Path, target: int) -> list[tuple[str, str, Path, int]]:
        """Write every client's entitlement exports, about ``target`` rows in all."""
        holders: list[list[Person]] = [[] for _ in self.plans]
        for p in self.people:
            for c in p.clients:
                if p.status != "terminated" or self.rng.random() < 0.1:
                    holders[c].append(p)
                    self.planted["leavers_holding_grants"] += p.status == "terminated"
        weight = [len(h) * len(plan.systems) for h, plan in zip(holders, self.plans, strict=True)]
        out: list[tuple[str, str, Path, int]] = []
        left = target
        for c, plan in enumerate(self.plans):
            budget = round(target * weight[c] / max(1, sum(weight)))
            budget = budget if c < len(self.plans) - 1 else left
            left -= budget
            rows = self._client_grants(c, holders[c], budget)
            for (key, _), lines in zip(plan.systems, rows, strict=True):
                _write_csv(folder / f"{key}.csv", GRANT_HEADER, lines)
                out.append((plan.slug, key, folder / f"{key}.csv", len(lines)))
        return out

    def _client_grants(self, c: int, mine: list[Person], budget: int) -> list[list[list[str]]]:
        """Return one client's grants, rows per system, no (system, account, perm) twice."""
        rng, planted, granted, day, plan = (
            self.rng,
            self.planted,
            self.granted,
            self.day,
            self.plans[c],
        )
        nsys, allowed = len(plan.systems), plan.allowed
        rows: list[list[list[str]]] = [[] for _ in plan.systems]
        seen: set[tuple[int, str, str]] = set()
        by_email = rng.randrange(nsys)  # an SSO app that names accounts by email

        def add(who: Person | str, s: int, perm: str, when: int, approver: str) -> bool:
            """Add one grant (when: days ago); False when it is already there."""
            account = who if isinstance(who, str) else who.email if s == by_email else who.username
            if (s, account, perm) in seen:
                return False
            seen.add((s, account, perm))
            r = rng.random()
            if r < 0.05:
                used = -1  # never used
            elif r < 0.06 and when > 95:
                used = rng.randint(91, when)  # dormant
            else:
                used = rng.randint(0, min(when, 30))
            privileged = perm in PRIVILEGED
            if privileged:
                r = rng.random()
                if r < 0.03:
                    approver = ""
                elif r < 0.04 and isinstance(who, Person):
                    approver = who.username
                else:
                    approver = "jdoe-helpdesk" if r < 0.05 else rng.choice(plan.approvers)
            rows[s].append([account, plan.systems[s][1], perm, _b(privileged), day[when],
                            day[used] if used >= 0 else "", approver])  # fmt: skip
            return True

        # problems first, so the ordinary grants fill the budget exactly around them
        for p in rng.sample(self.people, max(1, len(mine) // 500)):  # other clients' staff
            if c not in p.clients and p.status != "terminated":
                s = rng.randrange(nsys)
                perm = rng.choice(allowed[p.role][s])
                planted["cross_client_grants"] += add(p, s, perm, granted(p), p.manager)
        for p in rng.sample(mine, max(1, len(mine) // 300)):  # beyond the role
            s = rng.randrange(nsys)
            extra = [x for x in PLAIN if x not in allowed[p.role][s]]
            if extra and p.status != "terminated":
                when = granted(p)
                planted["off_role_grants"] += add(p, s, rng.choice(extra), when, p.manager)
        for p in mine:  # movers keeping access of their old role
            if p.old_role < 0 or p.status == "terminated" or rng.random() > 0.4:
                continue
            s = rng.randrange(nsys)
            old = [x for x in allowed[p.old_role][s] if x not in allowed[p.role][s]]
            if old:
                when = rng.randint(p.changed + 1, max(p.changed + 1, p.start - 1))
                planted["mover_grants"] += add(p, s, rng.choice(old), when, p.manager)
        for p in rng.sample(mine, max(1, len(mine) // 1000)):  # both sides of an SoD pair
            (sa, pa), (sb, pb) = rng.choice(plan.conflicts)
            if p.status != "terminated":
                when = granted(p)
                add(p, sa, pa, when, p.manager)
                add(p, sb, pb, when, p.manager)
                planted["sod_pairs"] += 1
        for name, owner in self.unowned:  # shared, orphan and contractor accounts
            if owner == c or rng.random() < 0.05:
                for _ in range(rng.randint(1, 3)):
                    s = rng.randrange(nsys)
                    add(name, s, rng.choice(PLAIN[:6]), rng.randint(0, 400), "")
        for name in plan.services:
            add(name, rng.randrange(nsys), "export", rng.randint(30, 900), plan.approvers[0])
        for i in range(15):  # local application accounts no directory knows
            add(f"local_{plan.slug}_{i}", rng.randrange(nsys), "view", rng.randint(0, 900), "")
        planted["local_app_accounts"] += 15
        # ordinary grants: what the role allows, spread over the holders by their allowance
        rest = budget - sum(map(len, rows))
        room = [sum(len(a) for a in allowed[p.role]) for p in mine]
        total_room, carry = max(1, sum(room)), 0.0
        for p, r in zip(mine, room, strict=True):
            carry += rest * r / total_room
            want = int(carry)
            carry -= want
            options = [(s, perm) for s in range(nsys) for perm in allowed[p.role][s]]
            rng.shuffle(options)
            if want > len(options):  # more than the role allows: off-role filler
                spare = [(s, x) for s in range(nsys) for x in PLAIN]
                rng.shuffle(spare)
                options += spare
            for s, perm in options:
                if want <= 0:
                    break
                want -= add(p, s, perm, granted(p), p.manager)
            carry += want
        for p in mine:  # rounding left a few over: give them to whoever has room
            for s, perms in enumerate(allowed[p.role]):
                for perm in perms:
                    if sum(map(len, rows)) < budget:
                        add(p, s, perm, granted(p), p.manager)
            if sum(map(len, rows)) >= budget:
                break
        return rows


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


#: Profiling only: runs the dataward command line under cProfile and keeps its exit code
#: (`python -m cProfile` would swallow it). argv: PROFILE_FILE -w WS ARGS...
PROFILE_RUNNER = """\
import cProfile, sys
from dataward.cli import main
prof = cProfile.Profile()
try:
    code = prof.runcall(main, sys.argv[2:])
finally:
    prof.dump_stats(sys.argv[1])
sys.exit(code)
"""


def _spawn(what: str, cmd: list[str], out: IO[str] | None = None) -> tuple[float, int]:
    """Run a command; return wall seconds and its peak RSS in MB, or exit with its last stderr line.

    With ``out`` its stdout goes there and its stderr (progress) to ours; otherwise stdout is
    dropped and stderr kept so that a failure exits with its last line.
    """
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out or subprocess.DEVNULL, stderr=None if out else err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if code := os.waitstatus_to_exitcode(status):
            err.seek(0)
            sys.exit(f"{what} failed: {(err.read().strip().splitlines() or [f'exit {code}'])[-1]}")
    return wall, usage.ru_maxrss // 1024


def _run(ws: Path, args: list[str], profile: Path | None = None) -> tuple[float, int]:
    """Run a dataward command (under cProfile into ``profile`` if given); see _spawn."""
    prefix = [sys.executable, "-c", PROFILE_RUNNER, str(profile)] if profile else [str(BIN)]
    return _spawn(f"dataward {' '.join(args)}", [*prefix, "-w", str(ws), *args])


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def evaluate_workspace(ws_path: str, breakdown: bool, profile: str | None) -> dict[str, Any]:
    """Open the workspace as the CLI does, then load and evaluate every client's access data."""
    import cProfile
    import gc

    from dataward.core.workspace import open_workspace

    start = time.perf_counter()
    ws = open_workspace(ws_path)
    from dataward.access import readers
    from dataward.access.engine.context import Context
    from dataward.access.engine.evaluate import CLIENT_RULES, OPERATION_RULES, evaluate
    from dataward.core.clients import ensure_operation, visible

    res: dict[str, Any] = {"open_s": time.perf_counter() - start, "rss_open_mb": _rss_mb()}
    clients: dict[str, dict[str, float]] = {}
    rules: dict[str, dict[str, int]] = {}
    rule_s: defaultdict[str, float] = defaultdict(float)
    prof = cProfile.Profile() if profile else None
    for client in [ensure_operation(ws), *visible(ws)]:
        if not readers.imported(ws, client):
            continue
        _log(f"  evaluating {client.slug}")
        with prof or contextlib.nullcontext():
            t0 = time.perf_counter()
            data = readers.load(ws, client)
            t1 = time.perf_counter()
            outcomes = evaluate(data)
            t2 = time.perf_counter()
        clients[client.slug] = {"load_s": t1 - t0, "evaluate_s": t2 - t1,
                                "people": len(data.people), "accounts": len(data.accounts),
                                "grants": len(data.grants)}  # fmt: skip
        for rule_id, outcome in outcomes.items():
            seen = rules.setdefault(rule_id, {"fail": 0, "warning": 0, "not_applicable": 0})
            for v in outcome.violations:
                seen["warning" if v.warning else "fail"] += 1
            seen["not_applicable"] += bool(outcome.not_applicable)
        if breakdown:
            t0 = time.perf_counter()
            ctx = Context(data)
            rule_s["(context)"] += time.perf_counter() - t0
            for rule_id, rule in (OPERATION_RULES if data.operation else CLIENT_RULES).items():
                t0 = time.perf_counter()
                rule(ctx)
                rule_s[rule_id] += time.perf_counter() - t0
            del ctx
        del data, outcomes
        gc.collect()
    if prof and profile:
        prof.dump_stats(profile)
    load_s, evaluate_s = (sum(c[k] for c in clients.values()) for k in ("load_s", "evaluate_s"))
    return res | {"clients": clients, "load_s": load_s, "evaluate_s": evaluate_s, "rules": rules,
                  "rule_s": rule_s, "peak_rss_mb": _rss_mb()}  # fmt: skip


def _top(path: Path, limit: int = 18) -> list[str]:
    """Return the functions that dominate a cProfile file (by own time), one line each."""
    import pstats

    entries: dict[Any, Any] = getattr(pstats.Stats(str(path)), "stats", {})
    total = max(sum(v[2] for v in entries.values()), 1e-9)
    ordered = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:limit]
    return [
        f"    {tt:7.2f}s own {100 * tt / total:5.1f}%  cum {ct:7.2f}s  {calls:>9} calls  "
        f"{func} ({f'{Path(file).name}:{line}' if line else file})"
        for (file, line, func), (_, calls, tt, ct, _) in ordered
    ]


def _import(ws: Path, estate: Estate, profile: Path | None) -> dict[str, dict[str, float]]:
    """Import the estate through the CLI, one process per file; return the figures per kind."""
    jobs = [
        ("hr", len(estate.people), ["import", "hr", str(estate.roster)]),
        ("directory", estate.accounts, ["import", "directory", str(estate.directory)]),
        *(("matrix", len(estate.roles), ["matrix", str(path), "--client", slug])
          for slug, path in estate.matrices.items()),
        *(("entitlements", rows, ["import", "entitlements", str(path), "--client", slug,
                                  "--system", key])
          for slug, key, path, rows in estate.systems),
    ]  # fmt: skip
    imports: dict[str, dict[str, float]] = {}
    for kind, rows, cmd in jobs:
        prof = profile / f"import-{kind}.prof" if profile and kind not in imports else None
        _log(f"  access {' '.join(cmd[:2])} ...")
        wall, rss = _run(ws, ["access", *cmd], prof)
        seen = imports.setdefault(kind, {"s": 0.0, "rows": 0, "files": 0, "peak_rss_mb": 0})
        seen["s"] += wall
        seen["rows"] += rows
        seen["files"] += 1
        seen["peak_rss_mb"] = max(seen["peak_rss_mb"], rss)
    for seen in imports.values():
        seen["rows_s"] = seen["rows"] / seen["s"]
    return imports


def main() -> None:
    """Generate the estate, import it, evaluate the rules and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default in (("people", 100_000), ("entitlements", 1_000_000), ("roles", 50),
                          ("clients", 5), ("seed", 7)):  # fmt: skip
        parser.add_argument(f"--{flag}", type=int, default=default)
    for flag, text in (("json", "print one JSON object"),
                       ("breakdown", "also time the context and each rule apart"),
                       ("skip-assess", "do not run dataward assess")):  # fmt: skip
        parser.add_argument(f"--{flag}", action="store_true", help=text)
    parser.add_argument("--profile", type=Path, help="write cProfile files here, print the top")
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
    with tempfile.TemporaryDirectory(prefix="dw-access-bench-") as name:
        tmp = args.keep or Path(name)
        if args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        (tmp / "estate").mkdir(parents=True)
        _log(f"generating {args.people} people and {args.entitlements} entitlements in {tmp}")
        start = time.perf_counter()
        estate = Estate(
            tmp / "estate", args.seed, args.people, args.entitlements, args.roles, args.clients
        )
        f: dict[str, Any] = {
            "people": args.people, "entitlements_asked": args.entitlements, "roles": args.roles,
            "clients": args.clients, "cores": os.cpu_count() or 1,
            "generate_s": time.perf_counter() - start,
            "entitlements": sum(n for *_, n in estate.systems), "systems": len(estate.systems),
            "directory_accounts": estate.accounts, "planted": estate.planted,
        }  # fmt: skip
        ws = tmp / "ws"
        _run(ws, ["init"])
        for slug in estate.matrices:
            _run(ws, ["clients", "add", slug, "--name", slug.title()])
        _log("importing")
        f["imports"] = imports = _import(ws, estate, args.profile)
        f["import_s"] = sum(v["s"] for v in imports.values())
        f["import_peak_rss_mb"] = max(v["peak_rss_mb"] for v in imports.values())
        _log("evaluating in process")
        child = [sys.executable, __file__, "--evaluate-workspace", str(ws)]
        child += ["--breakdown"] if args.breakdown else []
        if args.profile:
            child += ["--evaluate-profile", str(args.profile / "evaluate.prof")]
        with tempfile.TemporaryFile("w+") as out:
            wall, rss = _spawn("the evaluation process", child, out)
            out.seek(0)
            f["evaluation"] = json.load(out) | {"wall_s": wall, "child_peak_rss_mb": rss}
        if not args.skip_assess:
            _log("running dataward assess")
            prof = args.profile / "assess.prof" if args.profile else None
            wall, rss = _run(ws, ["assess", "-f", "jsonl"], prof)
            f["assess"] = {"wall_s": wall, "peak_rss_mb": rss}
    if args.json:
        print(json.dumps(_rounded(f)))
    else:
        _report(f)
    for path in sorted(args.profile.glob("*.prof")) if args.profile else []:
        print(f"\nprofile {path} (top functions by own time):")
        print("\n".join(_top(path)))


def _rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return round(value, 3) if isinstance(value, float) else value


def _report(f: dict[str, Any]) -> None:
    """Print the figures for people."""
    aim = ("MISSES the aim", "within the aim")  # indexed by whether it is met
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
            f"  {kind:<13} {v['s']:8.2f} s  {v['rows']:>10,.0f} {unit:<5} {v['rows_s']:>9,.0f} "
            f"{unit}/s  {v['files']:.0f} file(s)  peak RSS {v['peak_rss_mb']:.0f} MB"
        )
    print(f"  total         {f['import_s']:8.2f} s  peak RSS {f['import_peak_rss_mb']:.0f} MB")
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
        f"  aim: evaluation under 20 s -> {aim[both < 20]} (evaluate alone "
        f"{aim[ev['evaluate_s'] < 20]}); under 2 GB -> {aim[ev['peak_rss_mb'] < 2048]}"
    )
    if ev["rule_s"]:
        print("  time per part (a second pass, context built once per client):")
        for rule_id, secs in sorted(ev["rule_s"].items(), key=lambda kv: -kv[1]):
            print(f"    {secs:7.2f} s  {rule_id}")
    print("violations per rule (all clients; fail / warning / not applicable):")
    width = max(map(len, ev["rules"]), default=0)
    for rule_id, v in sorted(ev["rules"].items()):
        print(f"  {rule_id:<{width}} {v['fail']:>8,}  {v['warning']:>7,}  {v['not_applicable']:>3}")
    if a := f.get("assess"):
        print(
            f"dataward assess (every check, all clients, results stored, JSON lines to /dev/null):"
            f" {a['wall_s']:.2f} s, peak RSS {a['peak_rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
