"""SIGKILL at random points: a scan, a log ingestion, an access import and a disposal are killed
again and again, then run to the end; the end state must equal an uninterrupted run's.

Each command runs as a real `dataward` process. It is killed (SIGKILL: no handler, no clean-up)
at seeded random moments: once during start-up, then several times each shortly after it has
stored something new (so every kill lands in the middle of real work, between or inside batches).
After the last kill the same command runs to the end. The oracle is the same work done once,
uninterrupted, in a second workspace (SQLite) with the same key, so fingerprints compare: nothing
lost, nothing stored twice, nothing half-written, and the audit chain still verifies. Every test
runs on SQLite and on PostgreSQL. DATAWARD_CRASH_SEED changes the kill points.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from discovery.conftest import write_planted
from discovery.test_concurrent_writers import _snapshot

BIN = Path(sys.executable).parent / "dataward"
SEED = int(os.environ.get("DATAWARD_CRASH_SEED", "1207"))
KILLS = 4  # kills in mid-work per command, after one during start-up
TIMEOUT = 300  # seconds per process: generous for a loaded machine, never endless

pytestmark = pytest.mark.slow


def _env(key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    return env | {"DATAWARD_KEY": key}


def _start(args: list[str], key: str) -> subprocess.Popen[bytes]:
    """Start a command that will be killed; its output is not read (a full pipe would block)."""
    return subprocess.Popen(  # noqa: S603 - our own command
        [str(BIN), *args], env=_env(key), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _run(args: list[str], key: str) -> str:
    """Run a command to its end; fail with its stderr unless it succeeds."""
    proc = subprocess.run(  # noqa: S603 - our own command
        [str(BIN), *args], env=_env(key), capture_output=True, text=True, timeout=TIMEOUT
    )
    assert proc.returncode == 0, f"{args}: {proc.stderr}"
    return proc.stdout


class Killer:
    """Start a command and SIGKILL it at random points of its work, as often as asked."""

    def __init__(self, args: list[str], key: str, progress: Callable[[], int], seed: int) -> None:
        self.args, self.key, self.progress = args, key, progress
        self.rng = random.Random(seed)
        self.landed: list[tuple[int, int]] = []  # (stored before, stored at the kill)

    def during_startup(self) -> None:
        """Kill once before the command can have stored anything of its own work."""
        proc = _start(self.args, self.key)
        time.sleep(self.rng.uniform(0.05, 0.6))
        proc.kill()
        proc.wait(timeout=TIMEOUT)

    def mid_work(self, kills: int, slack: float = 0.25) -> None:
        """Kill ``kills`` times, each a random moment (< slack s) after new work was stored."""
        for _ in range(kills):
            before = self.progress()
            proc = _start(self.args, self.key)
            deadline = time.monotonic() + TIMEOUT
            while self.progress() <= before and proc.poll() is None:
                assert time.monotonic() < deadline, f"{self.args} stored nothing in {TIMEOUT} s"
                time.sleep(0.005)
            if proc.poll() is not None:  # it finished: nothing left to interrupt
                assert proc.returncode == 0, f"{self.args} failed: rerun it by hand"
                return
            time.sleep(self.rng.uniform(0, slack))
            proc.kill()
            code = proc.wait(timeout=TIMEOUT)
            if code == -9:
                self.landed.append((before, self.progress()))

    def assert_landed_mid_work(self, final: int, wanted: int = 2) -> None:
        """Fail unless at least ``wanted`` kills hit a run that had stored part of the work."""
        partial = [at for before, at in self.landed if 0 < at < final]
        assert len(partial) >= wanted, (
            f"only {len(partial)} of {len(self.landed)} kills landed mid-work "
            f"(progress at the kills: {self.landed}, of {final}): make the input larger"
        )


def _count(root: Path, key: str, count: Callable[[], int]) -> Callable[[], int]:
    """Return a probe that counts rows in the workspace's database from this process."""
    from django.db import connections

    from dataward.core.workspace import open_workspace

    open_workspace(root, env={"DATAWARD_KEY": key})

    def probe() -> int:
        try:
            return count()
        finally:
            connections.close_all()  # never hold a snapshot or a lock the command waits on

    return probe


