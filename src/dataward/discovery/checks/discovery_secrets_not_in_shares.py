"""Check that no credentials (keys, tokens, passwords) are stored in scanned files or tables."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.discovery.checks._common import counts, evidence, inventory_rows, not_scanned


@check(
    id="discovery_secrets_not_in_shares",
    title="No credentials are stored in shares or data stores",
    severity="critical",
    risk="Keys, tokens and passwords in files let anyone who reads the share into the systems "
    "they open.",
    remediation="Rotate the exposed credentials at once, delete the copies and keep secrets in "
    "a vault.",
)
def discovery_secrets_not_in_shares(view: WorkspaceView) -> Iterator[Result]:
    """Fail each location holding a secret."""
    rows = inventory_rows(view)
    if rows is None:
        yield from not_scanned(view)
        return
    found = [r for r in rows if r.category == "CREDENTIALS"]
    for row in found:
        summary = f"{row.location} holds credentials ({counts([row])}); rotate them"
        yield Result(Status.FAIL, row.location, summary, evidence([row]))
    if not found:
        yield Result(Status.PASS, view.client.slug, "no credentials found in scanned locations")
