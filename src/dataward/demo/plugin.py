"""Plug the demo package into dataward: the demo command."""

from __future__ import annotations

from typing import Any

from dataward.plugins import hookimpl


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the demo command group."""
    from dataward.demo import cli as demo_cli

    demo_cli.register(cli)
