"""Plug the monitoring package into dataward: app, commands, checks, readers, duties and demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the monitoring Django app."""
    return ["dataward.monitoring"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the logs, rules and alerts command groups."""
    from dataward.monitoring import cli as monitoring_cli

    monitoring_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in monitoring/checks/."""
    for module in walk_modules("dataward.monitoring.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer alerts, log sources and client systems to the checks."""
    from dataward.monitoring import readers

    return {"monitoring": readers.monitoring}


@hookimpl
def obligations(ws: Any, today: date) -> Iterable[Any]:
    """Offer each untriaged alert's triage deadline, owed by its assignee."""
    from dataward.monitoring.readers import obligations as due

    return due(ws, today)


@hookimpl
def demo_import(ctx: Any) -> None:
    """Declare the estate's log sources, ingest its logs and run the rule pack."""
    from dataward.monitoring.demo import import_estate

    import_estate(ctx)


@hookimpl
def demo_verify(ctx: Any) -> Iterable[Any]:
    """Compare the monitoring checks' failures with the planted log problems."""
    from dataward.monitoring.demo import verify

    return verify(ctx)
