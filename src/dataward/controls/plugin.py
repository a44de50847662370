"""Plug the controls package into dataward: its app and the assess command."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from dataward.plugins import hookimpl


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the controls Django app."""
    return ["dataward.controls"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the assess command."""
    from dataward.controls import cli as controls_cli

    controls_cli.register(cli)


@hookimpl
def obligations(ws: Any, today: date) -> Iterable[Any]:
    """Offer attestation renewals, exception expiries and control due dates."""
    from dataward.controls.reminders import obligations as due

    return list(due(ws, today))
