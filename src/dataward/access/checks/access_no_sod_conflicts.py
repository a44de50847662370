"""Check that nobody holds conflicting duties."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_no_sod_conflicts",
    title="Nobody holds conflicting duties",
    severity="high",
    risk=(
        "One person holding both sides of a control (create and approve) can commit and hide fraud."
    ),
    remediation=(
        "Remove one side of the pair, or record a time-boxed exception with a compensating control."
    ),
)
def access_no_sod_conflicts(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_no_sod_conflicts")
