"""Check that joiners complete the client's required training before getting its access."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.training.checks._common import results
from dataward.training.engine.rules import access_before_training


@check(
    id="training_completed_before_client_access",
    title="Joiners complete the client's required training before getting access to its systems",
    severity="high",
    risk=(
        "A new agent given access to a client's systems before its data-handling training works "
        "on card, health or personal data without knowing the rules the client contracted for."
    ),
    remediation=(
        "Suspend the joiner's access to the client's systems until the course is completed, and "
        "make provisioning wait for the LMS completion."
    ),
)
def training_completed_before_client_access(view: WorkspaceView) -> Iterator[Result]:
    """Judge each joiner holding access to the client's systems."""
    data = view.read("training_data")
    yield from results(access_before_training(data, view.read("training_client_access")))
