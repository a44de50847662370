"""Plug the reports package into dataward: the report command."""

from __future__ import annotations

from typing import Any

from dataward.plugins import hookimpl


@hookimpl
def register_commands(cli: Any) -> None:
    """Add the report command."""
    from dataward.reports import cli as reports_cli

    reports_cli.register(cli)


@hookimpl
def demo_finish(ctx: Any) -> None:
    """Write every demo client's report (HTML, PDF, XLSX, OSCAL) into the workspace."""
    from dataward.reports.demo import write_reports

    write_reports(ctx)
