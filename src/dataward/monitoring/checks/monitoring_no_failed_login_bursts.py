"""Check for burst of failed sign-ins or password spraying: fail on alerts of its rules."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import detections

RULES = ("bpo_failed_login_burst", "bpo_password_spray")


@check(
    id="monitoring_no_failed_login_bursts",
    title="No burst of failed sign-ins or password spraying",
    severity="high",
    scope="any",
    risk=(
        "Many failed sign-ins in minutes are password guessing; one success after them is a taken "
        "account."
    ),
    remediation=(
        "Check whether a success followed, reset the password, confirm MFA, and block the source "
        "address."
    ),
)
def monitoring_no_failed_login_bursts(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each alert of the rules in the lookback window that is not a false positive."""
    yield from results(detections(data(view), RULES, "failed sign-in bursts"))
