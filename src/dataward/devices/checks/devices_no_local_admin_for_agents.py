"""Check that agents' devices give no local administrator rights beyond the allowed accounts."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.devices.checks._common import results


@check(
    id="devices_no_local_admin_for_agents",
    title="Agents' devices give no local administrator rights beyond the allowed accounts",
    severity="high",
    scope="any",
    risk=(
        "An agent with local admin rights can install screen recorders, sync tools or malware and "
        "switch off the controls that keep client data on the device."
    ),
    remediation=(
        "Remove the agent's account from the local Administrators (admin, sudo, wheel) group "
        "through the MDM, keep only the allowed break-glass accounts, and re-import."
    ),
)
def devices_no_local_admin_for_agents(view: WorkspaceView) -> Iterator[Result]:
    """Judge the local administrators of each agent's device (and of devices linked to no one)."""
    yield from results(view, "devices_no_local_admin_for_agents")
