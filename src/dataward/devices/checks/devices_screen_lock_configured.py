"""Check that screens lock within the policy's idle minutes."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.devices.checks._common import results


@check(
    id="devices_screen_lock_configured",
    title="Screens lock within the policy's idle minutes",
    severity="medium",
    scope="any",
    risk=(
        "An unlocked screen on a busy floor or at home shows client data to anyone passing and "
        "lets them act under the agent's identity."
    ),
    remediation=(
        "Set the idle lock through the MDM (Intune device restriction, a Jamf configuration "
        "profile, GNOME settings) to the policy's minutes and re-import."
    ),
)
def devices_screen_lock_configured(view: WorkspaceView) -> Iterator[Result]:
    """Judge each device's idle screen lock against the minutes allowed."""
    yield from results(view, "devices_screen_lock_configured")
