"""Check that privileged accounts use MFA."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_privileged_accounts_have_mfa",
    title="Privileged accounts use MFA",
    severity="critical",
    risk=(
        "An administrator account protected only by a password can take over every client's "
        "systems."
    ),
    remediation="Enforce MFA for every privileged account, starting with directory administrators.",
    scope="operation",
)
def access_privileged_accounts_have_mfa(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_privileged_accounts_have_mfa")
