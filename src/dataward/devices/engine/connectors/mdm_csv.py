"""Read a device inventory exported by any MDM as CSV or XLSX, one device per row.

Headers are matched by name whatever their case or punctuation, with common spellings as
aliases; ``--map FIELD=HEADER`` names any other. A cell the reader cannot understand fails the
whole file with one line naming the file, row and field (never the value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dataward.core.engine.tabular import Row, read_rows
from dataward.devices.engine import values as v
from dataward.devices.engine.types import UNNAMED, Device, DeviceImport, Posture
from dataward.errors import ImportFileError

FIELDS = (
    "name", "serial", "model", "user", "employee_id", "site", "remote", "managed", "ownership",
    "last_seen", "os", "os_version", "last_patched", "encrypted", "local_admins",
    "user_is_admin", "agent", "agent_running", "signatures_updated", "signatures_current",
    "signatures_overdue", "firewall", "screen_lock_minutes", "usb_storage", "software",
)  # fmt: skip
GENERIC_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("device name", "device", "hostname", "computer name", "computer", "asset name"),
    "serial": ("serial number", "serial no", "serialnumber", "service tag"),
    "model": ("device model", "hardware model", "product name"),
    "user": (
        "primary user", "user principal name", "upn", "user email", "email", "username",
        "assigned user", "owner",
    ),
    "employee_id": ("employee id", "employee number", "emp id", "staff id"),
    "site": ("location", "office", "building"),
    "remote": ("remote worker", "work location", "work mode", "home worker"),
    "managed": ("is managed", "managed status", "enrolled"),
    "ownership": ("owner type", "device ownership"),
    "last_seen": ("last check in", "last checkin", "last contact", "last seen at", "last sync"),
    "os": ("operating system", "os name", "platform"),
    "os_version": ("operating system version", "os build"),
    "last_patched": (
        "last patch date", "last patched date", "last update", "last updated", "patched on",
    ),
    "encrypted": ("disk encryption", "disk encrypted", "encryption", "full disk encryption"),
    "local_admins": ("local administrators", "local admins", "admin accounts"),
    "user_is_admin": ("user is admin", "user is local admin", "local admin"),
    "agent": ("security agent", "antivirus", "edr", "endpoint protection", "av product"),
    "agent_running": ("security agent running", "agent running", "av running", "edr running"),
    "signatures_updated": ("signature date", "signatures date", "definitions updated"),
    "signatures_current": ("signatures up to date", "definitions up to date"),
    "signatures_overdue": ("signature update overdue", "definitions overdue"),
    "firewall": ("firewall enabled", "firewall status", "firewall state"),
    "screen_lock_minutes": (
        "screen lock", "screen lock minutes", "idle lock minutes", "inactivity lock",
    ),
    "usb_storage": ("usb mass storage", "removable storage", "usb storage blocked"),
    "software": ("installed software", "applications", "apps", "installed apps"),
}  # fmt: skip
LIMITS = {"name": 200, "serial": 100, "model": 200, "user": 254, "employee_id": 64, "site": 100}
NOT_YES_NO = "is not a yes/no value"


@dataclass(frozen=True)
class Dialect:
    """How one MDM's export is read: its column spellings and what it implies by default."""

    kind: str
    columns: Mapping[str, Sequence[str]]
    agent: str = ""  # the agent a running flag stands for when no column names it


def _text(row: Row, name: str) -> str:
    """Return a cell's text once it fits the store: no NUL, not too long."""
    text = row.text(name)
    if "\x00" in text:
        raise row.error(name, "holds a NUL character", "re-export the file as plain text")
    limit = LIMITS.get(name, 4000)
    if len(text) > limit:
        raise row.error(name, f"is {len(text)} characters long, over {limit}", "check the column")
    return text


def _flag(row: Row, name: str, origin: dict[str, str]) -> bool | None:
    """Return a yes/no cell (None when empty or 'unknown'), noting where it came from."""
    text = _text(row, name)
    if not text:
        return None
    try:
        value = v.yes_no(text)
    except ValueError:
        raise row.error(name, NOT_YES_NO, "write e.g. yes or no, on or off") from None
    if value is not None:
        origin[name] = f"{Path(row.path).name} row {row.number}, {name}"
    return value


def _day(row: Row, name: str, origin: dict[str, str]) -> date | None:
    """Return a date cell (None when empty), noting where it came from."""
    text = _text(row, name)
    try:
        day = v.parse_day(text) if text else None
    except ValueError:
        raise row.error(name, "is not a date", "write YYYY-MM-DD") from None
    if day is not None:
        origin[name] = f"{Path(row.path).name} row {row.number}, {name}"
    return day


def _list(row: Row, name: str, origin: dict[str, str]) -> tuple[str, ...] | None:
    """Return a list cell: None when empty (the source does not say), () when it says none."""
    text = _text(row, name)
    if not text:
        return None
    origin[name] = f"{Path(row.path).name} row {row.number}, {name}"
    return () if v.words(text) in ("none", "(none)") else v.names(text)


