"""Plug the encryption package into dataward: app, commands, checks, readers, refresh, demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dataward.plugins import hookimpl, walk_modules


@hookimpl
def django_apps() -> Iterable[str]:
    """Add the encryption Django app."""
    return ["dataward.encryption"]


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the tls and encryption command groups."""
    from dataward.encryption import cli as encryption_cli

    encryption_cli.register(cli)


@hookimpl
def register_checks(register: Callable[[str], None]) -> None:
    """Register the checks in encryption/checks/."""
    for module in walk_modules("dataward.encryption.checks"):
        register(module)


@hookimpl
def workspace_readers() -> dict[str, Callable[..., Any]]:
    """Offer TLS endpoints, channels, the at-rest register and archive hits to checks."""
    from dataward.encryption import readers

    return {
        "encryption_tls_endpoints": readers.tls_endpoints,
        "encryption_channels": readers.channels,
        "encryption_at_rest": readers.at_rest,
        "encryption_archive_hits": readers.archive_hits,
    }


@hookimpl
def refresh_live_data(ws: Any, client: Any, max_age_days: int) -> None:
    """Re-check the client's TLS endpoints whose latest result is older than max_age_days."""
    from dataward.encryption.service import refresh

    refresh(ws, client, max_age_days)


@hookimpl
def demo_import(ctx: Any) -> None:
    """Import the estate's channel register and at-rest register for every client."""
    from dataward.encryption.demo import import_estate

    import_estate(ctx)


@hookimpl
def demo_verify(ctx: Any) -> Iterable[Any]:
    """Compare the encryption checks' failures with the planted problems."""
    from dataward.encryption.demo import verify

    return verify(ctx)
