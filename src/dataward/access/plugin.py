"""Plug the access package into dataward: its app, commands, checks, readers and demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the access Django app."""
    return ["dataward.access"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the access command group."""
    from dataward.access import cli as access_cli

    access_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in access/checks/."""
    for module in walk_modules("dataward.access.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer the evaluated access rules to checks."""
    from dataward.access import readers

    return {"access_outcomes": readers.outcomes}


@hookimpl
def demo_import(ctx: Any) -> None:
    """Import the estate's HR roster, directory, entitlements and role matrices."""
    from dataward.access.demo import import_estate

    import_estate(ctx)


@hookimpl
def demo_verify(ctx: Any) -> Iterable[Any]:
    """Compare the access checks' failures with the planted problems."""
    from dataward.access.demo import verify

    return verify(ctx)
