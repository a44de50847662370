"""Interpret the rows of the shipped osquery queries as a device's identity and posture.

A query that is absent (not asked on the platform, or failed) leaves its fields unknown; a query
that ran and returned rows the reader cannot decide on leaves them unknown too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from dataward.devices.engine import values as v
from dataward.devices.engine.queries import Catalogue
from dataward.devices.engine.types import Posture

Rows = list[dict[str, Any]]
JUNK_SERIALS = frozenset(
    {"", "0", "none", "default string", "not specified", "to be filled by o.e.m.",
     "system serial number", "not applicable", "0123456789"}
)  # fmt: skip
_BLOCKING = frozenset({"DROP", "REJECT"})


def _s(row: Mapping[str, Any], key: str) -> str:
    """Return a column as stripped text ('' when absent)."""
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _int(text: str) -> int | None:
    """Return an integer column, or None when it is not one."""
    try:
        return int(float(text))
    except (ValueError, OverflowError):  # not a number, or inf / nan
        return None


def _epoch(text: str) -> date | None:
    """Return the date of Unix seconds, or None (also when out of the calendar's range)."""
    seconds = _int(text)
    if not seconds or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC).date()
    except (ValueError, OverflowError, OSError):
        return None


def identity(rows: Rows | None) -> tuple[str, str, str]:
    """Return (name, serial, model) from system_info."""
    if not rows:
        return "", "", ""
    row = rows[0]
    serial = _s(row, "hardware_serial")
    return (
        _s(row, "computer_name") or _s(row, "hostname"),
        "" if serial.lower() in JUNK_SERIALS else serial,
        _s(row, "hardware_model"),
    )


def _os(rows: Rows | None) -> dict[str, Any]:
    """Return the OS fields from os_version."""
    if not rows:
        return {}
    row = rows[0]
    platform = _s(row, "platform").lower()
    name = _s(row, "name")
    version = _s(row, "version")
    if not re.fullmatch(r"[\d.]+", version) and _s(row, "major"):
        parts = [_s(row, "major"), _s(row, "minor"), _s(row, "patch")]
        version = ".".join(p for p in parts if p)
    family, key = v.os_identity(name, version)
    if platform == "darwin":
        family, key = "macos", "macos"
    elif platform == "windows":
        family, key = "windows", "windows"
    elif platform and platform not in ("posix", "linux"):
        family, key = "linux", platform
    return {
        "os_family": family,
        "os_id": key,
        "os_name": name or None,
        "os_version": version or None,
    }


def _encrypted(r: Mapping[str, Rows]) -> bool | None:
    """Return whether the system volume is encrypted (BitLocker C:, or the root's device)."""
    rows = r.get("disk_encryption")
    if rows is None:
        return None
    if rows and "drive_letter" in rows[0]:
        drive = next((x for x in rows if _s(x, "drive_letter").upper() == "C:"), None)
        status = _s(drive, "protection_status") if drive else ""
        return {"1": True, "0": False}.get(status)
    roots = r.get("root_mount") or []
    root = _s(roots[0], "device") if roots else ""
    by_name = {_s(x, "name"): _s(x, "encrypted") == "1" for x in rows}
    name = root
    while name:
        if name in by_name:
            return by_name[name]
        trimmed = re.sub(r"s\d+$", "", name)  # an APFS snapshot's volume: disk3s1s1 -> disk3s1
        name = trimmed if trimmed != name else ""
    if root.startswith(("/dev/mapper/", "/dev/dm-")) and any(by_name.values()):
        return True  # LVM on LUKS: the root is a mapped device over an encrypted one
    if root.startswith("/dev/") and not root.startswith(("/dev/mapper/", "/dev/dm-")):
        return False  # a plain partition that no encryption row covers
    return None


def _patched(rows: Rows | None) -> date | None:
    """Return the newest update date of last_patch (hotfixes, softwareupdated, packages)."""
    days: list[date] = []
    for row in rows or []:
        for key in ("installed_on", "install_time", "last_patched"):
            text = _s(row, key)
            if not text:
                continue
            try:
                day = _epoch(text) if text.isdigit() else v.parse_day(text)
            except ValueError:
                day = None
            if day:
                days.append(day)
    return max(days) if days else None


