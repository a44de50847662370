"""Deliver reminder digests: one e-mail per owner over SMTP, or one JSON POST per owner.

SMTP uses smtplib (STARTTLS or implicit TLS, optional login, never a password in clear); the
webhook uses urllib with an overall deadline, no redirects and errors that name only the host
(a webhook's path is usually its secret). Both are audited.
"""

from __future__ import annotations

import http.client
import json
import smtplib
import ssl
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from dataward.core import audit
from dataward.core.reminders import ADDRESS_RE, TIMEOUT, address, body, screened
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError


@dataclass(frozen=True)
class Smtp:
    """Where and how to send e-mail."""

    host: str
    port: int = 25
    sender: str = "dataward@localhost"
    user: str = ""
    password: str = ""
    security: str = "starttls-if-offered"  # none, starttls, starttls-if-offered, ssl
    timeout: float = TIMEOUT


def send_email(
    ws: Workspace, smtp: Smtp, groups: dict[str, list[dict[str, Any]]], today: date,
    fallback: str = "",
) -> dict[str, Any]:  # fmt: skip
    """Send one e-mail per owner; owners with no address go to ``fallback`` or are reported.

    The audit event names what was sent even when the server fails half-way.
    """
    fallback = fallback.strip()
    if fallback and not ADDRESS_RE.match(fallback):
        raise DatawardError("is not one e-mail address", "--fallback", "give a single address")
    groups, withheld = screened(groups)
    unreachable, messages = [], []
    for owner, rows in groups.items():
        to = address(owner) or fallback
        if not to:
            unreachable.append(owner)
            continue
        msg = EmailMessage()
        msg["From"], msg["To"] = smtp.sender, to
        overdue = sum(r["state"] == "overdue" for r in rows)
        msg["Subject"] = f"dataward: {len(rows)} obligations due ({overdue} overdue)"
        msg.set_content(body(owner, rows, today))
        messages.append((owner, msg))
    sent: list[str] = []
    refused: list[str] = []
    detail: dict[str, Any] = {"unreachable": unreachable, "withheld": withheld}
    try:
        if messages:
            _deliver(smtp, messages, sent, refused)
    except DatawardError as exc:
        detail["failed"] = exc.what
        raise
    finally:
        detail |= {"sent": len(sent), "refused": refused}
        audit.record(ws, "reminders.email", None, "reminders", str(today), detail=detail)
    return {"channel": "email", "sent": len(sent), "unreachable": unreachable,
            "refused": refused, "withheld": withheld}  # fmt: skip


def _deliver(
    smtp: Smtp, messages: list[tuple[str, EmailMessage]], sent: list[str], refused: list[str]
) -> None:
    """Open one SMTP session and send every message; a refused recipient does not stop it."""
    where = f"smtp://{smtp.host}:{smtp.port}"
    context = ssl.create_default_context()
    try:
        if smtp.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=context
            )
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with server:
            server.ehlo()
            offered = server.has_extn("starttls")
            if smtp.security == "starttls" and not offered:
                raise DatawardError(
                    "does not offer STARTTLS",
                    where,
                    "use --smtp-security ssl, or none only for a trusted local relay",
                )
            secure = smtp.security == "ssl"
            if smtp.security.startswith("starttls") and offered:
                server.starttls(context=context)
                server.ehlo()
                secure = True
            if smtp.user and not secure and smtp.security != "none":
                raise DatawardError(
                    "does not offer STARTTLS, so the password would cross the network in clear",
                    where,
                    "use --smtp-security ssl, or none to send it unencrypted on purpose",
                )
            if smtp.user:
                server.login(smtp.user, smtp.password)
            for owner, msg in messages:
                try:
                    server.send_message(msg)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
                    refused.append(owner)
                    continue
                sent.append(owner)
    except (OSError, smtplib.SMTPException) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatawardError(
            f"sending failed ({reason})", where, "check the SMTP settings"
        ) from None


def send_webhook(
    ws: Workspace, url: str, groups: dict[str, list[dict[str, Any]]], today: date,
    timeout: float = TIMEOUT,
) -> dict[str, Any]:  # fmt: skip
    """POST one JSON digest per owner to the webhook URL, each answered within ``timeout``.

    Errors name the webhook by scheme and host only: its path often carries a secret token.
    """
    where = f"webhook {redacted(url)}"
    if not url.startswith(("https://", "http://")):
        raise DatawardError("is not an http(s) URL", where, "give the webhook's full URL")
    groups, withheld = screened(groups)
    sent: list[str] = []
    detail: dict[str, Any] = {"withheld": withheld}
    try:
        for owner, rows in groups.items():
            payload = {
                "source": "dataward", "date": str(today), "owner": owner,
                "email": address(owner), "items": rows,
            }  # fmt: skip
            _post(url, json.dumps(payload, default=str).encode(), timeout, where)
            sent.append(owner)
    except DatawardError as exc:
        detail["failed"] = exc.what
        raise
    finally:
        detail["sent"] = len(sent)
        audit.record(ws, "reminders.webhook", None, "reminders", str(today), detail=detail)
    return {"channel": "webhook", "sent": len(sent), "unreachable": [], "refused": [],
            "withheld": withheld}  # fmt: skip


def redacted(url: str) -> str:
    """Return a URL's scheme and host, without credentials, path or query."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    rest = "/..." if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{rest}" if parts.scheme else "(not a URL)"


class _Stay(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would turn the POST into a body-less GET and call it sent."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        """Follow no redirect (the 3xx answer then fails the POST)."""
        return None


def _post(url: str, data: bytes, timeout: float, where: str) -> None:
    """POST once; give up when no full answer came within ``timeout`` seconds in all.

    The socket timeout bounds each read, not the whole exchange: a server that trickles a
    byte at a time would hold the command for ever. The request runs in a daemon thread that
    is abandoned at the deadline.
    """
    outcome: list[BaseException | None] = []

    def run() -> None:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked by the caller
            url, data=data, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.build_opener(_Stay).open(request, timeout=timeout):
                outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - judged by the calling thread
            outcome.append(exc)

    worker = threading.Thread(target=run, name="dataward-webhook", daemon=True)
    worker.start()
    worker.join(timeout)
    failure = outcome[0] if outcome else TimeoutError()
    if isinstance(failure, urllib.error.URLError) and isinstance(failure.reason, TimeoutError):
        failure = failure.reason
    if isinstance(failure, TimeoutError):  # the deadline, or a read that hit it first
        raise DatawardError(
            f"POST got no answer within {timeout:g} s", where, "check that the webhook is up"
        )
    if failure is None:
        return
    if isinstance(failure, urllib.error.HTTPError):
        reason = f"HTTP {failure.code}"
    elif isinstance(failure, urllib.error.URLError):
        reason = str(failure.reason).splitlines()[0] if str(failure.reason) else "unreachable"
    elif isinstance(failure, OSError):
        reason = str(failure).splitlines()[0] if str(failure) else type(failure).__name__
    elif isinstance(failure, http.client.HTTPException | ValueError):
        reason = type(failure).__name__  # their text may quote the URL's secret path
    else:
        raise failure
    raise DatawardError(f"POST failed ({reason})", where, "check the webhook URL")
