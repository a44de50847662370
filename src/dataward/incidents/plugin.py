"""Plug the incidents package into dataward: app, commands, checks, readers, duties, demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the incidents Django app."""
    return ["dataward.incidents"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the incidents command group."""
    from dataward.incidents import cli as incidents_cli

    incidents_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in incidents/checks/."""
    for module in walk_modules("dataward.incidents.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer a client's notification clocks and incidents to checks."""
    from dataward.incidents import readers

    return {"incident_clocks": readers.clocks, "incident_summaries": readers.incidents}


@hookimpl
def obligations(ws: Any, today: date) -> Iterable[Any]:
    """Offer every unsettled notification clock and open task to its incident's handler."""
    from dataward.incidents.readers import obligations as duties

    return duties(ws, today)


@hookimpl
def demo_import(ctx: Any) -> None:
    """Import the estate's incident register."""
    from dataward.incidents.demo import import_estate

    import_estate(ctx)


@hookimpl
def demo_verify(ctx: Any) -> Iterable[Any]:
    """Compare the incidents checks' failures with the planted governance problems."""
    from dataward.incidents.demo import verify

    return verify(ctx)