def _integrity(root: Path, key: str) -> None:
    """Assert the database is sound and the audit chain verifies."""
    from django.db import connection

    from dataward.core import audit
    from dataward.core.workspace import open_workspace

    ws = open_workspace(root, env={"DATAWARD_KEY": key})
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchall() == [("ok",)]
    assert audit.verify(ws).ok


def _kill_then_finish(
    command: Callable[[Path], list[str]],
    pair: tuple[Path, Path, str],
    progress: Callable[[], int],
    total: int,
    seed: int,
    slack: float = 0.25,
) -> Killer:
    """Kill the command in start-up and mid-work, finish it, run the oracle, check integrity."""
    killed, oracle, key = pair
    killer = Killer(command(killed), key, progress, seed)
    killer.during_startup()
    killer.mid_work(KILLS, slack=slack)
    killer.assert_landed_mid_work(total)
    _run(command(killed), key)
    _run(command(oracle), key)
    _integrity(killed, key)
    return killer


@pytest.fixture
def pair(tmp_path: Path, database_url: str, sqlite_template: Path) -> tuple[Path, Path, str]:
    """Return the workspace under test (parametrised backend), an SQLite oracle and their key."""
    from dataward.core.engine.crypto import Keyring
    from dataward.core.workspace import init_workspace

    key = Keyring.generate().to_json()  # one key for both: the fingerprints must compare
    killed, oracle = tmp_path / "killed", tmp_path / "oracle"
    for root, url in ((killed, database_url), (oracle, "")):
        if not url:
            root.mkdir()
            shutil.copy(sqlite_template, root / "dataward.sqlite3")
        init_workspace(root, env={"DATAWARD_KEY": key}, database_url=url)
        _run(["-w", str(root), "clients", "import", str(_clients(tmp_path))], key)
        for name, role in (("ana", "analyst"), ("max", "manager")):
            _run(["-w", str(root), "users", "add", name, "--role", role], key)
    return killed, oracle, key


CLIENTS = [
    {"slug": "acme", "name": "Acme Bank", "data_categories": ["PII", "PCI"],
     "retention_rules": [{"category": "PCI", "days": 90}, {"category": "PII", "days": 365}]},
]  # fmt: skip


def _clients(tmp_path: Path) -> Path:
    path = tmp_path / "clients.json"
    path.write_text(json.dumps(CLIENTS))
    return path


def test_a_scan_killed_again_and_again_ends_as_one_uninterrupted_scan(
    pair: tuple[Path, Path, str], tmp_path: Path
) -> None:
    from dataward.demo.engine.corpus import write_corpus
    from dataward.discovery.models import Location, ScanRun

    killed, oracle, key = pair
    share = tmp_path / "share"
    write_corpus(share / "docs", total_bytes=450_000, seed=SEED % 97)
    write_planted(share / "planted")
    files = sum(1 for p in share.rglob("*") if p.is_file())

    def scan(root: Path) -> list[str]:
        return ["-w", str(root), "scan", str(share), "-c", "acme", "-j", "1"]

    stored = _count(killed, key, lambda: Location.objects.unscoped("crash test").count())
    killer = _kill_then_finish(scan, pair, stored, files, SEED)
    runs = Counter(ScanRun.objects.unscoped("crash test").values_list("status", flat=True))
    assert runs["completed"] == 1, runs
    assert runs["running"] == 0, runs  # a killed run is marked abandoned by the next one
    assert runs["abandoned"] >= len(killer.landed), runs
    after = _snapshot(killed, {"DATAWARD_KEY": key})
    expected = _snapshot(oracle, {"DATAWARD_KEY": key})
    assert all(n == 1 for n in after["findings"].values()), "a finding is stored twice"
    assert len(after["locations"]) == files
    for part in ("locations", "findings", "inventory"):
        assert after[part] == expected[part], part


