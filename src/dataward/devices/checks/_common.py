"""Turn the device rules' findings for the view's scope into check results."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView
from dataward.core.engine.memory import paused_gc
from dataward.devices.engine.judge import NO_DEVICES, findings, in_scope


def results(view: WorkspaceView, check: str) -> Iterator[Result]:
    """Yield the results of one rule over the devices of the view's client (or the operation).

    A client's scope is the devices of people assigned to it; the operation's is the devices of
    people with no client and devices linked to no one on the HR roster.
    """
    fleet = view.read("devices_fleet")
    scope = None if view.is_operation else view.client.slug
    if not fleet.imported:
        yield Result(Status.NOT_APPLICABLE, scope or "operation", NO_DEVICES)
        return
    with paused_gc():  # thousands of verdicts over a large heap: collect once, after
        found = findings(check, in_scope(fleet.entries, scope), fleet.policy, scope, fleet.today)
    for f in found:
        yield Result(Status(f.status), f.subject, f.summary, f.evidence)
