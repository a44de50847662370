"""Check that no audit event was edited, deleted or reordered."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check


@check(
    id="core_audit_chain_intact",
    title="The audit trail's hash chain is intact",
    severity="critical",
    risk="Edited or deleted audit events hide who changed what; evidence loses its value.",
    remediation="Investigate the broken event, restore the database from a trusted backup.",
    scope="operation",
)
def core_audit_chain_intact(view: WorkspaceView) -> Iterator[Result]:
    """Verify the chain from the first event to the anchor."""
    report = view.read("audit_chain")
    if report.ok:
        yield Result(Status.PASS, "audit trail", f"all {report.checked} events link correctly")
        return
    yield Result(
        Status.FAIL,
        "audit trail",
        f"chain breaks at event {report.broken_seq}: {report.reason}",
        ({"seq": report.broken_seq, "reason": report.reason, "verified": report.checked},),
    )
