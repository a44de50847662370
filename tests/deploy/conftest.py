"""Fixtures for the deployment tests: a workspace served as dataward-web.service would serve it,
nginx with the shipped site file in front of it, and a test CA.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy.files import DEPLOY, command, read_env_file, unit_text, value
from deploy.pki import Authority, make_authority
from deploy.proxy import (
    HOST,
    Proxy,
    echo_upstream,
    free_port,
    need_nginx,
    running_nginx,
    wait_for_text,
)

PASSWORD = "correct horse battery staple 7"


@dataclass(frozen=True)
class App:
    """`dataward serve` started from dataward-web.service: its port, workspace and logs."""

    port: int
    root: Path
    log: Path
    token: str  # a read-only API token of the auditor, as a monitoring probe would hold

    def log_text(self, waiting_for: str = "") -> str:
        """Return what gunicorn wrote to stderr (its access log), once it holds ``waiting_for``."""
        return wait_for_text(self.log, waiting_for)


def _dataward(*args: str, stdin: str = "") -> str:
    """Run the CLI in-process (faster than a subprocess); return its stdout."""
    from dataward.cli import main

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO(stdin))
        for name in (
            "DATAWARD_WORKSPACE",
            "DATAWARD_DATABASE_URL",
            "DATAWARD_KEY",
            "DATAWARD_USER",
        ):
            patch.delenv(name, raising=False)
        with contextlib.redirect_stdout(out):
            assert main(list(args)) == 0, args
    return out.getvalue()


def web_env(root: Path) -> dict[str, str]:
    """Return the environment dataward-web.service gives `dataward serve` for this test.

    The DATAWARD_WEB_* lines of deploy/dataward.env.example, host name rewritten, plus the
    workspace; the database is the workspace's SQLite file.
    """
    example = read_env_file((DEPLOY / "dataward.env.example").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATAWARD_", "NOTIFY_"))}
    for name, text in example.items():
        if name.startswith("DATAWARD_WEB_"):
            env[name] = text.replace("dataward.example.com", HOST)
    env["DATAWARD_WORKSPACE"] = str(root)
    return env


def _wait_ready(notify: socket.socket, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Wait for gunicorn's READY=1 on the notify socket, as systemd does for Type=notify."""
    notify.settimeout(60)
    try:
        while b"READY=1" not in notify.recv(4096):
            pass
    except TimeoutError:
        proc.kill()
        pytest.fail(f"no READY=1 from dataward serve: {log.read_text()[-800:]}")


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    """Return a fresh test CA."""
    return make_authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[App]:
    """Serve a new workspace with `dataward serve` as dataward-web.service starts it."""
    from dataward.core.workspace import init_workspace

    need_nginx()  # no server without the proxy these tests are about
    folder = tmp_path_factory.mktemp("site")
    root = folder / "ws"
    root.mkdir()
    shutil.copy(sqlite_template, root / "dataward.sqlite3")  # migrated once per test process
    init_workspace(root, env={})
    for user, role in (("admin", "admin"), ("manager", "manager"), ("auditor", "auditor")):
        _dataward("-w", str(root), "users", "add", user, "--role", role, "--password-stdin",
                  stdin=PASSWORD + "\n")  # fmt: skip
    token = _dataward("-w", str(root), "tokens", "create", "auditor", "--read-only").strip()
    argv = command(value(unit_text("dataward-web.service"), "Service", "ExecStart"), {})
    port = free_port()
    argv[argv.index("--port") + 1] = str(port)
    argv[argv.index("--workers") + 1] = "2"  # two cores here
    short = Path(tempfile.mkdtemp(prefix="dw-notify-"))  # a socket path must be short
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(short / "notify"))
    log = folder / "serve.log"
    env = {**web_env(root), "NOTIFY_SOCKET": str(short / "notify")}
    with log.open("wb") as sink:
        proc = subprocess.Popen(argv, env=env, stdout=sink, stderr=sink)  # noqa: S603
    try:
        _wait_ready(notify, proc, log)
        yield App(port, root, log, token)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        notify.close()
        shutil.rmtree(short, ignore_errors=True)


@pytest.fixture(scope="module")
def proxy(app: App, authority: Authority) -> Iterator[Proxy]:
    """Run nginx with deploy/nginx/dataward.conf in front of the app."""
    with running_nginx(authority, app.port) as running:
        yield running


@pytest.fixture(scope="module")
def echo_proxy(authority: Authority) -> Iterator[Proxy]:
    """Run the same nginx site in front of a server that echoes the headers it receives."""
    need_nginx()
    with (
        echo_upstream() as port,
        running_nginx(authority, port) as running,
    ):
        yield running
