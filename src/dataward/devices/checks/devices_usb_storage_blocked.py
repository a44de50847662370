"""Check that USB mass storage is blocked on every device."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.devices.checks._common import results


@check(
    id="devices_usb_storage_blocked",
    title="USB mass storage is blocked on every device",
    severity="high",
    scope="any",
    risk=(
        "Removable storage is the quickest, hardest-to-see way to carry bulk client data out of a "
        "contact centre."
    ),
    remediation=(
        "Block removable storage through the MDM (Intune device restriction, a Jamf profile, a "
        "usb-storage modprobe blacklist); name approved encrypted media as exceptions, and "
        "re-import."
    ),
)
def devices_usb_storage_blocked(view: WorkspaceView) -> Iterator[Result]:
    """Judge whether each device blocks USB mass storage."""
    yield from results(view, "devices_usb_storage_blocked")
