"""The `dataward remind` command: every dated obligation, per owner, shown or sent."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, FormatOpt, day_option, workspace
from dataward.output import Format, emit, err

Opt = typer.Option


def remind(
    ctx: typer.Context,
    client: ClientOpt = None,
    owner: Annotated[str | None, Opt(help="Only this owner's obligations.")] = None,
    days: Annotated[int, Opt(help="Count as due soon within this many days.")] = 14,
    all_: Annotated[bool, Opt("--all", help="Also list obligations due later.")] = False,
    on: Annotated[str | None, Opt(help="Judge as of this day, YYYY-MM-DD (default today).")] = None,
    email: Annotated[bool, Opt("--email", help="Send each owner a digest by e-mail.")] = False,
    smtp_host: Annotated[str, Opt(envvar="DATAWARD_SMTP_HOST")] = "",
    smtp_port: Annotated[int, Opt(envvar="DATAWARD_SMTP_PORT")] = 25,
    smtp_from: Annotated[str, Opt(envvar="DATAWARD_SMTP_FROM")] = "dataward@localhost",
    smtp_user: Annotated[
        str, Opt(envvar="DATAWARD_SMTP_USER", help="Password: DATAWARD_SMTP_PASSWORD.")
    ] = "",
    smtp_security: Annotated[
        str, Opt(envvar="DATAWARD_SMTP_SECURITY", help="none, starttls, starttls-if-offered, ssl.")
    ] = "starttls-if-offered",
    fallback: Annotated[
        str, Opt(help="Address for owners with no e-mail (else they are reported).")
    ] = "",
    webhook: Annotated[
        str, Opt(envvar="DATAWARD_REMIND_WEBHOOK", help="POST each owner's digest as JSON here.")
    ] = "",
    timeout: Annotated[
        float, Opt(min=0.1, help="Seconds the mail server or webhook has to answer.")
    ] = 15.0,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """List every dated obligation that is overdue or due soon, per owner; optionally send it."""
    ws = workspace(ctx)
    from dataward.core import delivery, reminders

    today = day_option(on, "--on") or ws.clock().date()
    rows = reminders.gather(ws, today, days=days, everything=all_, client=client, owner=owner)
    emit(rows, reminders.COLUMNS, fmt, f"Obligations as of {today}")
    groups = reminders.digests(r for r in rows if r["state"] != "later")
    if email:
        if not smtp_host:
            raise typer.BadParameter("give --smtp-host or DATAWARD_SMTP_HOST", param_hint="--email")
        if smtp_security not in ("none", "starttls", "starttls-if-offered", "ssl"):
            raise typer.BadParameter("none, starttls, starttls-if-offered or ssl",
                                     param_hint="--smtp-security")  # fmt: skip
        smtp = delivery.Smtp(
            smtp_host, smtp_port, smtp_from, smtp_user,
            os.environ.get("DATAWARD_SMTP_PASSWORD", ""), smtp_security, timeout,
        )  # fmt: skip
        done = delivery.send_email(ws, smtp, groups, today, fallback)
        err.print(f"e-mailed {done['sent']} owners")
        for name in done["unreachable"]:
            err.print(f"[yellow]no e-mail address for {name}: set one or use --fallback[/]")
        for name in done["refused"]:
            err.print(f"[yellow]the mail server refused the digest for {name}[/]")
        _withheld(done["withheld"])
    if webhook:
        done = delivery.send_webhook(ws, webhook, groups, today, timeout)
        err.print(f"posted {done['sent']} digests to the webhook")
        _withheld(done["withheld"])


def _withheld(counts: dict[str, int]) -> None:
    """Report items left out of digests because their owner may not see that client."""
    for name, count in counts.items():
        err.print(
            f"[yellow]{count} items withheld from {name}: outside their client scope or their "
            "account is disabled; reassign them[/]"
        )
