"""Plug the devices package into dataward: app, commands, checks, readers, duties and demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the devices Django app."""
    return ["dataward.devices"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the devices command group."""
    from dataward.devices import cli as devices_cli

    devices_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in devices/checks/."""
    for module in walk_modules("dataward.devices.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer the device inventory, linked to people, with the policy in force."""
    from dataward.devices import readers

    return {"devices_fleet": readers.fleet}


@hookimpl
def obligations(ws: Any, today: date) -> Iterable[Any]:
    """Offer each device's next check-in deadline, owed by the person's manager."""
    from dataward.devices.service import obligations as due

    return due(ws, today)


@hookimpl
def demo_import(ctx: Any) -> None:
    """Import the estate's device policy, Intune and Jamf inventories."""
    from dataward.devices.demo import import_estate

    import_estate(ctx)


@hookimpl
def demo_verify(ctx: Any) -> Iterable[Any]:
    """Compare the device checks' failures with the planted device problems."""
    from dataward.devices.demo import verify

    return verify(ctx)
