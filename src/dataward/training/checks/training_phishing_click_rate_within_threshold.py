"""Check that no team clicks simulated phishing emails more often than the threshold allows."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.training.checks._common import results
from dataward.training.engine.rules import phishing_rates


@check(
    id="training_phishing_click_rate_within_threshold",
    title="Each team's phishing-simulation click rate stays within the threshold",
    severity="medium",
    risk=(
        "A team that clicks simulated phishing links will click real ones: one click can hand an "
        "attacker the credentials to a client's systems."
    ),
    remediation=(
        "Give the team's clickers follow-up training, brief the team lead, and run a targeted "
        "simulation; import the next results with dataward training import phishing."
    ),
    scope="operation",
)
def training_phishing_click_rate_within_threshold(view: WorkspaceView) -> Iterator[Result]:
    """Judge each team's click rate over the campaigns in the window."""
    yield from results(phishing_rates(view.read("training_data")))
