"""Measure the dashboard's server time on a large workspace: overview, inventory, findings, access.

Aim: every page under 300 ms of server time with 1,000,000 findings and 100,000 identities.

Run with `.venv/bin/python bench/web_bench.py [--findings 1000000] [--identities 100000]
[--clients 20] [--repeat 7] [--database-url URL] [--keep DIR] [--freeze] [--json]`. It fills a
throwaway workspace (SQLite; --database-url names an empty PostgreSQL database) with bulk_create,
from the project's own generators: labeled corpus documents give each file or table its values,
which the discovery engine masks, fingerprints (workspace keyring) and tallies into the findings
and inventory rows a scan would store; the demo's name pools give the people and accounts; every
registered check gives eight assessments per client; risks and alerts complete the overview.
It then signs in through the real password and TOTP forms as an admin, a manager of half the
clients and a client-viewer, and with Django's test client in process requests each page once
to warm up and --repeat times more: median and slowest server time per user, queries and size.
A page that answers 404 is reported missing. Figures go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

AIM_MS = 300
PASSWORD = "bench horse battery staple 9"  # noqa: S105 - a throwaway workspace
USERS = (
    ("bench-admin", "admin"),
    ("bench-manager", "manager"),  # scoped to half the clients
    ("bench-viewer", "client-viewer"),  # one client
)
PAGES = (
    ("/", "overview"),
    ("/overview/overdue/", "overview: overdue block (htmx, after load)"),
    ("/inventory/", "data inventory"),
    ("/inventory/?sort=location__path&category=PCI", "  inventory, PCI, by location"),
    ("/inventory/findings/", "findings"),
    ("/inventory/findings/?entity_type=EMAIL_ADDRESS&sort=-score", "  findings, e-mail, by score"),
    ("/inventory/findings/?page=1000", "  findings, page 1,000"),
    ("/access/", "access"),
)
DEPTS = ("claims", "collections", "billing", "support", "kyc", "payroll", "qa", "exports")


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)  # progress; the figures go to stdout


def _pool(size: int, seed: int, keyring: Any) -> list[tuple[list[tuple[Any, ...]], dict[str, Any]]]:
    """Return documents as their finding rows and tally, generated, masked and fingerprinted."""
    from dataward.demo.engine.corpus import make_doc
    from dataward.discovery.engine.preview import mask, normalize
    from dataward.discovery.engine.scanner import Tally, category_of
    from dataward.discovery.engine.types import ENTITIES

    rng = random.Random(seed)
    out = []
    for i in range(size):
        scale = rng.choices((1, 4, 30), weights=(94, 5, 1))[0]
        doc = make_doc(i, seed, scale)
        rows, tally = [], Tally()
        for s in [s for s in doc.spans if s.entity_type in ENTITIES]:
            value = doc.text[s.start : s.end]
            fp = keyring.fingerprint(f"{s.entity_type}:{normalize(s.entity_type, value)}")
            line = doc.text.count("\n", 0, s.start) + 1
            score = round(rng.uniform(0.55, 1.0), 3)
            rows.append((s.entity_type, category_of(s.entity_type), line, s.start, s.end, score,
                         mask(s.entity_type, value)[:80], fp))  # fmt: skip
            tally.add(s.entity_type, fp)
        if rows:
            counts = {e: (n, len(tally.distinct[e])) for e, n in tally.counts.items()}
            out.append((rows, {"name": doc.name, "counts": counts}))
    return out


def _clients(ws: Any, n: int) -> list[Any]:
    from dataward.core.clients import add
    from dataward.core.engine.clients import ClientSpec

    def spec(i: int, at: str) -> ClientSpec:
        return ClientSpec(at.rsplit("/", 1)[1], f"Client {i:02d}", data_categories=["PII", "PCI"],
                          approved_locations=[f"{at}/restricted", f"{at}/exports=PII"])  # fmt: skip

    return [add(ws, spec(i, f"/srv/shares/client-{i:02d}"))[0] for i in range(1, n + 1)]


def _discovery(ws: Any, clients: list[Any], pool: list[Any], total: int, seed: int) -> int:
    """Store locations, findings and inventory rows as scans would; return the findings stored."""
    from django.db import transaction

    from dataward.discovery.engine.scanner import category_of
    from dataward.discovery.models import Finding, InventoryItem, Location, ScanRun

    rng, now, stored = random.Random(seed), ws.clock(), 0
    per_client = total // len(clients)
    for number, client in enumerate(clients):
        run = ScanRun.objects.create(client=client, started_at=now, finished_at=now,
                                     actor=ws.actor.name, status="completed")  # fmt: skip
        picks, have = [], 0
        while have < per_client:
            doc = rng.randrange(len(pool))
            picks.append(doc)
            have += len(pool[doc][0])
        with transaction.atomic():
            locs = []
            for k, doc in enumerate(picks):
                first = now - timedelta(days=rng.randint(0, 700))
                table = k % 97 == 0
                root = (f"postgresql://db.{client.slug}.internal/crm" if table
                        else f"/srv/shares/{client.slug}")  # fmt: skip
                area = "restricted" if k % 5 == 0 else rng.choice(DEPTS)
                name = pool[doc][1]["name"]
                locs.append(Location(
                    client=client, kind="table" if table else "file", root=root,
                    path=f"public.t{k}" if table else f"{area}/{k // 50:03d}/{k}-{name}",
                    size=rng.randint(2_000, 9_000_000), owner=f"owner{rng.randrange(300)}",
                    first_seen=first, last_seen=now - timedelta(days=rng.randint(0, 30)),
                    modified_at=first, last_run=run, present=rng.random() > 0.03,
                    findings_total=len(pool[doc][0]),
                ))  # fmt: skip
            Location.objects.bulk_create(locs, batch_size=2000)
            locs = list(Location.objects.for_client(client).order_by("id"))
            findings, items = [], []
            for loc, doc in zip(locs, picks, strict=True):
                for entity, cat, line, start, end, score, preview, fp in pool[doc][0]:
                    findings.append(Finding(
                        client=client, location=loc, entity_type=entity, category=cat, line=line,
                        start=start, end=end, score=score, preview=preview, fingerprint=fp,
                    ))  # fmt: skip
                for entity, (count, distinct) in pool[doc][1]["counts"].items():
                    items.append(InventoryItem(
                        client=client, location=loc, entity_type=entity, count=count,
                        category=category_of(entity), distinct=distinct,
                        first_seen=loc.first_seen, last_seen=loc.last_seen,
                    ))  # fmt: skip
                if len(findings) >= 20_000:
                    stored += len(Finding.objects.bulk_create(findings, batch_size=5000))
                    findings = []
            stored += len(Finding.objects.bulk_create(findings, batch_size=5000))
            InventoryItem.objects.bulk_create(items, batch_size=5000)
        _log(f"    {number + 1}/{len(clients)} clients, {stored:,} findings")
    return stored


def _identities(ws: Any, n: int, clients: list[Any], seed: int) -> None:
    """Store the HR roster and the directory: one person and one account per identity."""
    from django.db import transaction

    from dataward.access.models import DirectoryAccount, ImportRun, Person
    from dataward.core.clients import ensure_operation
    from dataward.demo.engine.clients import BPO_DOMAIN
    from dataward.demo.engine.contact import email_for
    from dataward.demo.engine.corpus_values import pool
    from dataward.demo.engine.people import DEPARTMENTS, PRIVILEGED_ROLES, SITES

    rng, op, now, today = random.Random(seed), ensure_operation(ws), ws.clock(), ws.clock().date()
    roles, sites = list(DEPARTMENTS), list(SITES.values())
    people, accounts = [], []
    for i in range(n):
        site, role = rng.choice(sites), rng.choices(roles, weights=(80, 8, 2, 3, 2, 1, 1))[0]
        names = pool(site.region)
        first, last = rng.choice(names.firsts), rng.choice(names.lasts)
        left = rng.random() < 0.03
        eid, user = f"E{100000 + i}", f"{first[0]}{last}{i}".lower().replace(" ", "")
        mail = email_for(first, f"{last}{i}", BPO_DOMAIN)
        people.append(Person(
            client=op, employee_id=eid, name=f"{first} {last}", email=mail,
            status="terminated" if left else "active", job_role=role,
            department=DEPARTMENTS[role], start_date=today - timedelta(days=rng.randint(30, 3000)),
            end_date=today - timedelta(days=rng.randint(1, 300)) if left else None,
            clients=[c.slug for c in rng.sample(clients, 1 + (role != "agent"))], row=i + 2,
        ))  # fmt: skip
        accounts.append(DirectoryAccount(
            client=op, source="directory", username=user, employee_id=eid, email=mail,
            display_name=f"{first} {last}", enabled=not left or rng.random() < 0.1,
            mfa_registered=rng.random() < 0.97, mfa_enforced=rng.random() < 0.95,
            last_login=now - timedelta(days=rng.randint(0, 120)),
            privileged=role in PRIVILEGED_ROLES, groups=["all-staff", f"dept-{role}"], row=i + 2,
        ))  # fmt: skip
    with transaction.atomic():
        for kind in ("hr", "directory"):
            ImportRun.objects.create(client=op, kind=kind, source=kind, location=f"{kind}.csv",
                                     imported_at=now, actor=ws.actor.name)  # fmt: skip
        Person.objects.bulk_create(people, batch_size=5000)
        DirectoryAccount.objects.bulk_create(accounts, batch_size=5000)


def _governance(ws: Any, clients: list[Any], seed: int) -> None:
    """Store eight assessments per client with every check's result, risks and alerts."""
    from django.db import transaction

    from dataward.controls.catalog_service import catalog
    from dataward.controls.models import Assessment, CheckResult
    from dataward.controls.store import registry
    from dataward.monitoring.models import Alert
    from dataward.risks.models import Risk

    rng, now = random.Random(seed), ws.clock()
    checks = registry().for_scope("client")
    areas = [a.id for a in catalog().areas]
    with transaction.atomic():
        for n, client in enumerate(clients):
            base = rng.uniform(30, 80)
            for run_no in range(8):
                at = now - timedelta(days=7 * (7 - run_no), hours=n)
                overall = round(min(100.0, base + run_no * rng.uniform(-2, 4)), 1)
                posture = {"overall": overall, "areas": {a: round(rng.uniform(0, 100), 1)
                                                         for a in areas}}  # fmt: skip
                run = Assessment.objects.create(client=client, started_at=at, actor="bench",
                                                counts={"posture": posture})  # fmt: skip
                CheckResult.objects.bulk_create(
                    CheckResult(client=client, assessment=run, check_id=c.meta.id, summary="-",
                                title=c.meta.title, severity=c.meta.severity, subject=f"s{k}",
                                status=rng.choices(("pass", "fail", "warning", "not_applicable"),
                                                   weights=(6, 2, 1, 1))[0], at=at)
                    for c in checks for k in range(rng.randint(1, 3))
                )  # fmt: skip
            Risk.objects.bulk_create(
                Risk(client=client, ref=f"RISK-{n:02d}{k:03d}", title=f"bench risk {k}",
                     category="audit", likelihood=rng.randint(1, 5), impact=rng.randint(1, 5),
                     status=rng.choice(("open", "open", "accepted", "closed")),
                     due=(now + timedelta(days=rng.randint(-60, 90))).date(),
                     created_at=now, updated_at=now)
                for k in range(40)
            )  # fmt: skip
            Alert.objects.bulk_create(
                Alert(client=client, ref=f"AL-{n:02d}{k:04d}", rule="bench", title="bench alert",
                      level=rng.choice(("low", "medium", "high")), group=f"user{k}",
                      first_seen=now, last_seen=now, created_at=now - timedelta(hours=k),
                      updated_at=now, state=rng.choice(("new", "investigating", "resolved")))
                for k in range(200)
            )  # fmt: skip


