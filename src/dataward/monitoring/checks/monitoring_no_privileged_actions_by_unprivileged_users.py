"""Check that the rules below raised no alert in the lookback window."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import detections

RULES = ("bpo_privileged_action_by_unprivileged",)


@check(
    id="monitoring_no_privileged_actions_by_unprivileged_users",
    title="No privileged action by an account without a privileged role",
    severity="high",
    scope="any",
    risk=(
        "An identity or permission change by an account not meant to make one means escalated or "
        "delegated rights nobody reviewed."
    ),
    remediation=(
        "Find how the account could make the change, remove the right, and review what it changed."
    ),
)
def monitoring_no_privileged_actions_by_unprivileged_users(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each alert of the rules in the lookback window that is not a false positive."""
    yield from results(detections(data(view), RULES, "privileged actions by unprivileged accounts"))
