"""`dataward serve` under real gunicorn, and the sign-in chores from the command line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from web.conftest import PASSWORD


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def test_serve_runs_gunicorn_with_static_files(web_demo: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    proc = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "dataward"),
            "-w",
            str(web_demo),
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):  # bounded: 30 s
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            proc.terminate()
            pytest.fail(
                f"dataward serve did not answer within 30 s: {proc.communicate()[1][-500:]!r}"
            )
        status, body, _ = _get(base + "/login/")
        assert status == 200
        assert b"Sign in" in body
        status, css, headers = _get(base + "/static/web/dataward.css")
        assert status == 200
        assert b"--accent" in css
        assert headers["Content-Type"].startswith("text/css")
        status, _, _ = _get(base + "/static/django_htmx/htmx-2.min.js")
        assert status == 200
        status, body, _ = _get(base + "/audit/")
        assert status == 200  # urllib followed the redirect to the sign-in page
        assert b'name="password"' in body
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert b"Starting gunicorn" in err
    assert b"serving" in err


def test_tokens_from_the_cli(served, cli) -> None:  # type: ignore[no-untyped-def]
    root = str(served)
    made = cli("-w", root, "tokens", "create", "demo-auditor", "--name", "siem", "--read-only")
    assert made.code == 0, made.err
    token = made.out.strip()
    assert token.startswith("dw_")
    listed = cli("-w", root, "tokens", "list", "--format", "json")
    assert token not in listed.out  # the text is shown once, never listed
    assert "siem" in listed.out
    from django.test import Client

    from dataward.core.workspace import open_workspace
    from dataward.web.app import serve

    serve(open_workspace(served, env={}))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v1/audit/events", **auth).status_code == 200
    assert cli("-w", root, "tokens", "revoke", token[:11]).code == 0
    assert Client().get("/api/v1/audit/events", **auth).status_code == 401


def test_token_for_someone_else_needs_an_admin(served, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("-w", str(served), "--as", "demo-manager", "tokens", "create", "demo-auditor")
    assert result.code == 2
    assert "may not manage-users" in result.err


def test_users_password_unlock_mfa_reset_and_link(served, cli) -> None:  # type: ignore[no-untyped-def]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dataward.core.models import User

    root = str(served)
    result = cli(
        "-w", root, "users", "password", "demo-auditor", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert result.code == 0, result.err
    assert User.objects.get(username="demo-auditor").check_password(PASSWORD)
    weak = cli("-w", root, "users", "password", "demo-auditor", "--password-stdin", stdin="abc\n")
    assert weak.code == 2
    assert "password:" in weak.err
    TOTPDevice.objects.get_or_create(
        user=User.objects.get(username="demo-admin"), name="x", confirmed=True
    )
    assert cli("-w", root, "users", "mfa-reset", "demo-admin").code == 0
    assert not TOTPDevice.objects.filter(user__username="demo-admin").exists()
    assert cli("-w", root, "users", "unlock", "demo-auditor").code == 0
    link = cli("-w", root, "users", "signin-link", "demo-auditor", "--minutes", "5")
    assert link.code == 0
    assert "/login/link/" in link.out
    unknown = cli("-w", root, "users", "signin-link", "nobody")
    assert unknown.code == 2
    assert "no active user 'nobody'" in unknown.err
