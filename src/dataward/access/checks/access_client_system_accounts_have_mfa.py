"""Check that accounts that reach client systems use MFA."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_client_system_accounts_have_mfa",
    title="Accounts that reach client systems use MFA",
    severity="high",
    risk="A stolen password alone opens client records when MFA is not enforced.",
    remediation=(
        "Enforce MFA through conditional access or the system's own policy; registration "
        "alone is not enough."
    ),
)
def access_client_system_accounts_have_mfa(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_client_system_accounts_have_mfa")
