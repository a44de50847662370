"""The `dataward risks` commands that change the register: add, update, link, accept, close."""

from __future__ import annotations

from typing import Annotated

import typer

from dataward.cliutil import ClientOpt, day_option, workspace
from dataward.output import err

Opt = typer.Option
Text = Annotated[str | None, Opt()]
Level = Annotated[str | None, Opt(help="1-5 or a word (rare ... almost certain).")]
Impact = Annotated[str | None, Opt(help="1-5 or a word (insignificant ... severe).")]
NoteOpt = Annotated[str, Opt("--note", help="Why; kept in the risk's history.")]
Many = Annotated[list[str], Opt()]


def register(app: typer.Typer) -> None:
    """Attach the editing commands to the risks group."""
    for name, fn in (
        ("add", add),
        ("update", update),
        ("link", link),
        ("accept", accept),
        ("close", close),
        ("reopen", reopen),
    ):
        app.command(name)(fn)


def _done(verb: str, risk: object) -> None:
    ref = getattr(risk, "ref", "")
    err.print(f"{verb} {ref} ({getattr(risk, 'status', '')})")
    typer.echo(ref)


def add(
    ctx: typer.Context,
    title: Annotated[str, Opt(help="What could go wrong, in one line.")],
    likelihood: Level,
    impact: Impact,
    client: ClientOpt = None,
    description: Text = None,
    category: Annotated[
        str, Opt(help="service_continuity, contractual, audit, client_trust or regulatory.")
    ] = "audit",
    owner: Text = None,
    treatment: Annotated[str, Opt(help="mitigate, transfer or avoid.")] = "mitigate",
    plan: Text = None,
    due: Annotated[str | None, Opt(help="Treatment due date, YYYY-MM-DD.")] = None,
) -> None:
    """Enter a risk by hand for a client (or the operation); prints its reference."""
    ws = workspace(ctx)
    from dataward.risks import service

    risk = service.add(
        ws,
        client,
        title=title,
        description=description,
        category=category,
        likelihood=likelihood,
        impact=impact,
        owner=owner,
        treatment=treatment,
        plan=plan,
        due=day_option(due, "--due"),
    )
    _done("added", risk)


def update(
    ctx: typer.Context,
    ref: str,
    title: Text = None,
    description: Text = None,
    category: Text = None,
    likelihood: Level = None,
    impact: Impact = None,
    residual_likelihood: Level = None,
    residual_impact: Impact = None,
    owner: Text = None,
    treatment: Annotated[str | None, Opt(help="mitigate, transfer or avoid.")] = None,
    plan: Text = None,
    due: Annotated[str | None, Opt(help="Treatment due date, YYYY-MM-DD.")] = None,
    note: NoteOpt = "",
) -> None:
    """Change a risk's scores, owner, treatment plan or due date."""
    ws = workspace(ctx)
    from dataward.risks import service

    risk = service.update(
        ws,
        ref,
        note,
        title=title,
        description=description,
        category=category,
        likelihood=likelihood,
        impact=impact,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        owner=owner,
        treatment=treatment,
        plan=plan,
        due=day_option(due, "--due"),
    )
    _done("updated", risk)


def link(
    ctx: typer.Context,
    ref: str,
    control: Many = [],  # noqa: B006
    finding: Many = [],  # noqa: B006
    alert: Many = [],  # noqa: B006
    incident: Many = [],  # noqa: B006
    note: NoteOpt = "",
) -> None:
    """Link controls, findings, alerts or incidents (e.g. INC-0002) to a risk."""
    ws = workspace(ctx)
    from dataward.risks import service

    risk = None
    for kind, targets in (
        ("controls", [c.upper() for c in control]),
        ("findings", finding),
        ("alerts", alert),
        ("incidents", [i.upper() for i in incident]),
    ):
        if targets:
            risk = service.link(ws, ref, kind, targets, note)
    if risk is None:
        raise typer.BadParameter("give --control, --finding, --alert or --incident")
    _done("linked", risk)


def accept(
    ctx: typer.Context,
    ref: str,
    approved_by: Annotated[str, Opt(help="A manager or admin who is not the risk's owner.")],
    expires: Annotated[str, Opt(help="Last day the acceptance holds, YYYY-MM-DD (<= 1 year).")],
    reason: Annotated[str, Opt(help="Why the risk is kept rather than treated.")],
) -> None:
    """Accept a risk until a date; the approver must be neither its owner nor you."""
    ws = workspace(ctx)
    from dataward.risks import service

    until = day_option(expires, "--expires")
    assert until is not None  # the option is required
    risk = service.accept(ws, ref, approved_by=approved_by, expires=until, reason=reason)
    _done("accepted", risk)


def close(ctx: typer.Context, ref: str, note: NoteOpt = "") -> None:
    """Close a risk whose checks pass again (or one entered by hand), with a note."""
    ws = workspace(ctx)
    from dataward.risks import service

    _done("closed", service.close(ws, ref, note))


def reopen(ctx: typer.Context, ref: str, note: NoteOpt = "") -> None:
    """Reopen a closed, proposed or accepted risk."""
    ws = workspace(ctx)
    from dataward.risks import service

    _done("reopened", service.reopen(ws, ref, note))
