"""Write the demo clients' reports into the demo workspace's reports/ folder."""

from __future__ import annotations

from typing import Any

FORMATS = {"html": "html", "pdf": "pdf", "xlsx": "xlsx", "oscal": "oscal.json"}


def write_reports(ctx: Any) -> None:
    """Render each client's report in every format and say where they are."""
    from dataward.core.engine.workspace import atomic_write
    from dataward.core.models import Client
    from dataward.reports.render import render

    folder = ctx.ws.paths.root / "reports"
    folder.mkdir(mode=0o700, exist_ok=True)
    for client in Client.objects.filter(kind="client").order_by("slug"):
        for fmt, ext in FORMATS.items():
            atomic_write(folder / f"{client.slug}.{ext}", render(ctx.ws, client, fmt), mode=0o600)
    ctx.console.print(f"reports: {folder}/<client>.html|pdf|xlsx|oscal.json")
