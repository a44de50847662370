"""Plug the vendors package into dataward: app, commands, checks, readers, duties, demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the vendors Django app."""
    return ["dataward.vendors"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the vendors command group."""
    from dataward.vendors import cli as vendors_cli

    vendors_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in vendors/checks/."""
    for module in walk_modules("dataward.vendors.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer the vendors in a client's (or the operation's) scope to checks."""
    from dataward.vendors import readers

    return {"vendors_in_scope": readers.in_scope}


@hookimpl
def obligations(ws: Any, today: date) -> Iterable[Any]:
    """Offer each visible vendor's next review as its owner's duty."""
    from dataward.vendors.service import obligations as due

    return due(ws, today)


@hookimpl
def demo_import(ctx: Any) -> None:
    """Import the estate's vendor register."""
    from dataward.vendors.demo import import_estate

    import_estate(ctx)


@hookimpl
def demo_verify(ctx: Any) -> Iterable[Any]:
    """Compare the vendor checks' failures with the planted governance problems."""
    from dataward.vendors.demo import verify

    return verify(ctx)