def _remote(row: Row) -> bool | None:
    """Return the remote flag: yes/no, or a word such as Remote, Home or Office."""
    try:
        return v.remote(_text(row, "remote"))
    except ValueError:
        raise row.error("remote", NOT_YES_NO, "write yes, no, remote or office") from None


def _agents(row: Row, dialect: Dialect, origin: dict[str, str]) -> tuple[str, ...] | None:
    """Return the security agents seen running: the named agent when the flag says so."""
    running = _flag(row, "agent_running", origin)
    if running is None:
        return None
    origin["agents_running"] = origin.pop("agent_running")
    if not running:
        return ()
    return (_text(row, "agent") or dialect.agent or UNNAMED,)


def _lock(row: Row, origin: dict[str, str]) -> tuple[bool | None, int | None]:
    """Return (screen lock on, minutes) from the screen lock cell."""
    text = _text(row, "screen_lock_minutes")
    try:
        found = v.minutes(text)
    except ValueError:
        raise row.error(
            "screen_lock_minutes", "is not a number of minutes", "write e.g. 5, or never"
        ) from None
    if found != (None, None):
        origin["screen_lock"] = origin["screen_lock_minutes"] = (
            f"{Path(row.path).name} row {row.number}, screen_lock_minutes"
        )
    return found


def _posture(row: Row, dialect: Dialect, origin: dict[str, str]) -> Posture:
    """Return the posture a row reports."""
    os_name = _text(row, "os")
    version = _text(row, "os_version")
    family, key = v.os_identity(os_name, version)
    for name, known in (("os", os_name), ("os_version", version)):
        if known:
            origin[name] = f"{Path(row.path).name} row {row.number}, {name}"
    admins = _list(row, "local_admins", origin)
    software = _list(row, "software", origin)
    current = _flag(row, "signatures_current", origin)
    overdue = _flag(row, "signatures_overdue", origin)
    if current is None and overdue is not None:
        current = not overdue
        origin["signatures_current"] = origin.pop("signatures_overdue")
    lock, lock_minutes = _lock(row, origin)
    usb = _flag(row, "usb_storage", origin)
    if usb is not None:
        origin["usb_storage_blocked"] = origin.pop("usb_storage")
    return Posture(
        os_family=family,
        os_id=key,
        os_name=os_name or None,
        os_version=version or None,
        last_patched=_day(row, "last_patched", origin),
        encrypted=_flag(row, "encrypted", origin),
        local_admins=admins,
        user_is_admin=_flag(row, "user_is_admin", origin),
        agents_running=_agents(row, dialect, origin),
        signatures_updated=_day(row, "signatures_updated", origin),
        signatures_current=current,
        firewall=_flag(row, "firewall", origin),
        screen_lock=lock,
        screen_lock_minutes=lock_minutes,
        usb_storage_blocked=usb,
        software=software,
    )


def _device(row: Row, dialect: Dialect) -> Device:
    """Return one device from one row."""
    origin: dict[str, str] = {}
    posture = _posture(row, dialect, origin)
    try:
        seen = v.parse_moment(_text(row, "last_seen"))
    except ValueError:
        raise row.error("last_seen", "is not a timestamp", "write ISO 8601") from None
    return Device(
        name=_text(row, "name") or row.text("name", required=True),
        serial=_text(row, "serial"),
        model=_text(row, "model"),
        user=_text(row, "user").lower(),
        employee_id=_text(row, "employee_id"),
        site=_text(row, "site"),
        remote=_remote(row),
        managed=_flag(row, "managed", {}),
        ownership=_text(row, "ownership"),
        last_seen=seen,
        posture=posture,
        origin=origin,
        row=row.number,
    )


def read_devices(
    path: Path, dialect: Dialect, mapping: Mapping[str, str] | None = None
) -> DeviceImport:
    """Read every device row of an export; a device may appear once (by serial, else name)."""
    unknown = sorted(set(mapping or {}) - set(FIELDS))
    if unknown:
        raise ImportFileError(
            f"--map names unknown field {unknown[0]!r}", str(path), f"use {', '.join(FIELDS)}"
        )
    devices: list[Device] = []
    seen: dict[str, int] = {}
    for row in read_rows(path, dialect.columns, ("name",), mapping or {}):
        device = _device(row, dialect)
        if device.key in seen:
            field_name = "serial" if device.serial else "name"
            raise row.error(
                field_name, f"repeats row {seen[device.key]}", "keep one row per device"
            )
        seen[device.key] = row.number
        devices.append(device)
    if not devices:
        raise ImportFileError(
            "has a header but no device rows", str(path), "export it again; nothing was changed"
        )
    notes = []
    if not any("encrypted" in d.origin for d in devices):
        notes.append("the export says nothing about disk encryption: that rule stays unknown")
    return DeviceImport(dialect.kind, tuple(devices), tuple(notes))


def read_mdm_csv(path: Path, mapping: Mapping[str, str] | None = None) -> DeviceImport:
    """Read a generic MDM export (CSV or XLSX) with ``--map FIELD=HEADER`` for other headers."""
    return read_devices(path, Dialect("mdm-csv", GENERIC_COLUMNS), mapping)