def _users(ws: Any) -> None:
    """Add the users the pages are timed for: an admin (with TOTP), a manager, a viewer."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dataward.core import users
    from dataward.core.models import Client, User

    slugs = [c.slug for c in Client.objects.filter(kind="client").order_by("slug")]
    scopes = {"admin": [], "manager": slugs[: max(1, len(slugs) // 2)], "client-viewer": slugs[:1]}
    for name, role in USERS:
        if not User.objects.filter(username=name).exists():
            user = users.add(ws, name, role, scopes[role], password=PASSWORD)
            if role == "admin":
                TOTPDevice.objects.create(user=user, name="bench", confirmed=True)


def _sign_in(username: str) -> Any:
    """Sign in through the real password and TOTP forms; return the signed-in test client."""
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    browser = Client()
    response = browser.post("/login/", {"username": username, "password": PASSWORD})
    if response.status_code == 302 and response["Location"] == "/login/mfa/":
        d = TOTPDevice.objects.get(user__username=username, confirmed=True)
        d.last_t = -1  # a rerun within 30 s may sign in with the same code again
        d.save(update_fields=["last_t"])
        code = f"{totp(d.bin_key, d.step, d.t0, d.digits, d.drift):06d}"
        response = browser.post("/login/mfa/", {"code": code})
    if response.status_code != 302 or response["Location"].startswith("/login"):
        sys.exit(f"could not sign in as {username} (HTTP {response.status_code})")
    return browser


def _measure(browser: Any, url: str, repeat: int, freeze: bool) -> dict[str, Any]:
    """Request a page once to warm up, then ``repeat`` times; return server times and counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if browser.get(url).status_code == 404:
        return {"status": 404, "missing": True}
    if freeze:  # what a server can do once started: keep long-lived objects out of GC passes
        gc.collect()
        gc.freeze()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = browser.get(url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        browser.get(url)
    return {
        "status": response.status_code, "median_ms": statistics.median(times),
        "max_ms": max(times), "queries": len(queries), "kb": len(response.content) / 1024,
    }  # fmt: skip


def build(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Create and fill the workspace; return what was stored and how long it took."""
    from dataward.core.workspace import init_workspace

    f: dict[str, Any] = {"database": "PostgreSQL" if args.database_url else "SQLite"}
    start = time.perf_counter()
    ws = init_workspace(root, env={}, database_url=args.database_url or "")
    clients = _clients(ws, args.clients)
    _log("generating the corpus pool (masked and fingerprinted), then the discovery results")
    pool = _pool(args.pool, args.seed, ws.keyring)
    f["pool_s"] = time.perf_counter() - start
    f["findings"] = _discovery(ws, clients, pool, args.findings, args.seed)
    f["discovery_s"] = time.perf_counter() - start - f["pool_s"]
    _log(f"storing {args.identities:,} people and accounts, assessments, risks, alerts")
    _identities(ws, args.identities, clients, args.seed)
    _governance(ws, clients, args.seed)
    f["build_s"] = time.perf_counter() - start
    return f


def _stored(args: argparse.Namespace) -> dict[str, Any]:
    """Return what a kept workspace holds, for the report."""
    from django.db import connection

    from dataward.access.models import Person
    from dataward.core.models import Client
    from dataward.discovery.models import Finding

    args.identities = Person.objects.unscoped("bench figures").count()
    args.clients = Client.objects.filter(kind="client").count()
    db, found = connection.display_name, Finding.objects.unscoped("bench figures").count()
    return {"findings": found, "build_s": 0.0, "pool_s": 0.0, "discovery_s": 0.0, "database": db}


def main() -> None:
    """Build the workspace, sign in, time every page and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default in (("findings", 1_000_000), ("identities", 100_000), ("clients", 20),
                          ("repeat", 7), ("seed", 5), ("pool", 4000)):  # fmt: skip
        parser.add_argument(f"--{flag}", type=int, default=default)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--keep", type=Path, help="build here and keep it (if there: measure)")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after each warm-up")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dw-web-bench-") as name:
        root = (args.keep or Path(name)) / "ws"
        again = (root / "dataward.toml").exists()
        figures = {} if again else build(root, args)
        from dataward.core.workspace import open_workspace

        ws = open_workspace(root, env={})
        from dataward.web.app import serve

        serve(ws)
        figures = _stored(args) if again else figures
        _users(ws)
        figures["pages"] = {}
        for user, _ in USERS:
            _log(f"timing the pages as {user}")
            browser = _sign_in(user)
            figures["pages"][user] = {
                url: _measure(browser, url, args.repeat, args.freeze) for url, _ in PAGES
            }
    print(json.dumps(figures, default=str)) if args.json else _report(figures, args)


def _report(f: dict[str, Any], args: argparse.Namespace) -> None:
    """Print the figures for people."""
    built = (
        f"built in {f['build_s']:.0f} s (corpus pool {f['pool_s']:.0f} s, discovery results "
        f"{f['discovery_s']:.0f} s)" if f["build_s"] else "kept from an earlier run"
    )  # fmt: skip
    print(
        f"workspace ({f['database']}): {f['findings']:,} findings over {args.clients} clients, "
        f"{args.identities:,} people + {args.identities:,} accounts; {built}"
    )
    print(
        f"server time in ms, median / max of {args.repeat} requests after a warm-up"
        f"{' and gc.freeze()' if args.freeze else ''}; queries and KB as the admin:"
    )
    roles = "".join(f"{role:>16}" for _, role in USERS)
    print(f"  {'page':<42}{roles} {'queries':>8} {'KB':>5}  aim {AIM_MS} ms")
    for url, label in PAGES:
        seen = [f["pages"][user][url] for user, _ in USERS]
        if any(p.get("missing") for p in seen):
            print(f"  {label:<42}{'missing (404): not built yet':>48}")
            continue
        cells = "".join(f"{p['median_ms']:9.0f} /{p['max_ms']:5.0f}" for p in seen)
        verdict = "ok" if max(p["max_ms"] for p in seen) < AIM_MS else "max>aim"
        verdict = "SLOW" if max(p["median_ms"] for p in seen) >= AIM_MS else verdict
        verdict += "".join(f" HTTP {p['status']}" for p in seen if p["status"] != 200)
        size = f"{seen[0]['queries']:>8} {seen[0]['kb']:5.0f}"
        print(f"  {label:<42}{cells} {size}  {verdict}  {url}")


if __name__ == "__main__":
    main()
