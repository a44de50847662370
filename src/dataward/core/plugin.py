"""Plug the core package into dataward: its app, commands, checks and readers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the core Django app."""
    return ["dataward.core"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add init, migrate, clients, users, audit and keys commands."""
    from dataward.core import cli as core_cli

    core_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in core/checks/."""
    for module in walk_modules("dataward.core.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer the audit chain state and the key file's safety to checks."""
    from dataward.core import readers

    return {"audit_chain": readers.audit_chain, "key_file": readers.key_file}


@hookimpl
def demo_import(ctx: Any) -> None:
    """Import the estate's clients and the demo's own users."""
    from dataward.core.demo import import_clients_and_users

    import_clients_and_users(ctx)
