"""Read a Microsoft Intune device export (CSV or XLSX): the Intune-like column set.

The columns of Intune's "All devices" export (Devices > All devices > Export) are read under
their own names; the posture columns Intune keeps in other reports (Microsoft Defender antivirus
agent status, Windows Update for Business quality updates, compliance settings) are read when the
export was joined with them, under the names docs/devices.md lists. ``--map FIELD=HEADER``
names any other column.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dataward.devices.engine.connectors.mdm_csv import GENERIC_COLUMNS, Dialect, read_devices
from dataward.devices.engine.types import DeviceImport

INTUNE_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("device name", "devicename", "managed device name"),
    "serial": ("serial number", "serialnumber"),
    "model": ("model",),
    "user": (
        "primary user upn", "primary user email address", "userprincipalname", "upn",
        "user principal name", "useremail", "primary user",
    ),
    "employee_id": ("employee id", "employeeid"),
    "site": ("site", "location", "office"),
    "remote": ("work location", "remote"),
    "managed": ("ismanaged", "intune registered"),
    "ownership": ("ownership", "ownertype"),
    "last_seen": ("last check in", "lastsyncdatetime", "last sync", "last contact"),
    "os": ("os", "operating system", "operatingsystem"),
    "os_version": ("os version", "osversion"),
    "last_patched": (
        "last quality update", "latest quality update installed", "last patched", "last patch date",
    ),
    "encrypted": ("encrypted", "isencrypted", "bitlocker"),
    "local_admins": ("local administrators", "local admins"),
    "user_is_admin": ("primary user is local admin", "user is local admin"),
    "agent": ("antivirus", "security agent", "antivirus product"),
    "agent_running": (
        "real time protection", "realtimeprotectionenabled", "iswdatpsenserunning",
        "defender for endpoint sensor running", "security agent running",
    ),
    "signatures_updated": ("last signature update", "signature last updated"),
    "signatures_current": ("signatures up to date",),
    "signatures_overdue": ("signature update overdue", "signatureupdateoverdue"),
    "firewall": ("firewall", "firewall status", "windows firewall"),
    "screen_lock_minutes": (
        "max minutes of inactivity until screen locks", "max inactivity minutes",
        "screen lock minutes", "screen lock",
    ),
    "usb_storage": ("removable storage", "usb storage"),
    "software": ("discovered apps", "installed software"),
}  # fmt: skip
INTUNE = Dialect(
    "intune",
    {k: (*INTUNE_COLUMNS.get(k, ()), *GENERIC_COLUMNS[k]) for k in GENERIC_COLUMNS},
    agent="Microsoft Defender",
)


def read_intune(path: Path, mapping: Mapping[str, str] | None = None) -> DeviceImport:
    """Read an Intune device export, one device per row."""
    return read_devices(path, INTUNE, mapping)