def _lock(r: Mapping[str, Rows]) -> tuple[bool | None, int | None]:
    """Return (screen lock on, minutes) from screen_lock."""
    rows = r.get("screen_lock")
    if not rows:
        return None, None
    row = rows[0]
    if _s(row, "enabled") == "0":
        return False, None
    idle = _int(_s(row, "idle_seconds"))
    grace = _int(_s(row, "grace_period")) or 0
    if idle is None:
        return (True, None) if _s(row, "enabled") == "1" else (None, None)
    if idle <= 0:
        return False, None
    return True, max(1, round((idle + grace) / 60))


def _firewall(rows: Rows | None) -> bool | None:
    """Return whether the host firewall is on (Security Center, ALF, iptables INPUT)."""
    if not rows:
        return None
    row = rows[0]
    if "firewall" in row:
        return {"good": True, "poor": False, "snoozed": False}.get(_s(row, "firewall").lower())
    if "global_state" in row:
        state = _int(_s(row, "global_state"))
        return None if state is None else state > 0
    found = {_s(x, "policy").upper() for x in rows} | {_s(x, "target").upper() for x in rows}
    return bool(found & _BLOCKING)


def _usb(rows: Rows | None) -> bool | None:
    """Return whether USB mass storage is blocked (USBSTOR Start 4; usb-storage blacklisted)."""
    if not rows:
        return None
    row = rows[0]
    if "data" in row:
        start = _int(_s(row, "data"))
        return None if start is None else start == 4
    if (_int(_s(row, "loaded")) or 0) > 0:
        return False  # the module is loaded: storage works now, whatever the configuration says
    return (_int(_s(row, "blocking_rules")) or 0) > 0


def _agents(r: Mapping[str, Rows], cat: Catalogue) -> tuple[tuple[str, ...] | None, bool | None]:
    """Return the security agents running and whether Windows reports signatures up to date."""
    procs, products = r.get("security_agents"), r.get("security_products")
    if procs is None and products is None:
        return None, None
    names = [cat.agent_of(_s(x, "name")) for x in procs or []]
    av = [x for x in products or [] if _s(x, "state").lower() == "on"]
    names += [_s(x, "name") for x in av if _s(x, "name")]
    flags = [_s(x, "signatures_up_to_date") for x in av if _s(x, "type").lower() == "antivirus"]
    current = all(f == "1" for f in flags) if flags else None
    return tuple(sorted(dict.fromkeys(names))), current


def posture(r: Mapping[str, Rows], cat: Catalogue) -> tuple[Posture, dict[str, str]]:
    """Return the posture and, per known field, the query it came from."""
    fields: dict[str, Any] = {**_os(r.get("os_version"))}
    admins = r.get("local_admins")
    if admins is not None:
        fields["local_admins"] = tuple(dict.fromkeys(_s(x, "username") for x in admins))
    software = r.get("software")
    if software is not None:
        fields["software"] = tuple(dict.fromkeys(_s(x, "name") for x in software if _s(x, "name")))
    fields["encrypted"] = _encrypted(r)
    fields["last_patched"] = _patched(r.get("last_patch"))
    fields["screen_lock"], fields["screen_lock_minutes"] = _lock(r)
    fields["firewall"] = _firewall(r.get("firewall"))
    fields["usb_storage_blocked"] = _usb(r.get("usb_storage"))
    fields["agents_running"], fields["signatures_current"] = _agents(r, cat)
    sig = r.get("signatures")
    fields["signatures_updated"] = _epoch(_s(sig[0], "updated")) if sig else None
    users = r.get("primary_user") or []
    user = _s(users[0], "username").lower() if users else ""
    if admins is not None and user:
        fields["user_is_admin"] = user in {a.lower() for a in fields["local_admins"]}
    source = {
        "os_family": "os_version", "os_id": "os_version", "os_name": "os_version",
        "os_version": "os_version", "local_admins": "local_admins", "software": "software",
        "encrypted": "disk_encryption", "last_patched": "last_patch",
        "screen_lock": "screen_lock", "screen_lock_minutes": "screen_lock",
        "firewall": "firewall", "usb_storage_blocked": "usb_storage",
        "agents_running": "security_agents", "signatures_current": "security_products",
        "signatures_updated": "signatures", "user_is_admin": "local_admins",
    }  # fmt: skip
    origin = {k: f"osquery {source[k]}" for k, value in fields.items() if value is not None}
    return Posture(**fields), origin
