"""Read what ``dataward devices collect`` printed on a machine (schema dataward-device/1).

The document (docs/devices.md, "Collector output")::

    {"schema": "dataward-device/1", "collected_at": "2026-11-28T09:00:00+00:00",
     "collector": {"platform": "linux", "version": 1},
     "device": {"name": ..., "serial": ..., "model": ..., "user": ..., "employee_id": ...,
                "site": ..., "remote": null},
     "posture": {"os_family": "linux", ..., "software": [...]},   (null: could not tell)
     "probes": {"encrypted": "lsblk: / is on a crypt device", ...}}

One file per machine, or a folder of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from dataward.devices.engine import values as v
from dataward.devices.engine.types import Device, DeviceImport, Posture
from dataward.errors import ImportFileError

SCHEMA = "dataward-device/1"
DEVICE_KEYS = ("name", "serial", "model", "user", "employee_id", "site", "remote")
_KINDS: dict[str, str] = {
    "os_family": "text", "os_id": "text", "os_name": "text", "os_version": "text",
    "last_patched": "date", "encrypted": "bool", "local_admins": "list",
    "user_is_admin": "bool", "agents_running": "list", "signatures_updated": "date",
    "signatures_current": "bool", "firewall": "bool", "screen_lock": "bool",
    "screen_lock_minutes": "int", "usb_storage_blocked": "bool", "software": "list",
}  # fmt: skip
assert set(_KINDS) == {f.name for f in fields(Posture)}  # kept in step with Posture


def _value(kind: str, value: Any, where: str, key: str) -> Any:
    """Return one posture value of its kind, or fail naming the field."""
    if value is None:
        return None
    bad = ImportFileError(f"posture.{key} is not a {kind}", where, "collect it again")
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad
        return value
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise bad
        return tuple(dict.fromkeys(x.strip() for x in value if x.strip()))
    if not isinstance(value, str):
        raise bad
    if kind == "date":
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            raise bad from None
    return value.strip()[:200] or None


def _device(data: Mapping[str, Any], where: str, number: int) -> Device:
    """Return the device one collector document describes."""
    if data.get("schema") != SCHEMA:
        raise ImportFileError(f"is not a {SCHEMA} document", where, "run dataward devices collect")
    body = data.get("device")
    posture = data.get("posture")
    if not isinstance(body, Mapping) or not isinstance(posture, Mapping):
        raise ImportFileError("has no device or posture object", where, "collect it again")
    values = {k: _value(kind, posture.get(k), where, k) for k, kind in _KINDS.items()}
    name = str(body.get("name") or "").strip()
    if not name:
        raise ImportFileError("device.name is empty", where, "collect it again")
    try:
        seen = v.parse_moment(str(data.get("collected_at") or ""))
    except ValueError:
        raise ImportFileError("collected_at is not a timestamp", where, "collect again") from None
    probes = data.get("probes") if isinstance(data.get("probes"), Mapping) else {}
    origin = {
        k: f"collector: {str(probes.get(k, 'probe'))[:300]}"  # type: ignore[union-attr]
        for k, value in values.items()
        if value is not None
    }
    remote = body.get("remote")
    return Device(
        name=name[:200], serial=str(body.get("serial") or "")[:100],
        model=str(body.get("model") or "")[:200], user=str(body.get("user") or "").lower()[:254],
        employee_id=str(body.get("employee_id") or "")[:64], site=str(body.get("site") or "")[:100],
        remote=remote if isinstance(remote, bool) else None, last_seen=seen,
        posture=Posture(**values), origin=origin, row=number,
    )  # fmt: skip


def read_collector(path: Path, mapping: Mapping[str, str] | None = None) -> DeviceImport:
    """Read one collector document, or every ``*.json`` document of a folder."""
    if mapping:
        raise ImportFileError("--map is not read for collector output", str(path), "drop --map")
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise ImportFileError("file not found", str(path), "check the path")
    devices: list[Device] = []
    seen: dict[str, str] = {}
    for number, file in enumerate(files, start=1):
        try:
            data = json.loads(file.read_bytes())
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise ImportFileError("is not valid JSON", str(file), "collect it again") from None
        if not isinstance(data, Mapping):
            raise ImportFileError(f"is not a {SCHEMA} document", str(file), "collect it again")
        device = _device(data, str(file), number)
        if device.key in seen:
            raise ImportFileError(f"device repeats {seen[device.key]}", str(file), "keep one")
        seen[device.key] = str(file)
        devices.append(device)
    return DeviceImport("collector", tuple(devices))
