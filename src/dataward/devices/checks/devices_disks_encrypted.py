"""Check that device disks are fully encrypted."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.devices.checks._common import results


@check(
    id="devices_disks_encrypted",
    title="Device disks are fully encrypted",
    severity="high",
    scope="any",
    risk=(
        "A lost or stolen laptop without full-disk encryption hands every client record on it to "
        "whoever finds it."
    ),
    remediation=(
        "Turn on BitLocker, FileVault or LUKS on the devices listed (escrow the recovery keys in "
        "the MDM) and re-import the inventory."
    ),
)
def devices_disks_encrypted(view: WorkspaceView) -> Iterator[Result]:
    """Judge each device's system-disk encryption."""
    yield from results(view, "devices_disks_encrypted")
