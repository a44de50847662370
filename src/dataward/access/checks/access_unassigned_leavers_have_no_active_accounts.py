"""Check that leavers who served no client account lose their accounts within the SLA."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_unassigned_leavers_have_no_active_accounts",
    title="Leavers outside any client account lose their accounts within the SLA",
    severity="high",
    risk=(
        "Back-office and support staff reach shared systems too; an account left enabled after "
        "they leave can be misused unnoticed."
    ),
    remediation="Disable the directory account; tighten the HR-to-IT leaver process.",
    scope="operation",
)
def access_unassigned_leavers_have_no_active_accounts(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities (people assigned to no client)."""
    yield from judge(view, "access_unassigned_leavers_have_no_active_accounts")
