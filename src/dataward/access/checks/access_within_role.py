"""Check that access fits each person's job role."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_within_role",
    title="Access fits each person's job role",
    severity="medium",
    risk="Access beyond the role matrix lets people reach data their work does not need.",
    remediation=(
        "Remove the extra entitlements, change the role matrix if the role really needs them,"
        " or record an exception."
    ),
)
def access_within_role(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_within_role")
