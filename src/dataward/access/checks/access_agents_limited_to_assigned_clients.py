"""Check that staff reach only the clients they are assigned to."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.access.checks._common import judge
from dataward.controls.engine.registry import Result, WorkspaceView, check


@check(
    id="access_agents_limited_to_assigned_clients",
    title="Staff reach only the clients they are assigned to",
    severity="critical",
    risk=(
        "Access to another client's systems breaks the separation clients contract for and "
        "exposes their data."
    ),
    remediation=(
        "Remove the entitlements on the other client's systems, or update the HR assignment "
        "if it is real."
    ),
)
def access_agents_limited_to_assigned_clients(view: WorkspaceView) -> Iterator[Result]:
    """Evaluate the rule over the imported identities and access."""
    yield from judge(view, "access_agents_limited_to_assigned_clients")
