"""What the timers start: dataward-backup.service and dataward-remind.service, run as written.

Each unit's ExecStart (installed paths pointing into this checkout) runs with the environment
its unit gives it: Environment= lines, and deploy/dataward.env.example with this test's
workspace, folders and mail server.
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from deploy.files import DEPLOY, command, directives, read_env_file, rewrite, unit_text, value

DAY = 86400


def _unit_env(name: str, root: Path, changes: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment a unit gives its command, pointed at this test's workspace."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    example = rewrite((DEPLOY / "dataward.env.example").read_text(), changes or {})
    env.update(read_env_file(example))
    assert "DATAWARD_DATABASE_URL" not in env  # the workspace's dataward.toml names it
    env["DATAWARD_WORKSPACE"] = str(root)
    for key, val in directives(unit_text(name), "Service"):
        if key == "Environment":
            name, _, setting = val.partition("=")
            env[name] = setting
    return env


def _backup(root: Path, folder: Path, keep: str = "35") -> subprocess.CompletedProcess[str]:
    argv = command(value(unit_text("dataward-backup.service"), "Service", "ExecStart"), {})
    assert argv[1:] == ["/var/backups/dataward", "35"]
    return subprocess.run(
        [argv[0], str(folder), keep],
        env=_unit_env("dataward-backup.service", root),
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _aged(path: Path, days: int) -> Path:
    path.write_bytes(b"old")
    then = time.time() - days * DAY
    os.utime(path, (then, then))
    return path


def test_the_backup_unit_writes_a_private_backup_and_prunes_old_ones(
    ws_root: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old = _aged(folder / "dataward-20200101T021500Z.dwbackup", 40)
    recent = _aged(folder / "dataward-20200301T021500Z.dwbackup", 10)
    other = _aged(folder / "notes.txt", 400)
    done = _backup(ws_root, folder)
    assert done.returncode == 0, done.stderr
    (made,) = [p for p in folder.glob("dataward-2*.dwbackup") if p not in (old, recent)]
    assert len(made.name) == len("dataward-20260101T021500Z.dwbackup")
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert made.read_bytes().startswith(b"dataward-backup/2\n")  # encrypted with the key
    assert not old.exists()
    assert str(old) in done.stdout  # find -print names what it deleted
    assert recent.exists()
    assert other.exists()  # only this script's own files are pruned


def test_a_failed_backup_prunes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old = _aged(folder / "dataward-20200101T021500Z.dwbackup", 40)
    done = _backup(tmp_path / "no-workspace-here", folder)
    assert done.returncode != 0
    assert "no dataward workspace here" in done.stderr
    assert old.exists()
    assert list(folder.iterdir()) == [old]
    wrong = _backup(tmp_path, folder, keep="soon")
    assert wrong.returncode == 2
    assert "KEEP_DAYS must be a whole number" in wrong.stderr


@pytest.fixture
def inbox() -> Iterator[tuple[int, list[Any]]]:
    """Run an SMTP server on loopback (aiosmtpd) and collect what it receives."""
    from aiosmtpd.controller import Controller

    from deploy.proxy import free_port

    received: list[Any] = []

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            received.append(envelope)
            return "250 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, received
    finally:
        controller.stop()


def test_the_remind_unit_mails_each_owner_with_the_example_settings(
    ws_root: Path, cli: Any, inbox: tuple[int, list[Any]]
) -> None:
    port, received = inbox
    root = str(ws_root)
    assert cli("clients", "add", "acme", "--name", "Acme", "-w", root).code == 0
    assert cli("users", "add", "mona", "--role", "manager", "--email", "mona@bpo.test",
               "-w", root).code == 0  # fmt: skip
    late = (date.today() - timedelta(days=3)).isoformat()
    risk = ["--title", "Late treatment", "--likelihood", "2", "--impact", "2", "--due", late]
    assert cli("risks", "add", *risk, "--client", "acme", "--owner", "mona", "-w", root).code == 0
    env = _unit_env(
        "dataward-remind.service",
        ws_root,
        {
            "smtp.example.internal": "127.0.0.1",
            "SMTP_PORT=587": f"SMTP_PORT={port}",
            "SMTP_SECURITY=starttls": "SMTP_SECURITY=none",
        },  # fmt: skip
    )
    argv = command(value(unit_text("dataward-remind.service"), "Service", "ExecStart"), {})
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "e-mailed 1 owners" in done.stderr
    (mail,) = received
    assert mail.rcpt_tos == ["mona@bpo.test"]
    assert mail.mail_from == "dataward@example.com"  # DATAWARD_SMTP_FROM from the example
