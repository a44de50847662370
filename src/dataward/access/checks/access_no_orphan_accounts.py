"""Check that every account has an owner on the HR roster."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_no_orphan_accounts",
    title="Every account has an owner on the HR roster",
    severity="medium",
    risk="Accounts nobody owns are neither reviewed nor removed when people leave.",
    remediation=(
        "Link the account to its owner, confirm the suggested match, declare it as a service "
        "account, or disable it."
    ),
)
def access_no_orphan_accounts(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_no_orphan_accounts")
