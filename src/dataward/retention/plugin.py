"""Plug the retention package into dataward: app, commands, checks, readers and demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the retention Django app."""
    return ["dataward.retention"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the retention command group."""
    from dataward.retention import cli as retention_cli

    retention_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in retention/checks/."""
    for module in walk_modules("dataward.retention.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer holdings, rules and holds to the checks."""
    from dataward.retention import readers

    return {"retention": readers.retention}


@hookimpl
def demo_finish(ctx: Any) -> None:
    """After the assessment: plan, approve and execute a disposal of the demo's overdue data."""
    from dataward.retention.demo import dispose_demo

    dispose_demo(ctx)


@hookimpl
def demo_verify(ctx: Any) -> list[Any]:
    """Compare the retention checks' failures with the planted retention problems."""
    from dataward.retention.demo import verify

    return verify(ctx)
