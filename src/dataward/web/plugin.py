"""Plug the web package into dataward: its Django apps and settings, and `dataward serve`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dataward.plugins import hookimpl


@hookimpl
def django_apps() -> Iterable[str]:
    """Add sessions, static files, MFA, lockout, htmx, the API and the web app itself."""
    from dataward.web.settings import THIRD_PARTY_APPS

    return THIRD_PARTY_APPS


@hookimpl
def django_settings() -> dict[str, Any]:
    """Add middleware, URLs, templates, security headers and sign-in settings."""
    from dataward.web.settings import web_settings

    return web_settings()


@hookimpl
def register_commands(cli: Any) -> None:
    """Add `dataward serve` and the API token commands."""
    from dataward.web import cli as web_cli

    web_cli.register(cli)
