"""Check that leavers lose their accounts and access within the SLA."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_leavers_have_no_active_accounts",
    title="Leavers lose their accounts and access within the SLA",
    severity="critical",
    risk="A person who has left can still reach client data, and nobody would notice the misuse.",
    remediation=(
        "Disable the directory account and remove every entitlement; tighten the HR-to-IT "
        "leaver process."
    ),
)
def access_leavers_have_no_active_accounts(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_leavers_have_no_active_accounts")
