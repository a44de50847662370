"""Check that an approved security agent runs on every device with fresh signatures."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.devices.checks._common import results


@check(
    id="devices_security_agent_healthy",
    title="An approved security agent runs on every device with fresh signatures",
    severity="high",
    scope="any",
    risk=(
        "Malware on one device without a working EDR or anti-malware agent can capture the "
        "credentials and screens of several client systems unseen."
    ),
    remediation=(
        "Reinstall or repair the security agent on the devices listed, make sure it updates its "
        "signatures, and re-import the inventory."
    ),
)
def devices_security_agent_healthy(view: WorkspaceView) -> Iterator[Result]:
    """Judge each device's running security agent and the age of its signatures."""
    yield from results(view, "devices_security_agent_healthy")
