"""Check for sensitive attachment e-mailed outside the organisation: fail on alerts of its rules."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import detections

RULES = ("bpo_sensitive_attachment_external",)


@check(
    id="monitoring_no_sensitive_email_to_external_domains",
    title="No sensitive attachment e-mailed outside the organisation",
    severity="high",
    scope="any",
    risk=("A sensitive file mailed outside is a disclosure that may need notifying to the client."),
    remediation=(
        "Ask the recipient to delete it, assess whether it is a notifiable breach, and use the "
        "approved transfer channel."
    ),
)
def monitoring_no_sensitive_email_to_external_domains(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each alert of the rules in the lookback window that is not a false positive."""
    yield from results(detections(data(view), RULES, "sensitive attachments sent outside"))
