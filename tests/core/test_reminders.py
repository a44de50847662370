"""`dataward remind`: every dated obligation per owner, listed, e-mailed over SMTP, posted."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from helpers import assert_one_line_error


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Inbox]]:
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            size = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(size)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def w(cli, ws_root: Path) -> str:  # type: ignore[no-untyped-def]
    root = str(ws_root)
    assert cli("clients", "add", "acme", "--name", "Acme", "-w", root).code == 0
    assert cli("users", "add", "mona", "--role", "manager", "--email", "mona@bpo.test",
               "-w", root).code == 0  # fmt: skip
    assert cli("users", "add", "olga", "--role", "manager", "-w", root).code == 0
    for title, owner, due in (
        ("Late treatment", "mona", "2026-11-20"),
        ("Soon treatment", "vendor-desk@bpo.test", "2026-12-05"),
        ("Far treatment", "mona", "2027-06-01"),
        ("Nobody's risk", "", "2026-11-01"),
        ("Olga's risk", "olga", "2026-11-25"),
    ):
        args = ["risks", "add", "--title", title, "--likelihood", "2", "--impact", "2",
                "--client", "acme", "--due", due, "-w", root]  # fmt: skip
        if owner:
            args += ["--owner", owner]
        assert cli(*args).code == 0
    return root


def test_remind_lists_overdue_and_due_soon_per_owner(cli, w) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(cli("remind", "--on", "2026-11-28", "-f", "json", "-w", w).out)
    got = [(r["owner"], r["state"], r["title"]) for r in rows]
    assert got == [
        ("(no owner)", "overdue", "treat: Nobody's risk"),
        ("mona", "overdue", "treat: Late treatment"),
        ("olga", "overdue", "treat: Olga's risk"),
        ("vendor-desk@bpo.test", "due soon", "treat: Soon treatment"),
    ]
    every = json.loads(cli("remind", "--on", "2026-11-28", "--all", "-f", "json", "-w", w).out)
    assert ("mona", "later") in {(r["owner"], r["state"]) for r in every}
    mine = json.loads(cli("remind", "--owner", "mona", "--on", "2026-11-28", "-f", "json",
                          "-w", w).out)  # fmt: skip
    assert {r["owner"] for r in mine} == {"mona"}


def test_remind_emails_each_owner_a_digest(cli, w, smtp) -> None:  # type: ignore[no-untyped-def]
    port, inbox = smtp
    result = cli("remind", "--on", "2026-11-28", "--email", "--smtp-host", "127.0.0.1",
                 "--smtp-port", str(port), "--smtp-security", "none", "--smtp-from",
                 "dataward@bpo.test", "-w", w)  # fmt: skip
    assert result.code == 0, result
    assert "no e-mail address for olga" in result.err
    assert "no e-mail address for (no owner)" in result.err
    to = sorted(tuple(m.rcpt_tos) for m in inbox.messages)
    assert to == [("mona@bpo.test",), ("vendor-desk@bpo.test",)]
    mona = next(m for m in inbox.messages if m.rcpt_tos == ["mona@bpo.test"])
    parsed = message_from_bytes(mona.content)
    assert parsed["Subject"] == "dataward: 1 obligations due (1 overdue)"
    assert "Late treatment" in parsed.get_payload(decode=True).decode()
    assert "Far treatment" not in parsed.get_payload(decode=True).decode()
    inbox.messages.clear()
    fallback = cli("remind", "--on", "2026-11-28", "--email", "--smtp-host", "127.0.0.1",
                   "--smtp-port", str(port), "--smtp-security", "none", "--fallback",
                   "security-lead@bpo.test", "-w", w)  # fmt: skip
    assert fallback.code == 0
    assert sorted(m.rcpt_tos[0] for m in inbox.messages).count("security-lead@bpo.test") == 2
    strict = cli("remind", "--email", "--smtp-host", "127.0.0.1", "--smtp-port", str(port),
                 "--smtp-security", "starttls", "-w", w)  # fmt: skip
    assert_one_line_error(strict, "STARTTLS")
    down = cli("remind", "--email", "--smtp-host", "127.0.0.1", "--smtp-port",
               str(_free_port()), "--smtp-security", "none", "-w", w)  # fmt: skip
    assert_one_line_error(down, "sending failed")


def test_remind_posts_json_digests_to_a_webhook(cli, w, webhook) -> None:  # type: ignore[no-untyped-def]
    url, received = webhook
    result = cli("remind", "--on", "2026-11-28", "--webhook", url, "-w", w)
    assert result.code == 0, result
    by_owner = {p["owner"]: p for p in received}
    assert set(by_owner) == {"(no owner)", "mona", "olga", "vendor-desk@bpo.test"}
    assert by_owner["mona"]["email"] == "mona@bpo.test"
    assert [i["ref"] for i in by_owner["mona"]["items"]][0].startswith("RISK-")
    audit = json.loads(cli("audit", "log", "-f", "json", "-w", w).out)
    assert "reminders.webhook" in {e["action"] for e in audit}
    assert_one_line_error(cli("remind", "--webhook", "ftp://x", "-w", w), "http(s)")
