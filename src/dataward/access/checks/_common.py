"""Turn an access rule's outcome into check results."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView

NOTHING_IMPORTED = (
    "no identities imported yet: run dataward access import hr ROSTER, then directory and "
    "entitlements exports"
)


def judge(view: WorkspaceView, rule_id: str) -> Iterator[Result]:
    """Yield a failure (or warning) per violation, or one pass naming what was checked."""
    outcomes = view.read("access_outcomes")
    if outcomes is None:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, NOTHING_IMPORTED)
        return
    outcome = outcomes[rule_id]
    if outcome.not_applicable:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, outcome.not_applicable)
        return
    for v in outcome.violations:
        status = Status.WARNING if v.warning else Status.FAIL
        yield Result(status, v.subject, v.summary, v.evidence)
    if not outcome.violations:
        yield Result(Status.PASS, view.client.slug, outcome.passed)
