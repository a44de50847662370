"""Check that devices run only approved software."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.devices.checks._common import results


@check(
    id="devices_only_approved_software",
    title="Devices run only approved software",
    severity="medium",
    scope="any",
    risk=(
        "Unapproved programs (remote-access tools, file sync, screen capture) move client data "
        "where no one controls it."
    ),
    remediation=(
        "Uninstall the unapproved programs listed, or approve them in the device policy after "
        "review, and re-import the inventory."
    ),
)
def devices_only_approved_software(view: WorkspaceView) -> Iterator[Result]:
    """Judge each device's installed software against the approved list of its OS."""
    yield from results(view, "devices_only_approved_software")
