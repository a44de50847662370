"""Check that access to client systems is reviewed on schedule and revocations happen."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_reviews_current",
    title="Access to client systems is reviewed on schedule and revocations happen",
    severity="high",
    risk=(
        "Without regular reviews, excess access goes unnoticed; a revocation not carried out "
        "leaves it in place."
    ),
    remediation=(
        "Run dataward access review start for the client, decide every item, close it, and "
        "re-import exports to confirm revocations."
    ),
)
def access_reviews_current(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_reviews_current")
