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
    """An aiosmtpd handler that keeps what it receives and refuses the addresses in ``refuse``."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

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


def _smtp_args(port: int, *more: str) -> tuple[str, ...]:
    return ("remind", "--on", "2026-11-28", "--email", "--smtp-host", "127.0.0.1",
            "--smtp-port", str(port), *more)  # fmt: skip


def test_a_refused_recipient_does_not_stop_the_other_digests(cli, w, smtp) -> None:  # type: ignore[no-untyped-def]
    port, inbox = smtp
    inbox.refuse.add("mona@bpo.test")  # mona's digest is sent first
    result = cli(*_smtp_args(port, "--smtp-security", "none"), "-w", w)
    assert result.code == 0, result
    assert "refused the digest for mona" in result.err
    assert [m.rcpt_tos for m in inbox.messages] == [["vendor-desk@bpo.test"]]
    audit = json.loads(cli("audit", "log", "-f", "json", "-w", w).out)
    (sent,) = [e for e in audit if e["action"] == "reminders.email"]
    assert (sent["detail"]["sent"], sent["detail"]["refused"]) == (1, ["mona"])


def test_the_password_never_crosses_in_clear_unless_asked(cli, w, smtp) -> None:  # type: ignore[no-untyped-def]
    port, inbox = smtp  # the test server offers no STARTTLS
    quiet = cli(*_smtp_args(port, "--smtp-user", "dataward"), "-w", w,
                DATAWARD_SMTP_PASSWORD="s3cret")  # fmt: skip
    assert_one_line_error(quiet, "password would cross the network in clear", "smtp-security")
    assert inbox.messages == []


def test_owners_that_are_not_one_address_are_reported_not_mailed(cli, w, smtp) -> None:  # type: ignore[no-untyped-def]
    port, inbox = smtp
    for owner in ("ops@bpo.test,audit@evil.test", "qa@bpo.test\nbcc:x@evil.test"):
        assert cli("risks", "add", "--title", "Odd owner", "--likelihood", "2", "--impact", "2",
                   "--client", "acme", "--due", "2026-11-02", "--owner",
                   owner, "-w", w).code == 0  # fmt: skip
    result = cli(*_smtp_args(port, "--smtp-security", "none"), "-w", w)
    assert result.code == 0, result
    assert "no e-mail address for ops@bpo.test,audit@evil.test" in result.err
    assert {r for m in inbox.messages for r in m.rcpt_tos} == {
        "mona@bpo.test", "vendor-desk@bpo.test",
    }  # fmt: skip


@pytest.fixture
def scoped(w: str, cli) -> str:  # type: ignore[no-untyped-def]
    """Eve may see acme only, yet owns an acme, a globex and an operation risk."""
    assert cli("clients", "add", "globex", "--name", "Globex", "-w", w).code == 0
    assert cli("users", "add", "eve", "--role", "client-viewer", "--client", "acme",
               "--email", "eve@bpo.test", "-w", w).code == 0  # fmt: skip
    for title, client, owner in (
        ("Acme printer", "acme", "eve"), ("Globex merger files", "globex", "eve"),
        ("Operation badge reader", None, "eve@bpo.test"),
    ):  # fmt: skip
        args = ["risks", "add", "--title", title, "--likelihood", "2", "--impact", "2",
                "--owner", owner, "--due", "2026-11-10", "-w", w]  # fmt: skip
        assert cli(*args, *(("--client", client) if client else ())).code == 0
    return w


def test_digests_carry_only_what_their_owner_may_see(cli, scoped, smtp, webhook) -> None:  # type: ignore[no-untyped-def]
    port, inbox = smtp
    result = cli(*_smtp_args(port, "--smtp-security", "none"), "-w", scoped)
    assert result.code == 0, result
    assert "items withheld from eve" in result.err
    texts = {m.rcpt_tos[0]: message_from_bytes(m.content).get_payload(decode=True).decode()
             for m in inbox.messages}  # fmt: skip
    assert "Acme printer" in texts["eve@bpo.test"]
    assert "Globex" not in texts["eve@bpo.test"]
    assert "badge reader" not in texts["eve@bpo.test"]  # owned by eve's address: still eve
    url, received = webhook
    assert cli("remind", "--on", "2026-11-28", "--webhook", url, "-w", scoped).code == 0
    eve = [p for p in received if p["owner"].startswith("eve")]
    assert [i["title"] for p in eve for i in p["items"]] == ["treat: Acme printer"]


def test_remind_client_must_be_one_you_may_see(cli, scoped) -> None:  # type: ignore[no-untyped-def]
    assert_one_line_error(cli("remind", "--client", "nobody", "-w", scoped), "no client 'nobody'")
    denied = cli("remind", "--client", "globex", "-w", scoped, "--as", "eve")
    assert_one_line_error(denied, "may not view")
    rows = json.loads(cli("remind", "--all", "-f", "json", "-w", scoped, "--as", "eve").out)
    assert {r["client"] for r in rows} == {"acme"}


def _hanging_server(reply: bytes, drip: float) -> Iterator[str]:
    """Accept connections, send ``reply`` a byte every ``drip`` seconds (for 20 s at most)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                for n in range(int(20 / max(drip, 0.05))):
                    if stop.wait(max(drip, 0.05)):
                        break
                    if reply and n < len(reply):
                        conn.sendall(reply[n : n + 1])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks/T0K3N-SECRET"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.fixture(params=["silent", "trickle"])
