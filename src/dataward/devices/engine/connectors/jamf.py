"""Read a Jamf Pro computer inventory (JSON): the Jamf-like record set.

Two shapes are read: Classic API computer records (``general``, ``location``, ``hardware``,
``operating_system``, ``security``, ``local_accounts`` or ``groups_accounts.local_accounts``,
``software.applications``, ``extension_attributes``) as a list, under ``computers`` or each
wrapped as ``{"computer": {...}}``; and the Jamf Pro API's ``/api/v1/computers-inventory`` page
(``results`` with ``general``, ``userAndLocation``, ``operatingSystem``, ``diskEncryption``,
``security``, ``localUserAccounts``, ``applications``, ``extensionAttributes``). What Jamf keeps
only in extension attributes (patch date, screen lock, USB, security agent) is read from the
attribute names docs/devices.md lists, or the name ``--map FIELD=ATTRIBUTE`` gives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from dataward.devices.engine import values as v
from dataward.devices.engine.types import UNNAMED, Device, DeviceImport, Posture
from dataward.errors import ImportFileError

ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "last_patched": ("last os update", "last software update", "last patched", "last patch date"),
    "agent": ("security agent", "edr", "antivirus"),
    "agent_running": ("security agent running", "edr running", "antivirus running"),
    "signatures_updated": ("signatures updated", "security agent signatures", "xprotect updated"),
    "screen_lock_minutes": ("screen lock delay minutes", "screen saver idle time", "screen lock"),
    "usb_storage": ("usb mass storage", "removable storage", "usb storage"),
    "remote": ("work location", "remote"),
    "employee_id": ("employee id",),
}
FIELDS = tuple(ATTRIBUTES)
_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "name": (("general", "name"),),
    "serial": (
        ("general", "serial_number"), ("hardware", "serialNumber"), ("hardware", "serial_number"),
    ),
    "model": (("hardware", "model"),),
    "username": (("location", "username"), ("userAndLocation", "username")),
    "email": (("location", "email_address"), ("userAndLocation", "email")),
    "site": (("general", "site", "name"), ("location", "building")),
    "seen": (
        ("general", "last_contact_time_utc"), ("general", "last_contact_time"),
        ("general", "lastContactTime"),
    ),
    "managed": (("general", "managed"), ("general", "remote_management", "managed"),
                ("general", "remoteManagement", "managed")),
    "os": (("operating_system", "name"), ("operatingSystem", "name"), ("hardware", "os_name")),
    "version": (("operating_system", "version"), ("operatingSystem", "version"),
                ("hardware", "os_version")),
    "filevault": (
        ("disk_encryption", "file_vault2_status"), ("operatingSystem", "fileVault2Status"),
        ("diskEncryption", "bootPartitionEncryptionDetails", "partitionFileVault2State"),
    ),
    "firewall": (("security", "firewall_enabled"), ("security", "firewallEnabled")),
    "accounts": (
        ("local_accounts",), ("groups_accounts", "local_accounts"), ("localUserAccounts",),
    ),
    "apps": (("software", "applications"), ("applications",)),
    "attributes": (("extension_attributes",), ("extensionAttributes",)),
}  # fmt: skip
_ENCRYPTED = {"all encrypted": True, "boot encrypted": True, "encrypted": True,
              "not encrypted": False, "unencrypted": False, "some encrypted": False,
              "encrypting": False, "decrypting": False}  # fmt: skip
T = TypeVar("T")
_SKIP = frozenset({"", "none", "not applicable"})
_RENAME = {
    "filevault": "encrypted", "apps": "software", "version": "os_version",
    "agent_running": "agents_running", "usb_storage": "usb_storage_blocked",
}  # fmt: skip
_NOT_POSTURE = frozenset(
    {"name", "serial", "model", "username", "email", "site", "seen", "managed", "accounts",
     "attributes", "agent", "remote", "employee_id"}
)  # fmt: skip


class _Record:
    """One computer record, read with errors naming the file, the record and the field."""

    def __init__(self, path: Path, number: int, body: Mapping[str, Any]) -> None:
        self.path, self.number, self.body = path, number, body
        self.origin: dict[str, str] = {}

    def error(self, what: str, field: str) -> ImportFileError:
        return ImportFileError(
            f"field {field!r} {what}", f"{self.path} record {self.number}", "fix the export"
        )

    def get(self, key: str) -> Any:
        for path in _PATHS[key]:
            node: Any = self.body
            for part in path:
                node = node.get(part) if isinstance(node, Mapping) else None
            if node is not None and node != "":
                self.origin[key] = f"{self.path.name} record {self.number}, {'.'.join(path)}"
                return node
        return None

    def text(self, key: str, limit: int = 254) -> str:
        value = self.get(key)
        if isinstance(value, Mapping | list):
            raise self.error("is not text", key)
        text = "" if value is None else str(value).strip()
        if len(text) > limit or "\x00" in text:
            raise self.error(f"is longer than {limit} characters", key)
        return text

    def flag(self, key: str, value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        try:
            return v.yes_no(str(value))
        except ValueError:
            raise self.error("is not a yes/no value", key) from None

    def items(self, key: str) -> list[Mapping[str, Any]] | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(i, Mapping) for i in value):
            raise self.error("is not a list of objects", key)
        return value


def _ea_key(name: str) -> str:
    """Return an attribute name reduced for matching: lower case words, no punctuation."""
    return " ".join(re.findall(r"[a-z0-9]+", name.lower()))


def _attributes(rec: _Record, mapping: Mapping[str, str]) -> dict[str, str]:
    """Return extension attribute values by posture field (first match of the known names)."""
    by_name: dict[str, tuple[str, str]] = {}
    for item in rec.items("attributes") or []:
        value = item.get("value", item.get("values"))
        if isinstance(value, list):
            value = ", ".join(str(x) for x in value)
        name = str(item.get("name", ""))
        text = "" if value is None else str(value).strip()
        by_name.setdefault(_ea_key(name), (name, text))
    found: dict[str, str] = {}
    for field, names in ATTRIBUTES.items():
        wanted = ([mapping[field]] if field in mapping else []) + list(names)
        for name in wanted:
            real, text = by_name.get(_ea_key(name), ("", ""))
            if text.lower() not in _SKIP:
                found[field] = text
                rec.origin[field] = f"{rec.path.name} record {rec.number}, attribute {real!r}"
                break
    return found


def _admins(rec: _Record, user: str) -> tuple[tuple[str, ...] | None, bool | None]:
    """Return the local administrator accounts and whether the primary user is one."""
    accounts = rec.items("accounts")
    if accounts is None:
        return None, None
    admins = tuple(
        str(a.get("name") or a.get("username") or "").strip()
        for a in accounts
        if rec.flag("local_accounts.admin", a.get("admin", a.get("administrator")))
    )
    rec.origin["local_admins"] = rec.origin["user_is_admin"] = rec.origin["accounts"]
    return admins, (user.lower() in {a.lower() for a in admins}) if user else None


def _attribute(
    rec: _Record, ea: dict[str, str], field: str, parse: Callable[[str], T], hint: str
) -> T:
    """Return one extension attribute parsed, or fail naming the attribute."""
    try:
        return parse(ea.get(field, ""))
    except ValueError:
        raise ImportFileError(
            f"extension attribute for {field} is not understood",
            f"{rec.path} record {rec.number}",
            f"write {hint}, or fix the attribute in Jamf",
        ) from None


def _posture(rec: _Record, ea: dict[str, str], user: str) -> Posture:
    """Return the posture one record reports."""
    os_name, version = rec.text("os"), rec.text("version")
    family, key = v.os_identity(os_name or "macOS", version)  # Jamf Pro computers are Macs
    vault = rec.get("filevault")
    encrypted = None if vault is None else _ENCRYPTED.get(v.words(str(vault)))
    if vault is not None and encrypted is None:
        encrypted = rec.flag("filevault", vault)
    admins, user_admin = _admins(rec, user)
    running = rec.flag("agent_running", ea.get("agent_running"))
    agents = None if running is None else ((ea.get("agent") or UNNAMED,) if running else ())
    lock, lock_minutes = _attribute(rec, ea, "screen_lock_minutes", v.minutes, "e.g. 5")
    patched = _attribute(rec, ea, "last_patched", v.parse_day, "YYYY-MM-DD")
    signatures = _attribute(rec, ea, "signatures_updated", v.parse_day, "YYYY-MM-DD")
    apps = rec.items("apps")
    return Posture(
        os_family=family, os_id=key, os_name=os_name or None, os_version=version or None,
        last_patched=patched, encrypted=encrypted, local_admins=admins, user_is_admin=user_admin,
        agents_running=agents, signatures_updated=signatures,
        firewall=rec.flag("firewall", rec.get("firewall")), screen_lock=lock,
        screen_lock_minutes=lock_minutes,
        usb_storage_blocked=rec.flag("usb_storage", ea.get("usb_storage")),
        software=None if apps is None else tuple(
            dict.fromkeys(str(a.get("name", "")).strip() for a in apps if a.get("name"))
        ),
    )  # fmt: skip


def _device(rec: _Record, mapping: Mapping[str, str]) -> Device:
    """Return one device from one computer record."""
    name = rec.text("name", 200)
    if not name:
        raise rec.error("is missing", "general.name")
    ea = _attributes(rec, mapping)
    username, email = rec.text("username"), rec.text("email").lower()
    posture = _posture(rec, ea, username)
    try:
        seen = v.parse_moment(str(rec.get("seen") or "").replace("+0000", "+00:00"))
    except ValueError:
        raise rec.error("is not a timestamp", "general.last_contact_time") from None
    try:
        remote = v.remote(ea.get("remote", ""))
    except ValueError:
        raise ImportFileError(
            "extension attribute for remote is not understood", f"{rec.path} record {rec.number}",
            "write Remote, Office, yes or no, or fix the attribute in Jamf",
        ) from None  # fmt: skip
    origin = {_RENAME.get(k, k): o for k, o in rec.origin.items() if k not in _NOT_POSTURE}
    if "screen_lock_minutes" in origin:
        origin["screen_lock"] = origin["screen_lock_minutes"]
    return Device(
        name=name, serial=rec.text("serial", 100), model=rec.text("model", 200),
        user=email or username.lower(), employee_id=ea.get("employee_id", "")[:64],
        site="" if rec.text("site", 100).lower() == "none" else rec.text("site", 100),
        remote=remote,
        managed=rec.flag("managed", rec.get("managed")), last_seen=seen, posture=posture,
        origin=origin, row=rec.number,
    )  # fmt: skip


def _records(data: Any, path: Path) -> list[Any]:
    """Return the computer records of any of the shapes Jamf exports."""
    if isinstance(data, Mapping):
        for key in ("computers", "results", "computer"):
            if key in data:
                data = data[key]
                break
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        raise ImportFileError("is not a list of computer records", str(path), "export it again")
    return [r.get("computer", r) if isinstance(r, Mapping) else r for r in data]


def read_jamf(path: Path, mapping: Mapping[str, str] | None = None) -> DeviceImport:
    """Read every computer record of a Jamf export."""
    unknown = sorted(set(mapping or {}) - set(FIELDS))
    if unknown:
        raise ImportFileError(
            f"--map names unknown field {unknown[0]!r}", str(path), f"use {', '.join(FIELDS)}"
        )
    if not path.is_file():
        raise ImportFileError("file not found", str(path), "check the path")
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"{path} line {getattr(exc, 'lineno', 1)}"
        raise ImportFileError("is not valid JSON", where, "export it again") from None
    except RecursionError:
        raise ImportFileError("nests too deeply to be JSON", str(path), "export it again") from None
    devices: list[Device] = []
    seen: dict[str, int] = {}
    for number, body in enumerate(_records(data, path), start=1):
        if not isinstance(body, Mapping):
            raise ImportFileError("is not an object", f"{path} record {number}", "fix the export")
        device = _device(_Record(path, number, body), mapping or {})
        if device.key in seen:
            raise ImportFileError(
                f"device repeats record {seen[device.key]}", f"{path} record {number}",
                "keep one record per computer",
            )  # fmt: skip
        seen[device.key] = number
        devices.append(device)
    if not devices:
        raise ImportFileError("holds no computer records", str(path), "nothing was changed")
    return DeviceImport("jamf", tuple(devices))