def _write_log(path: Path, lines: int) -> None:
    """Write ECS JSON lines for acme, one event a second, with failed logins and exports."""
    rng = random.Random(SEED)
    start = datetime.now(UTC) - timedelta(days=2)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            action = rng.choice(["login", "view_record", "view_record", "export", "failed_login"])
            doc = {
                "@timestamp": (start + timedelta(seconds=i)).isoformat(timespec="seconds"),
                "event": {
                    "action": action,
                    "category": "authentication" if "login" in action else "file",
                    "outcome": "failure" if action == "failed_login" else "success",
                },
                "user": {"name": f"agent{rng.randrange(300):03d}@bpo.example"},
                "source": {"ip": f"10.1.{rng.randrange(256)}.{rng.randrange(1, 255)}"},
                "record_count": rng.randint(1, 900) if action == "export" else 1,
            }
            fh.write(json.dumps(doc) + "\n")


def _events(root: Path, key: str) -> dict[str, Any]:
    from dataward.core.workspace import open_workspace
    from dataward.monitoring.models import Alert, IngestRun, LogEvent

    open_workspace(root, env={"DATAWARD_KEY": key})
    events = Counter(
        LogEvent.objects.unscoped("crash test").values_list(
            "line", "ts", "action", "user_name", "doc"
        )
    )
    alerts = Counter(Alert.objects.unscoped("crash test").values_list(*_alert_fields()))
    runs = Counter(IngestRun.objects.unscoped("crash test").values_list("status", flat=True))
    return {"events": events, "alerts": alerts, "runs": runs}


def _alert_fields() -> list[str]:
    from dataward.monitoring.models import Alert

    skip = {"id", "created_at", "updated_at", "first_seen", "last_seen"}
    names = [f.attname for f in Alert._meta.concrete_fields if f.attname not in skip]
    return [n for n in names if not n.endswith("_at") and n not in ("client_id", "history")]


def test_a_log_ingestion_killed_again_and_again_stores_every_event_once(
    pair: tuple[Path, Path, str], tmp_path: Path
) -> None:
    from dataward.monitoring.models import LogEvent

    killed, oracle, key = pair
    log = tmp_path / "app.jsonl"
    lines = 60_000
    _write_log(log, lines)

    def ingest(root: Path) -> list[str]:
        return ["-w", str(root), "logs", "ingest", str(log), "--source", "app", "-c", "acme",
                "--mapping", "ecs-jsonl", "--no-progress"]  # fmt: skip

    stored = _count(killed, key, lambda: LogEvent.objects.unscoped("crash test").count())
    _kill_then_finish(ingest, pair, stored, lines, SEED + 1, slack=0.1)
    after, expected = _events(killed, key), _events(oracle, key)
    assert sum(after["events"].values()) == lines
    assert all(n == 1 for n in after["events"].values()), "an event is stored twice"
    assert after["events"] == expected["events"]
    assert after["alerts"] == expected["alerts"]
    assert after["runs"]["running"] == 0, after["runs"]


def _write_entitlements(path: Path, rows: int) -> None:
    rng = random.Random(SEED)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["account", "application", "permission", "privileged", "granted_date",
                      "last_used", "granted_by"])  # fmt: skip
        for n in range(rows):
            out.writerow([f"agent{n // 40:04d}", "Acme CRM", f"role-{n % 40}",
                          "true" if rng.random() < 0.02 else "false", "2025-06-01",
                          "2026-11-01", "admin1"])  # fmt: skip


def _entitlements(root: Path, key: str) -> Counter[tuple[Any, ...]]:
    from dataward.access.models import Entitlement
    from dataward.core.workspace import open_workspace

    open_workspace(root, env={"DATAWARD_KEY": key})
    skip = {"id", "run_id", "client_id", "imported_at", "created_at"}
    names = [f.attname for f in Entitlement._meta.concrete_fields if f.attname not in skip]
    return Counter(Entitlement.objects.unscoped("crash test").values_list(*names))