def hanging(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "silent":
        yield from _hanging_server(b"", 0.5)
    else:
        yield from _hanging_server(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"z" * 400, 0.1)


def test_a_webhook_that_hangs_times_out_in_one_line(cli, w, hanging) -> None:  # type: ignore[no-untyped-def]
    result = cli("remind", "--on", "2026-11-28", "--webhook", hanging, "--timeout", "1", "-w", w)
    assert_one_line_error(result, "no answer within 1 s", "127.0.0.1")
    assert "T0K3N-SECRET" not in result.err  # a webhook's path is its password


def test_a_webhook_answering_garbage_fails_in_one_line(cli, w) -> None:  # type: ignore[no-untyped-def]
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"NONSENSE\r\n\r\n")

    threading.Thread(target=answer, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/hooks/T0K3N-SECRET"
    try:
        result = cli("remind", "--on", "2026-11-28", "--webhook", url, "-w", w)
    finally:
        listener.close()
    assert_one_line_error(result, "POST failed")
    assert "T0K3N-SECRET" not in result.err


def test_a_notification_clock_is_overdue_the_minute_it_passes(ws) -> None:  # type: ignore[no-untyped-def]
    import dataclasses
    from datetime import UTC, datetime, timedelta

    from dataward.core import clients, reminders
    from dataward.core.engine.clients import ClientSpec
    from dataward.incidents import service
    from dataward.incidents.engine.register import ImpactSpec

    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    ws = dataclasses.replace(ws, clock=lambda: now)
    clients.add(ws, ClientSpec("eurotel", "Eurotel", frameworks=["GDPR"], data_categories=["PII"]))
    service.report(ws, title="Mail to the wrong customer", severity="medium",
                   impacts=[ImpactSpec("eurotel", ("PII",), 1)],
                   detected_at=now - timedelta(hours=73))  # fmt: skip
    (gdpr,) = [r for r in reminders.gather(ws, now.date()) if r["kind"] == "notification clock"]
    assert (gdpr["state"], str(gdpr["due"])) == ("overdue", "2026-11-20")  # 72 h ran out at 11:00
    assert "due 2026-11-20T11:00Z" in gdpr["title"]
    (before,) = reminders.gather(ws, now.date() - timedelta(days=1))  # as of the day before
    assert before["state"] == "due soon"


def test_a_webhook_that_redirects_is_not_counted_as_sent(cli, w) -> None:  # type: ignore[no-untyped-def]
    got: list[str] = []

    class Moved(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            got.append("POST")
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.end_headers()

        def do_GET(self) -> None:  # noqa: N802
            got.append("GET")  # urllib would re-send the digest as a GET without its body
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Moved)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        result = cli("remind", "--on", "2026-11-28", "--webhook", url, "-w", w)
    finally:
        server.shutdown()
        server.server_close()
    assert_one_line_error(result, "POST failed (HTTP 302)")
    assert got == ["POST"]
