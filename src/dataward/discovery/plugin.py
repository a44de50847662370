"""Plug the discovery package into dataward: its app, commands, checks, readers and demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the discovery Django app."""
    return ["dataward.discovery"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the scan and inventory commands."""
    from dataward.discovery import cli as discovery_cli

    discovery_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in discovery/checks/."""
    for module in walk_modules("dataward.discovery.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer the data inventory and per-file fingerprints to checks."""
    from dataward.discovery import readers

    return {
        "discovery_inventory": readers.inventory,
        "discovery_fingerprints": readers.fingerprints,
    }


@hookimpl
def demo_import(ctx: Any) -> None:
    """Scan each client's shares in the demo estate, after core has imported the clients."""
    from dataward.discovery.demo import scan_estate

    scan_estate(ctx)


@hookimpl
def demo_verify(ctx: Any) -> Iterable[Any]:
    """Compare the discovery checks' failures with the planted problems."""
    from dataward.discovery.demo import verify

    return verify(ctx)
