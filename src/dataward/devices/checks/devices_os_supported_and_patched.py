"""Check that devices run a supported OS, patched within the policy's window."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.devices.checks._common import results


@check(
    id="devices_os_supported_and_patched",
    title="Devices run a supported OS, patched within the policy's window",
    severity="high",
    scope="any",
    risk=(
        "An unsupported or unpatched OS on an agent desktop is an open door: known exploits reach "
        "every client system the device can reach."
    ),
    remediation=(
        "Update or replace the devices listed (Windows Update for Business, softwareupdate, apt "
        "or dnf), then re-import the inventory; raise the minimum versions in the device policy "
        "as vendors end support."
    ),
)
def devices_os_supported_and_patched(view: WorkspaceView) -> Iterator[Result]:
    """Judge each device's OS version against the supported minimums and its last patch date."""
    yield from results(view, "devices_os_supported_and_patched")
