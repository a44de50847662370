"""Check that every account belongs to one named person."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_no_shared_accounts",
    title="Every account belongs to one named person",
    severity="high",
    risk=(
        "Actions under a shared account cannot be traced to a person, which breaks "
        "accountability and audits."
    ),
    remediation=(
        "Replace the shared account with personal accounts, or declare a service account with"
        " an owner."
    ),
)
def access_no_shared_accounts(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_no_shared_accounts")
