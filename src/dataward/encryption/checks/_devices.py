"""Judge the disk encryption of devices that hold a client's data, when the devices package is in.

The devices package offers its inventory, each device linked to a person, through the
``devices_fleet`` reader. A device whose person is assigned to the client handles the client's
data. The reader is used by its shape only (no import of the devices package), so without that
package installed, or before any device import, this part of the at-rest check says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dataward.controls.engine.registry import Result, Status, WorkspaceView
from dataward.errors import DatawardError

#: The devices package's reader: its inventory linked to people (``Fleet``).
READER = "devices_fleet"
EVIDENCE_ROWS = 100


def _read(view: WorkspaceView) -> list[Any] | None:
    """Return the inventory entries of people assigned to this client, or None without any."""
    try:
        fleet = view.read(READER)
    except DatawardError as exc:
        if exc.what.startswith("no reader named"):
            return None
        raise
    if fleet is None or not getattr(fleet, "imported", True):
        return None
    slug = view.client.slug
    return [
        e
        for e in fleet.entries
        if e.person is not None and slug in (getattr(e.person, "clients", None) or ())
    ]


def _facts(entry: Any) -> tuple[str, bool | None]:
    """Return (subject, encrypted) of an inventory entry (its user is not repeated here)."""
    device = entry.device
    return str(entry.label or device.name), device.posture.encrypted


def device_results(view: WorkspaceView) -> Iterator[Result]:
    """Fail each unencrypted device holding the client's data; warn on those not reported."""
    items = _read(view)
    if not items:
        return
    facts = [_facts(i) for i in items]
    slug = view.client.slug
    for label, encrypted in facts:
        if encrypted is False:
            summary = f"device {label} handles {slug} data and its disk is not encrypted"
            yield Result(Status.FAIL, label, summary, ({"device": label, "encrypted": False},))
    unknown = [label for label, encrypted in facts if encrypted is None]
    if unknown:
        summary = f"{len(unknown)} device(s) handling {slug} data do not report disk encryption"
        rows = tuple({"device": d, "encrypted": None} for d in unknown[:EVIDENCE_ROWS])
        yield Result(Status.WARNING, f"{slug} devices", summary, rows)
    good = sum(1 for _, encrypted in facts if encrypted)
    if good:
        summary = f"{good} device(s) handling {slug} data have encrypted disks"
        yield Result(Status.PASS, f"{slug} devices", summary)
