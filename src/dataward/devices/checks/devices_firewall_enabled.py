"""Check that the host firewall is on on every device."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.devices.checks._common import results


@check(
    id="devices_firewall_enabled",
    title="The host firewall is on on every device",
    severity="medium",
    scope="any",
    risk=(
        "A device with its firewall off exposes its services to every other machine on the home "
        "or office network."
    ),
    remediation=(
        "Turn the firewall on through the MDM policy (Windows Defender Firewall, the macOS "
        "application firewall, ufw or firewalld) and re-import."
    ),
)
def devices_firewall_enabled(view: WorkspaceView) -> Iterator[Result]:
    """Judge each device's host firewall."""
    yield from results(view, "devices_firewall_enabled")
