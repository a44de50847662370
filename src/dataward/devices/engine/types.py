"""The plain records the device engine reads and judges: a device and its security posture.

Every posture field is None when the source says nothing about it ("unknown"), so a rule can
tell "not encrypted" (False) from "the export has no encryption column" (None) and never
passes a device on silence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any

#: Operating-system families a device may belong to.
FAMILIES = ("windows", "macos", "linux", "ios", "android", "chromeos", "other")
#: Where a device works: decided by the source's remote flag, else the policy's remote sites.
REMOTE, ON_SITE, UNKNOWN_PLACE = "remote", "on site", "unknown"
#: A security agent reported running without a name (no policy name can match it).
UNNAMED = "(unnamed agent)"


@dataclass(frozen=True)
class Posture:
    """What a source says about a device's security settings (None: it does not say)."""

    os_family: str | None = None  # one of FAMILIES
    os_id: str | None = None  # the key the policy's minimum versions use: windows, macos, ubuntu
    os_name: str | None = None  # as the source names it, e.g. "Ubuntu 24.04.1 LTS"
    os_version: str | None = None
    last_patched: date | None = None
    encrypted: bool | None = None
    local_admins: tuple[str, ...] | None = None  # accounts with local administrator rights
    user_is_admin: bool | None = None  # the device's primary user is a local administrator
    agents_running: tuple[str, ...] | None = None  # security agents seen running
    signatures_updated: date | None = None
    signatures_current: bool | None = None  # the source's own "signatures up to date" flag
    firewall: bool | None = None
    screen_lock: bool | None = None  # the screen locks when idle at all
    screen_lock_minutes: int | None = None
    usb_storage_blocked: bool | None = None
    software: tuple[str, ...] | None = None  # installed software names


@dataclass(frozen=True)
class Device:
    """One device as one source reports it.

    ``user`` is the primary user as the source names them (UPN, email or username);
    ``origin`` says, per posture field, where the value came from (a column, a query, a probe),
    so evidence can point at it. ``remote`` None means the source does not say.
    """

    name: str
    serial: str = ""
    model: str = ""
    user: str = ""
    employee_id: str = ""
    site: str = ""
    remote: bool | None = None
    managed: bool | None = None
    ownership: str = ""
    last_seen: datetime | None = None
    posture: Posture = field(default_factory=Posture)
    origin: dict[str, str] = field(default_factory=dict)
    row: int = 0

    @property
    def key(self) -> str:
        """Return the identity kept across imports: the serial number, else the name."""
        return (self.serial or self.name).strip().lower()


@dataclass(frozen=True)
class DeviceImport:
    """What one connector read: the devices and notes for the user (never raw values)."""

    kind: str
    devices: tuple[Device, ...]
    notes: tuple[str, ...] = ()


def _plain(value: Any) -> Any:
    """Return a value as JSON-ready plain data (dates as ISO text, tuples as lists)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def as_state(device: Device) -> dict[str, Any]:
    """Return a device as plain data, the shape stored in the posture history."""
    body = {f.name: _plain(getattr(device, f.name)) for f in fields(device) if f.name != "posture"}
    body["posture"] = {k: _plain(v) for k, v in asdict(device.posture).items()}
    body.pop("row")
    return body


_DATES = frozenset({"last_patched", "signatures_updated"})
_LISTS = frozenset({"local_admins", "agents_running", "software"})


def from_state(state: dict[str, Any], row: int = 0) -> Device:
    """Return the device a stored state describes (the inverse of ``as_state``)."""
    raw = dict(state.get("posture") or {})
    known = {f.name for f in fields(Posture)}
    posture: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            continue  # a field a later version dropped
        if value is not None and key in _DATES:
            value = date.fromisoformat(value)
        elif value is not None and key in _LISTS:
            value = tuple(value)
        posture[key] = value
    seen = state.get("last_seen")
    return Device(
        name=state["name"],
        serial=state.get("serial", ""),
        model=state.get("model", ""),
        user=state.get("user", ""),
        employee_id=state.get("employee_id", ""),
        site=state.get("site", ""),
        remote=state.get("remote"),
        managed=state.get("managed"),
        ownership=state.get("ownership", ""),
        last_seen=datetime.fromisoformat(seen) if seen else None,
        posture=Posture(**posture),
        origin=dict(state.get("origin") or {}),
        row=row,
    )
