"""Gather every package's dated obligations, group them by owner, send digests by e-mail/webhook.

Delivery is plain SMTP (smtplib, STARTTLS or implicit TLS, optional login) and an HTTP POST of
JSON per owner; both are bounded by timeouts and fail with one line naming the server.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any

from dataward.core import audit
from dataward.core.engine.obligations import DUE_SOON_DAYS, Obligation
from dataward.core.models import User
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.plugins import hook

COLUMNS = ["owner", "state", "due", "kind", "client", "ref", "title"]
NO_OWNER = "(no owner)"
TIMEOUT = 15


@dataclass(frozen=True)
class Smtp:
    """Where and how to send e-mail."""

    host: str
    port: int = 25
    sender: str = "dataward@localhost"
    user: str = ""
    password: str = ""
    security: str = "starttls-if-offered"  # none, starttls, starttls-if-offered, ssl


def gather(
    ws: Workspace, today: date, *, days: int = DUE_SOON_DAYS, everything: bool = False,
    client: str | None = None, owner: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Return the obligations that are overdue or due within ``days`` (all with everything)."""
    found: list[Obligation] = [o for batch in hook().obligations(ws=ws, today=today) for o in batch]
    rows = []
    for o in found:
        state = o.state(today, days)
        if state == "later" and not everything:
            continue
        if client and o.client != client:
            continue
        if owner and o.owner != owner:
            continue
        rows.append(
            {
                "owner": o.owner or NO_OWNER,
                "state": state,
                "due": o.due,
                "kind": o.kind,
                "client": o.client or "operation",
                "ref": o.ref,
                "title": o.title,
            }  # fmt: skip
        )
    rows.sort(key=lambda r: (r["owner"], r["due"], r["kind"], r["ref"]))
    return rows


def digests(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Group the rows by owner."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["owner"], []).append(row)
    return out


def address(owner: str) -> str:
    """Return the e-mail address of an owner (an address, or a dataward user's), or ''."""
    if "@" in owner and " " not in owner:
        return owner
    user = User.objects.filter(username=owner).first()
    return user.email if user is not None else ""


def body(owner: str, rows: Sequence[dict[str, Any]], today: date) -> str:
    """Return the plain-text digest for one owner."""
    lines = [f"dataward reminders for {owner} on {today}", ""]
    for r in rows:
        lines.append(f"- [{r['state']}] due {r['due']}: {r['kind']} {r['ref']} ({r['client']})")
        lines.append(f"  {r['title']}")
    overdue = sum(r["state"] == "overdue" for r in rows)
    lines += ["", f"{len(rows)} items, {overdue} overdue. Run `dataward remind` to see them."]
    return "\n".join(lines) + "\n"


def send_email(
    ws: Workspace, smtp: Smtp, groups: dict[str, list[dict[str, Any]]], today: date,
    fallback: str = "",
) -> dict[str, Any]:  # fmt: skip
    """Send one e-mail per owner; owners with no address go to ``fallback`` or are reported."""
    sent, unreachable = [], []
    messages = []
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
        messages.append(msg)
        sent.append(owner)
    if messages:
        _deliver(smtp, messages)
    audit.record(ws, "reminders.email", None, "reminders", str(today),
                 detail={"sent": len(sent), "unreachable": unreachable})  # fmt: skip
    return {"channel": "email", "sent": len(sent), "unreachable": unreachable}


def _deliver(smtp: Smtp, messages: list[EmailMessage]) -> None:
    """Open one SMTP session and send every message."""
    where = f"smtp://{smtp.host}:{smtp.port}"
    context = ssl.create_default_context()
    try:
        if smtp.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=TIMEOUT, context=context
            )
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
        with server:
            server.ehlo()
            offered = server.has_extn("starttls")
            if smtp.security == "starttls" and not offered:
                raise DatawardError("does not offer STARTTLS", where, "use --smtp-security none")
            if smtp.security.startswith("starttls") and offered:
                server.starttls(context=context)
                server.ehlo()
            if smtp.user:
                server.login(smtp.user, smtp.password)
            for msg in messages:
                server.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatawardError(
            f"sending failed ({reason})", where, "check the SMTP settings"
        ) from None


def send_webhook(
    ws: Workspace, url: str, groups: dict[str, list[dict[str, Any]]], today: date
) -> dict[str, Any]:
    """POST one JSON digest per owner to the webhook URL."""
    if not url.startswith(("https://", "http://")):
        raise DatawardError("is not an http(s) URL", url, "give the webhook's full URL")
    for owner, rows in groups.items():
        payload = {
            "source": "dataward", "date": str(today), "owner": owner, "email": address(owner),
            "items": rows,
        }  # fmt: skip
        data = json.dumps(payload, default=str).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=data, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                response.read()
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DatawardError(f"POST failed ({reason})", url, "check the webhook URL") from None
    audit.record(ws, "reminders.webhook", None, "reminders", str(today),
                 detail={"sent": len(groups)})  # fmt: skip
    return {"channel": "webhook", "sent": len(groups), "unreachable": []}
