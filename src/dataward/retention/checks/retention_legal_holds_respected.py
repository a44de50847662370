"""Check that nothing covered by a legal hold disappeared while the hold was in force."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check


@check(
    id="retention_legal_holds_respected",
    title="Data under legal hold is kept",
    severity="high",
    risk=(
        "Destroying data a legal hold covers is spoliation: sanctions in court and a broken "
        "promise to the client."
    ),
    remediation=(
        "Find out who removed the file and restore it from backup; extend the hold to the "
        "backups and tell the client's counsel."
    ),
)
def retention_legal_holds_respected(view: WorkspaceView) -> Iterator[Result]:
    """Fail for each held file the scans no longer find; pass when every held file remains."""
    data = view.read("retention")
    if not data["holds"]:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, "no legal hold on this client")
        return
    for ref, location, when in data["gone"]:
        yield Result(
            Status.FAIL,
            location,
            f"covered by legal hold {ref} and gone since the scan after {when[:10]}",
            ({"hold": ref, "location": location, "last_seen": when},),
        )
    if not data["gone"]:
        count = sum(1 for h in data["holds"] if h.released_at is None)
        yield Result(Status.PASS, view.client.slug, f"{count} holds in force; nothing held is gone")