def test_an_access_import_killed_at_random_moments_stores_all_or_nothing(
    pair: tuple[Path, Path, str], tmp_path: Path
) -> None:
    from dataward.access.models import Entitlement

    killed, oracle, key = pair
    export = tmp_path / "crm.csv"
    _write_entitlements(export, 30_000)

    def load(root: Path) -> list[str]:
        return ["-w", str(root), "access", "import", "entitlements", str(export), "-c", "acme"]

    started = time.monotonic()
    _run(load(oracle), key)
    took = time.monotonic() - started
    expected = _entitlements(oracle, key)

    stored = _count(killed, key, lambda: Entitlement.objects.unscoped("crash test").count())
    rng = random.Random(SEED + 2)
    seen = []
    for _ in range(KILLS + 1):  # one transaction: every kill must leave all or nothing
        proc = _start(load(killed), key)
        time.sleep(rng.uniform(0.1, took))
        proc.kill()
        proc.wait(timeout=TIMEOUT)
        seen.append(stored())
        assert seen[-1] in (0, sum(expected.values())), "a killed import left part of the file"
    _run(load(killed), key)
    _integrity(killed, key)
    assert _entitlements(killed, key) == expected


def _overdue_share(root: Path, files: int) -> None:
    """Write ``files`` small card extracts, 400 days old (past acme's 90-day PCI retention)."""
    cards = ["4539148803436467", "4716108999716531", "4556737586899855", "4929939187355598"]
    when = time.time() - 400 * 86400
    for n in range(files):
        path = root / "exports" / f"batch{n:03d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("customer,card_number\n" + f"C{n},{cards[n % 4]}\n" * 40)
        os.utime(path, (when, when))


def _disposal(root: Path, key: str, share: Path) -> dict[str, Any]:
    from dataward.core.workspace import open_workspace
    from dataward.retention.models import DisposalItem, DisposalPlan

    open_workspace(root, env={"DATAWARD_KEY": key})
    items = Counter(
        DisposalItem.objects.unscoped("crash test").values_list(
            "rel", "status", "sha256", "size", "category"
        )
    )
    plans = list(DisposalPlan.objects.unscoped("crash test").values_list("status", flat=True))
    left = sorted(p.name for p in (share / "exports").iterdir()) if share.exists() else []
    return {"items": items, "plans": plans, "left": left}


def test_a_disposal_killed_again_and_again_disposes_each_file_once(
    pair: tuple[Path, Path, str], tmp_path: Path
) -> None:
    from dataward.retention.models import DisposalItem

    killed, oracle, key = pair
    shares = {killed: tmp_path / "share-killed", oracle: tmp_path / "share-oracle"}
    files = 60
    for root, share in shares.items():
        _overdue_share(share, files)
        w = ["-w", str(root)]
        _run([*w, "scan", str(share), "-c", "acme"], key)
        _run([*w, "retention", "plan", "-c", "acme", "--method", "overwrite", "--as", "ana"], key)
        _run([*w, "retention", "approve", "DP-0001", "--as", "max"], key)

    def dispose(root: Path) -> list[str]:
        return ["-w", str(root), "retention", "dispose", "DP-0001", "--execute", "--as", "ana"]

    done = _count(
        killed,
        key,
        lambda: DisposalItem.objects.unscoped("crash test").exclude(status="planned").count(),
    )
    _kill_then_finish(dispose, pair, done, files, SEED + 3, slack=0.05)
    after = _disposal(killed, key, shares[killed])
    expected = _disposal(oracle, key, shares[oracle])
    assert after["left"] == [], f"files left after the final run: {after['left']}"
    assert after == {**expected, "left": []}
    certificate = tmp_path / "certificate.csv"
    _run(["-w", str(killed), "retention", "certificate", "DP-0001", "-o", str(certificate),
          "--kind", "csv"], key)  # fmt: skip
    with certificate.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == files, "the certificate must list every disposed file exactly once"
