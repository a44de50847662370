"""Check for copy of sensitive files to removable storage: fail on alerts of its rules."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.monitoring.checks._common import data, results
from dataward.monitoring.engine.judge import detections

RULES = ("bpo_sensitive_file_to_usb",)


@check(
    id="monitoring_no_sensitive_copies_to_usb",
    title="No copy of sensitive files to removable storage",
    severity="high",
    scope="any",
    risk=("Removable media carry client data out of every control the BPO runs."),
    remediation=(
        "Recover the media, find out what was copied, and block USB storage by device policy."
    ),
)
def monitoring_no_sensitive_copies_to_usb(view: WorkspaceView) -> Iterator[Result]:
    """Fail on each alert of the rules in the lookback window that is not a false positive."""
    yield from results(
        detections(data(view), RULES, "copies of sensitive files to removable storage")
    )
