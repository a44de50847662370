"""Turn the monitoring judge's verdicts into check results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView
from dataward.monitoring.engine.judge import Monitoring, Verdict


def data(view: WorkspaceView) -> Monitoring:
    """Return the monitoring data of the view's scope."""
    found: Monitoring = view.read("monitoring")
    return found


def results(verdicts: Iterable[Verdict]) -> Iterator[Result]:
    """Return registry results for verdicts."""
    for v in verdicts:
        yield Result(Status(v.status), v.subject, v.summary, v.evidence)
