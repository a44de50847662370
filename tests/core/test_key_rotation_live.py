"""Key rotation while other processes keep the workspace open: the chain holds, nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from dataward.core import audit, clients
from dataward.core.engine.clients import ClientSpec
from dataward.core.models import AuditEvent, Client
from helpers import assert_one_line_error

POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


def _dataward(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `dataward` command in its own process."""
    return subprocess.run(  # noqa: S603 - our own command
        [str(Path(sys.executable).parent / "dataward"), *args],
        env=env or _env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    return env | extra


def _active(root: Path) -> str:
    return str(json.loads((root / "dataward.key").read_text())["active"])


def _raw_contact(slug: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT security_contact FROM core_client WHERE slug = %s", [slug])
        return str(cursor.fetchone()[0])


def _add(ws, slug: str) -> None:  # type: ignore[no-untyped-def]
    clients.add(ws, ClientSpec(slug=slug, name=slug.title(), security_contact=f"sec@{slug}.test"))


def _rotate(root: Path) -> str:
    done = _dataward("-w", str(root), "keys", "rotate")
    assert done.returncode == 0, done.stderr
    return _active(root)


def _verified(ws, env: dict[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
    """Verify the chain with the keyring a process started now would read (file or env)."""
    from dataclasses import replace

    from dataward.core.workspace import load_keyring

    fresh = replace(ws, keyring=load_keyring(ws.paths, env or {})[0])
    report = audit.verify(fresh)
    assert report.ok, report


def _cli_verified(root: Path) -> None:
    done = _dataward("-w", str(root), "audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_process_opened_before_a_rotation_goes_on_under_the_new_key(ws) -> None:  # type: ignore[no-untyped-def]
    root = ws.paths.root
    _add(ws, "acme")
    old = ws.keyring.active_id
    new = _rotate(root)  # another process: this one still holds the keyring it opened with
    assert ws.keyring.active_id == old
    assert Client.objects.get(slug="acme").security_contact == "sec@acme.test"  # re-encrypted
    _add(ws, "beta")
    assert _raw_contact("beta").startswith(f"enc1:{new}:")  # never again under the old key
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    assert (last.action, last.key_id) == ("client.add", new)
    assert audit.verify(ws).ok
    _verified(ws)


def test_a_rotation_while_a_process_opens_the_workspace_is_seen(ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The key file replaced between the process reading it and watching it (CI found this)."""
    from dataward.core import workspace

    root = ws.paths.root
    _add(ws, "acme")
    rotated: list[str] = []
    setup = workspace.activate

    def rotate_then_setup(*args: Any, **kwargs: Any) -> None:
        rotated.append(_rotate(root))  # another process, while this one sets Django up
        setup(*args, **kwargs)

    monkeypatch.setattr(workspace, "activate", rotate_then_setup)
    opened = workspace.open_workspace(root, env={})
    monkeypatch.undo()
    [new] = rotated
    assert opened.keyring.active_id != new  # it read the file before the rotation
    _add(opened, "beta")
    assert _raw_contact("beta").startswith(f"enc1:{new}:")
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    assert (last.action, last.key_id) == ("client.add", new)
    _verified(opened)


def test_a_rotation_killed_after_writing_the_key_file_then_rerun(ws, cli) -> None:  # type: ignore[no-untyped-def]
    """The file holds the new keyring but the database never committed: dataward goes on."""
    root = ws.paths.root
    _add(ws, "acme")
    half = ws.keyring.rotate()
    (root / "dataward.key").write_text(half.to_json())
    leftover = root / ".dataward.key.4242.0badc0de.tmp"
    leftover.write_text(half.to_json())  # what a kill inside the atomic write leaves behind
    _add(ws, "beta")  # this process re-reads the file, as every new process would read it
    assert _raw_contact("beta").startswith(f"enc1:{half.active_id}:")
    assert audit.verify(ws).ok
    _verified(ws)
    assert cli("keys", "rotate", "-w", str(root)).code == 0  # the same command, run again
    final = _active(root)
    assert not leftover.exists()
    assert final not in (half.active_id, ws.keyring.keys[0].id)
    _verified(ws)
    for slug in ("acme", "beta"):
        assert _raw_contact(slug).startswith(f"enc1:{final}:")
        assert Client.objects.get(slug=slug).security_contact == f"sec@{slug}.test"


def test_a_process_keyed_by_the_environment_refuses_and_must_restart(
    tmp_path: Path, sqlite_template: Path
) -> None:
    import shutil

    from dataward.core.workspace import init_workspace, open_workspace, reload_keyring
    from dataward.errors import KeyringError

    root = tmp_path / "ws"
    root.mkdir()
    shutil.copy(sqlite_template, root / "dataward.sqlite3")
    init_workspace(root, env={})
    ring = (root / "dataward.key").read_text()
    env_ws = open_workspace(root, env={"DATAWARD_KEY": ring})
    _add(env_ws, "acme")
    new = _rotate(root)  # done with the key file; this process keeps DATAWARD_KEY's keyring
    with pytest.raises(KeyringError) as caught:
        _add(env_ws, "beta")
    line = caught.value.line()
    assert caught.value.where == "DATAWARD_KEY"
    assert new in line
    assert "restart" in line
    assert "\n" not in line
    assert not Client.objects.filter(slug="beta").exists()  # nothing half-written
    with pytest.raises(KeyringError, match="restart this process"):
        reload_keyring(env_ws)
    with pytest.raises(KeyringError, match="DATAWARD_KEY"):
        Client.objects.get(slug="acme")  # re-encrypted under a key the environment lacks
    _verified(env_ws)
    fresh = open_workspace(root, env={"DATAWARD_KEY": (root / "dataward.key").read_text()})
    _add(fresh, "beta")  # restarted with the new keyring: all is well
    assert audit.verify(fresh).ok


def test_a_stale_key_file_elsewhere_is_refused_in_one_line(ws, cli) -> None:  # type: ignore[no-untyped-def]
    """A machine whose key file was not updated after a rotation: refuse, never fork the chain."""
    from dataward.core import keys
    from dataward.errors import KeyringError

    root = ws.paths.root
    before = (root / "dataward.key").read_text()
    new = _rotate(root)
    after = (root / "dataward.key").read_text()
    (root / "dataward.key").write_text(before)  # the other machine's copy, not yet replaced
    with pytest.raises(KeyringError, match="copy the newest key file here") as caught:
        _add(ws, "beta")
    assert new in caught.value.line()
    assert not Client.objects.filter(slug="beta").exists()
    stale = cli("keys", "rotate", "-w", str(root))
    assert_one_line_error(stale, "copy the newest key file here", new)
    assert (root / "dataward.key").read_text() == before
    with pytest.raises(KeyringError, match="copy the newest key file here"):
        keys.rotate(ws, from_env=False)
    (root / "dataward.key").write_text(after)  # copied: the running process goes on
    _add(ws, "beta")
    assert _last_key() == new
    assert audit.verify(ws).ok
    _verified(ws)


def _last_key() -> str:
    return str(AuditEvent.objects.order_by("-seq").values_list("key_id", flat=True).first())


@POSTGRES_ONLY
def test_a_rotation_killed_midway_loses_nothing_and_runs_again(ws, cli) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    root = ws.paths.root
    for n in range(5):
        _add(ws, f"c{n}")
    old_file = (root / "dataward.key").read_text()
    url = ws.config.database_url
    with psycopg.connect(url) as holder:  # a writer holding the last row: rotation waits on it
        holder.execute("SELECT 1 FROM core_client WHERE slug = 'c4' FOR UPDATE")
        proc = subprocess.Popen(  # noqa: S603 - our own command
            [str(Path(sys.executable).parent / "dataward"), "-w", str(root), "keys", "rotate"],
            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        _wait_for(ws.config.database_url, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert (root / "dataward.key").read_text() == old_file
    for n in range(5):
        assert Client.objects.get(slug=f"c{n}").security_contact == f"sec@c{n}.test"
    assert cli("keys", "rotate", "-w", str(root)).code == 0
    new = _active(root)
    _verified(ws)
    assert all(_raw_contact(f"c{n}").startswith(f"enc1:{new}:") for n in range(5))


def _waiting(url: str) -> bool:
    """Return whether a session of the database waits for a lock (seen from a fresh session)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        ).fetchone()
    return bool(row and row[0])


def _wait_for(url: str, proc: subprocess.Popen[bytes]) -> None:
    """Wait until the rotation waits for a lock this test holds (or fail if it ends first)."""
    deadline = time.monotonic() + 60
    while not _waiting(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the rotation never waited: {proc.communicate()[1][-400:]!r}")
        time.sleep(0.05)


@POSTGRES_ONLY
def test_a_writer_holding_a_row_while_it_audits_does_not_deadlock_the_rotation(ws) -> None:  # type: ignore[no-untyped-def]
    """A writer saves its row, then appends its audit event; the rotation waits for it."""
    from django.db import transaction

    root = ws.paths.root
    _add(ws, "acme")
    proc = None
    with transaction.atomic():
        row = Client.objects.select_for_update().get(slug="acme")
        row.security_contact = "soc@acme.test"
        row.save()
        proc = subprocess.Popen(  # noqa: S603 - our own command
            [str(Path(sys.executable).parent / "dataward"), "-w", str(root), "keys", "rotate"],
            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        _wait_for(ws.config.database_url, proc)
        audit.record(ws, "client.edit", "acme", "client", "acme")
    _, errors = proc.communicate(timeout=120)
    assert proc.returncode == 0, errors
    new = _active(root)
    assert _raw_contact("acme").startswith(f"enc1:{new}:")
    assert Client.objects.get(slug="acme").security_contact == "soc@acme.test"
    _verified(ws)


@POSTGRES_ONLY
def test_a_rotation_chosen_as_deadlock_victim_runs_again(ws) -> None:  # type: ignore[no-untyped-def]
    """A writer locking two rows against primary-key order: PostgreSQL aborts the rotation."""
    from django.db import transaction

    root = ws.paths.root
    _add(ws, "a1")
    _add(ws, "a2")
    with transaction.atomic():
        second = Client.objects.select_for_update().get(slug="a2")
        proc = subprocess.Popen(  # noqa: S603 - our own command
            [str(Path(sys.executable).parent / "dataward"), "-w", str(root), "keys", "rotate"],
            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        _wait_for(ws.config.database_url, proc)  # it holds a1 and waits for a2
        first = Client.objects.select_for_update().get(slug="a1")  # a deadlock: one must go
        first.security_contact, second.security_contact = "x@a1.test", "x@a2.test"
        first.save()
        second.save()
        audit.record(ws, "client.edit", None, "client", "a1,a2")
    _, errors = proc.communicate(timeout=120)
    assert proc.returncode == 0, errors
    _verified(ws)
    assert Client.objects.get(slug="a1").security_contact == "x@a1.test"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(base: str, token: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data)  # noqa: S310 - loopback only
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return int(response.status), json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return int(exc.code), {"error": exc.read().decode(errors="replace")[:300]}


def _serve(root: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    import urllib.request

    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 - our own command
        [str(Path(sys.executable).parent / "dataward"), "-w", str(root), "serve",
         "--port", str(port), "--workers", str(workers)],
        env=_env(DATAWARD_DB_POOL="1:2"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return proc, base
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"dataward serve did not answer: {proc.communicate()[1][-400:]!r}")
        time.sleep(0.2)


@pytest.mark.slow
@POSTGRES_ONLY
def test_dataward_serve_keeps_running_through_rotations(ws, cli) -> None:  # type: ignore[no-untyped-def]
    """Serve (pooled), rotate twice with the CLI, write through the API: the chain verifies."""
    root = ws.paths.root
    assert cli("users", "add", "ana", "--role", "analyst", "-w", str(root)).code == 0
    made = cli("tokens", "create", "ana", "-w", str(root))
    assert made.code == 0, made
    token = made.out.strip()
    proc, base = _serve(root, workers=2)
    try:
        refs = []
        for round_ in range(3):
            for n in range(3):  # more requests than workers: each worker meets the rotation
                status, doc = _call(base, token, "/api/v1/incidents/", {
                    "title": f"Lost laptop {round_}.{n}", "severity": "low",
                    "description": f"left on train {round_}.{n}",
                })  # fmt: skip
                assert status == 201, doc
                refs.append(doc["ref"])
                status, doc = _call(base, token, f"/api/v1/incidents/{refs[0]}/notes",
                                    {"text": f"still missing {round_}.{n}"})  # fmt: skip
                assert status == 200, doc
                assert doc["description"] == "left on train 0.0"  # re-encrypted, still read
            if round_ < 2:
                _rotate(root)
    finally:
        proc.terminate()
        _, errors = proc.communicate(timeout=60)
    assert b"Traceback" not in errors
    _cli_verified(root)
    active = _active(root)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT description FROM incidents_incident WHERE title LIKE %s", ["Lost laptop 2.%"]
        )
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 3
    assert all(s.startswith(f"enc1:{active}:") for s in stored)  # written after: the new key
    sealed = AuditEvent.objects.filter(action="incident.report").values_list("key_id", flat=True)
    assert set(list(sealed)[-3:]) == {active}


def _estate(folder: Path, files: int) -> Path:
    folder.mkdir()
    for n in range(files):
        (folder / f"staff_{n}.txt").write_text(
            f"contact agent{n}@example.com about card 4111 1111 1111 1111, ticket {n}\n"
        )
    return folder


def test_a_scan_opened_before_a_rotation_stores_and_seals_after_it(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from dataward.discovery import report
    from dataward.discovery.scan import ScanRequest, run_scan

    root = ws.paths.root
    operation = report.client_for(ws, None)
    run_scan(ws, operation, ScanRequest([str(_estate(tmp_path / "a", 3))], jobs=1, progress=False))
    new = _rotate(root)  # while this process, as a long scan would, keeps its keyring
    run_scan(ws, operation, ScanRequest([str(_estate(tmp_path / "b", 3))], jobs=1, progress=False))
    assert audit.verify(ws).ok
    _verified(ws)
    assert _last_key() == new


@pytest.mark.slow
@POSTGRES_ONLY
def test_a_scan_and_a_rotation_in_two_processes(ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = ws.paths.root
    _add(ws, "acme")
    estate = _estate(tmp_path / "estate", 40)
    scan = subprocess.Popen(  # noqa: S603 - our own command
        [str(Path(sys.executable).parent / "dataward"), "-w", str(root), "scan", str(estate),
         "-j", "1", "-f", "json"],
        env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    new = _rotate(root)
    _, errors = scan.communicate(timeout=120)
    assert scan.returncode == 0, errors
    _verified(ws)
    assert _raw_contact("acme").startswith(f"enc1:{new}:")
