"""Check that unused accounts and entitlements are removed."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_no_dormant_accounts",
    title="Unused accounts and entitlements are removed",
    severity="medium",
    risk="Dormant accounts are easy to take over unnoticed and widen who can reach client data.",
    remediation="Disable accounts and remove entitlements unused beyond the dormancy window.",
)
def access_no_dormant_accounts(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_no_dormant_accounts")
