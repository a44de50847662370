"""Check that expired access exceptions do not leave access behind."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_exceptions_not_expired",
    title="Expired access exceptions do not leave access behind",
    severity="medium",
    risk="An exception that outlives its end date turns a temporary risk into a permanent one.",
    remediation=(
        "Remove the access the exception allowed, or renew the exception with a new approval."
    ),
)
def access_exceptions_not_expired(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_exceptions_not_expired")
