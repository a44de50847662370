"""Check that movers lose the access of their previous role."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_movers_lose_old_access",
    title="Movers lose the access of their previous role",
    severity="high",
    risk=(
        "Access kept after a role change accumulates until one person can do far more than "
        "the job needs."
    ),
    remediation=(
        "Remove the entitlements the new role does not need, or record a time-boxed exception."
    ),
)
def access_movers_lose_old_access(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_movers_lose_old_access")
