"""Two scans and an assessment at once, as separate `dataward` processes, lose and duplicate none.

The same work done one command after another in a second workspace (with the same key, so the
fingerprints compare) is the oracle. Both run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from discovery.conftest import write_planted
from helpers import assert_one_line_error

BIN = Path(sys.executable).parent / "dataward"
#: Client -> the share its scan reads; the third client's access is assessed meanwhile.
SCANS = {"northbank": "share1", "carewell": "share2"}
ASSESSED = "telora"
#: Bytes of generated documents per share: a scan of one takes a few seconds on one core.
SHARE_BYTES = 1_000_000
CHECK_FIELDS = ("check_id", "status", "subject")
TIMEOUT = 300  # seconds, per process: generous for a loaded machine, never endless

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shares(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write two shares: generated documents plus one file of every format with planted values."""
    from dataward.demo.engine.corpus import write_corpus

    root = tmp_path_factory.mktemp("shares")
    for seed, name in enumerate(SCANS.values(), start=41):
        write_corpus(root / name / "docs", total_bytes=SHARE_BYTES, seed=seed)
        write_planted(root / name / "planted")
    return root


@pytest.fixture
def second_url(database_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Yield a second empty database of the same backend ('' means the workspace's SQLite)."""
    if not database_url:
        yield ""
        return
    import psycopg
    from django.db import connections

    template = request.getfixturevalue("pg_template")
    admin = os.environ["DATAWARD_TEST_POSTGRES_URL"]
    name = f"dw_t_{uuid.uuid4().hex[:12]}"
    connections.close_all()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield admin.rsplit("/", 1)[0] + f"/{name}"
    connections.close_all()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _workspace(root: Path, url: str, key: str, request: pytest.FixtureRequest) -> Path:
    """Create a workspace holding the estate's clients, on ``url``, keyed by DATAWARD_KEY."""
    from dataward.core.workspace import init_workspace

    if not url:
        root.mkdir()
        shutil.copy(request.getfixturevalue("sqlite_template"), root / "dataward.sqlite3")
    init_workspace(root, env={"DATAWARD_KEY": key}, database_url=url)
    return root


def _prepare(cli: Any, root: Path, key: str, estate: Path) -> None:
    """Import the clients and everything an access assessment of ASSESSED reads."""
    w = str(root)
    steps = [
        ("clients", "import", str(estate / "clients.json")),
        ("access", "import", "hr", str(estate / "hr/hr_roster.csv")),
        ("access", "import", "directory", str(estate / "directory/directory_users.csv")),
        ("access", "matrix", str(estate / f"access/{ASSESSED}_role_matrix.yaml"), "-c", ASSESSED),
        *(
            ("access", "import", "entitlements", str(export), "-c", ASSESSED)
            for export in sorted((estate / "entitlements").glob(f"{ASSESSED}_*.csv"))
        ),
    ]
    for step in steps:
        result = cli(*step, "-w", w, DATAWARD_KEY=key)
        assert result.code == 0, result


def _scan(root: Path, shares: Path, slug: str) -> list[str]:
    return ["-w", str(root), "scan", str(shares / SCANS[slug]), "-c", slug, "-j", "1", "-f", "json"]


def _assess(root: Path) -> list[str]:
    return ["-w", str(root), "assess", "-c", ASSESSED, "-f", "json"]


def _start(args: list[str], key: str | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    if key:
        env["DATAWARD_KEY"] = key
    return subprocess.Popen(  # noqa: S603 - our own command
        [str(BIN), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def _finish(proc: subprocess.Popen[str]) -> SimpleNamespace:
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"{proc.args!r} did not finish in {TIMEOUT} s")
    return SimpleNamespace(code=proc.returncode, err=err)


def _wait_until(ready: Callable[[], bool], procs: list[subprocess.Popen[str]], what: str) -> None:
    """Poll the database until ``ready``; fail if a process ends first (the runs cannot overlap)."""
    deadline = time.monotonic() + TIMEOUT
    while not ready():
        if any(p.poll() is not None for p in procs):
            pytest.fail(f"a scan ended before {what}: make the shares larger")
        assert time.monotonic() < deadline, f"no {what} in {TIMEOUT} s"
        time.sleep(0.05)


def _running_scans() -> int:
    from dataward.core.models import Client
    from dataward.discovery.models import ScanRun

    return ScanRun.objects.for_clients(Client.objects.all()).filter(status="running").count()


def _snapshot(root: Path, env: dict[str, str]) -> dict[str, Any]:
    """Return what the workspace stored, without ids and times, so two workspaces compare."""
    from dataward.controls.models import Assessment, CheckResult
    from dataward.core import audit
    from dataward.core.models import Client
    from dataward.core.workspace import open_workspace
    from dataward.discovery.models import Finding, InventoryItem, Location
    from dataward.discovery.store import full_path

    ws = open_workspace(root, env=env)
    assert audit.verify(ws).ok
    findings: Counter[tuple[Any, ...]] = Counter()
    locations, inventory, checks = set(), {}, set()
    for client in Client.objects.filter(kind="client"):
        rows = Location.objects.for_client(client)
        paths = {loc.pk: full_path(loc.root, loc.path) for loc in rows}
        locations |= {(client.slug, p) for p in paths.values()}
        for location, *where in Finding.objects.for_client(client).values_list(
            "location", "entity_type", "member", "sheet", "page", "line", "row", "column",
            "start", "end", "fingerprint",
        ):  # fmt: skip
            findings[(client.slug, paths[location], *where)] += 1
        for item in InventoryItem.objects.for_client(client):
            inventory[(client.slug, paths[item.location_id], item.entity_type)] = (
                item.count, item.distinct,
            )  # fmt: skip
        for run in Assessment.objects.for_client(client):
            results = CheckResult.objects.for_client(client).filter(assessment=run)
            checks |= {(client.slug, *r) for r in results.values_list(*CHECK_FIELDS)}
    return {"findings": findings, "locations": locations, "inventory": inventory, "checks": checks}


def _check_consistent(snap: dict[str, Any], slugs: list[str]) -> None:
    """Assert no finding is stored twice and the inventory counts exactly the stored findings."""
    assert all(n == 1 for n in snap["findings"].values()), "a finding is stored twice"
    per_entity = Counter(key[:3] for key in snap["findings"])
    assert per_entity == {key: count for key, (count, _) in snap["inventory"].items()}
    for slug in slugs:
        assert any(key[0] == slug for key in per_entity), f"nothing found for {slug}"


def _overlap(root: Path, key: str) -> None:
    """Assert all three writers were running at one moment and the scans' stores interleaved."""
    from dataward.controls.models import Assessment
    from dataward.core.models import AuditEvent, Client
    from dataward.core.workspace import open_workspace
    from dataward.discovery.models import Location, ScanRun

    open_workspace(root, env={"DATAWARD_KEY": key})
    spans, ids = [], []
    for slug in SCANS:
        client = Client.objects.get(slug=slug)
        (run,) = ScanRun.objects.for_client(client)
        assert run.status == "completed"
        spans.append((run.started_at, run.finished_at))
        ids.append(sorted(Location.objects.for_client(client).values_list("pk", flat=True)))
    (assessed,) = Assessment.objects.for_client(Client.objects.get(slug=ASSESSED))
    stored = AuditEvent.objects.get(action="assessment.run", object_id=str(assessed.pk)).at
    spans.append((assessed.started_at, datetime.fromisoformat(stored)))
    assert max(s for s, _ in spans) < min(e for _, e in spans), f"did not overlap: {spans}"
    first, second = ids
    assert first[0] < second[-1], "the scans stored one after another"
    assert second[0] < first[-1], "the scans stored one after another"


def test_two_scans_and_an_assessment_at_once_store_what_one_after_another_stores(
    tmp_path: Path, database_url: str, second_url: str, cli: Any, estate: Path, shares: Path,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    from dataward.core.engine.crypto import Keyring

    key = Keyring.generate().to_json()  # one key for both: the fingerprints must compare
    together = _workspace(tmp_path / "together", database_url, key, request)
    apart = _workspace(tmp_path / "apart", second_url, key, request)
    for root in (together, apart):
        _prepare(cli, root, key, estate)

    from dataward.core.workspace import open_workspace

    open_workspace(together, env={"DATAWARD_KEY": key})
    scans = [_start(_scan(together, shares, slug), key) for slug in SCANS]
    _wait_until(lambda: _running_scans() == len(SCANS), scans, "both scans were running")
    procs = [*scans, _start(_assess(together), key)]
    for proc in procs:
        result = _finish(proc)
        assert result.code == 0, result.err
    _overlap(together, key)

    for slug in SCANS:
        assert cli(*_scan(apart, shares, slug), DATAWARD_KEY=key).code == 0
    assert cli(*_assess(apart), DATAWARD_KEY=key).code == 0

    concurrent = _snapshot(together, {"DATAWARD_KEY": key})
    sequential = _snapshot(apart, {"DATAWARD_KEY": key})
    _check_consistent(concurrent, list(SCANS))
    for part in ("locations", "findings", "inventory", "checks"):
        assert concurrent[part] == sequential[part], part
    assert any(c[1].startswith("access_") and c[2] == "fail" for c in concurrent["checks"])


def test_a_second_scan_for_the_same_client_is_refused_and_a_rerun_changes_nothing(
    ws_root: Path, cli: Any, shares: Path
) -> None:
    from dataward.core.models import Client
    from dataward.core.workspace import open_workspace
    from dataward.discovery.models import ScanRun

    w = str(ws_root)
    assert cli("clients", "add", "northbank", "--name", "Northbank", "-w", w).code == 0
    args = _scan(ws_root, shares, "northbank")
    open_workspace(ws_root, env={})
    first = _start(args)
    _wait_until(lambda: _running_scans() == 1, [first], "the first scan was running")
    second = _finish(_start(args))
    assert second.code != 0, "the first scan ended before the second tried: enlarge the shares"
    assert_one_line_error(second, "another scan for client northbank is running", "wait")
    assert _finish(first).code == 0
    before = _snapshot(ws_root, {})
    _check_consistent(before, ["northbank"])

    rerun = cli(*args)
    assert rerun.code == 0, rerun
    assert "scanned 0 files" in rerun.err, rerun.err
    assert _snapshot(ws_root, {}) == before
    runs = ScanRun.objects.for_client(Client.objects.get(slug="northbank"))
    assert sorted(runs.values_list("status", flat=True)) == ["completed", "completed"]
