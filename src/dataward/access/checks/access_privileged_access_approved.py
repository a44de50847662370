"""Check that privileged access is approved by someone else."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_privileged_access_approved",
    title="Privileged access is approved by someone else",
    severity="high",
    risk="Self-granted or unapproved administrator rights bypass the four-eyes principle.",
    remediation=(
        "Record an approval by a listed approver for each privileged entitlement, or remove it."
    ),
)
def access_privileged_access_approved(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_privileged_access_approved")
