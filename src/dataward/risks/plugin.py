"""Plug the risk register into dataward: its app, commands, checks, reader, hooks and demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the risks Django app."""
    return ["dataward.risks"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the risks command group."""
    from dataward.risks import cli as risks_cli

    risks_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in risks/checks/."""
    for module in walk_modules("dataward.risks.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer the client's risk register to checks."""
    from dataward.risks import readers

    return {"risk_register": readers.register}


@hookimpl
def assessment_completed(ws: Any, client: Any, assessment: int, outcomes: list[Any]) -> None:
    """Raise, update, reopen or propose closure of one risk per failing control."""
    from dataward.risks.sync import on_assessment

    on_assessment(ws, client, assessment, outcomes)


@hookimpl
def obligations(ws: Any, today: date) -> Iterable[Any]:
    """Offer risk treatment due dates and acceptance expiries."""
    from dataward.risks.reminders import obligations as due

    return list(due(ws))


@hookimpl
def demo_import(ctx: Any) -> None:
    """Import the estate's existing risk register for the operation."""
    from dataward.risks.demo import import_register

    import_register(ctx)


@hookimpl
def demo_verify(ctx: Any) -> Iterable[Any]:
    """Compare the register checks' failures with the planted governance problems."""
    from dataward.risks.demo import verify

    return verify(ctx)


@hookimpl
def demo_finish(ctx: Any) -> None:
    """Show the register the demo's assessments raised."""
    from dataward.risks.demo import show

    show(ctx)
