"""Render a client report in one format from the workspace."""

from __future__ import annotations

from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.reports.collect import report_data


def render(ws: Workspace, client: Client, fmt: str, assessment: int | None = None) -> bytes:
    """Return the report's bytes in html, xlsx, pdf or oscal."""
    data = report_data(ws, client, assessment)
    if fmt == "html":
        from dataward.reports.engine import html

        return html.render(data).encode("utf-8")
    if fmt == "xlsx":
        from dataward.reports.engine import xlsx

        return xlsx.render(data)
    if fmt == "pdf":
        from dataward.reports.engine import pdf

        return pdf.render(data)
    from dataward.controls.catalog_service import catalog
    from dataward.errors import DatawardError
    from dataward.reports.cli import dump_json
    from dataward.reports.engine import oscal

    if data.snapshot is None:
        raise DatawardError(
            f"{client.slug} has never been assessed",
            "report",
            f"run dataward assess --client {client.slug} first",
        )
    return dump_json(oscal.assessment_results_document(catalog(), data.snapshot, data.generated))
