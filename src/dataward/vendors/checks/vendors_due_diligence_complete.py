"""Check that each vendor's due-diligence questionnaire is complete and shows no bad answer."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.vendors.checks._common import results
from dataward.vendors.engine.rules import diligence


@check(
    id="vendors_due_diligence_complete",
    title="Vendors have answered due diligence for their tier with no bad answers",
    severity="medium",
    scope="any",
    risk=(
        "A vendor engaged without due diligence, or whose answers reveal weak controls, "
        "brings unknown or known weaknesses into the service to clients."
    ),
    remediation=(
        "Send the questionnaire (dataward vendors questionnaire template --skeleton), record "
        "the answers with evidence (vendors questionnaire answer), and treat every bad answer."
    ),
)
def vendors_due_diligence_complete(view: WorkspaceView) -> Iterator[Result]:
    """Fail gaps in recorded answers; warn (not fail) when no questionnaire is on record."""
    scope = view.read("vendors_in_scope")
    findings = diligence(scope.vendors, scope.template, view.now.date())
    yield from results(view, findings, "no vendor to judge")
