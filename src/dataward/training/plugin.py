"""Plug the training package into dataward: app, commands, checks, readers, duties and demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the training Django app."""
    return ["dataward.training"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the training command group."""
    from dataward.training import cli as training_cli

    training_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in training/checks/."""
    for module in walk_modules("dataward.training.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer the training records and the client access they are judged against."""
    from dataward.training import readers

    return {"training_data": readers.data, "training_client_access": readers.client_access}


@hookimpl
def obligations(ws: Any, today: date) -> Iterable[Any]:
    """Offer every required course's due date, owed by the person's manager (or the person)."""
    from dataward.training.service import obligations as due

    return due(ws, today)


@hookimpl
def demo_import(ctx: Any) -> None:
    """Import the estate's training requirements, LMS completions and phishing results."""
    from dataward.training.demo import import_estate

    import_estate(ctx)


@hookimpl
def demo_verify(ctx: Any) -> Iterable[Any]:
    """Compare the training checks' failures with the planted governance problems."""
    from dataward.training.demo import verify

    return verify(ctx)
