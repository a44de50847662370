"""Read osquery results of the shipped queries (osquery.yaml) as devices.

Two shapes are read, from one file or every ``*.json``/``*.log`` file of a folder:

- one host's results, a JSON object with each query's ``osqueryi --json`` rows under its name
  (what ``dataward devices queries --script PLATFORM`` prints), with optional ``collected_at``,
  ``user``, ``employee_id``, ``site`` and ``remote`` keys;
- osqueryd's results log (JSON lines) of the pack ``dataward devices queries --pack`` prints,
  scheduled in snapshot mode: each line holds ``name``, ``hostIdentifier``, ``unixTime`` and the
  ``snapshot`` rows; the newest snapshot of each query per host is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dataward.devices.engine import values as v
from dataward.devices.engine.connectors import osquery_rows as q
from dataward.devices.engine.queries import PLATFORMS, catalogue
from dataward.devices.engine.types import Device, DeviceImport
from dataward.errors import ImportFileError

Rows = list[dict[str, Any]]
EXTRA_KEYS = ("collected_at", "host", "user", "employee_id", "site", "remote")
_SUFFIX = re.compile(r"_(" + "|".join(PLATFORMS) + r")$")


@dataclass
class Host:
    """What one host answered: each query's rows, and where they came from."""

    ident: str
    where: str
    row: int
    results: dict[str, Rows] = field(default_factory=dict)
    times: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _files(path: Path) -> list[Path]:
    """Return the result files to read: the file, or a folder's JSON and log files."""
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix in (".json", ".log", ".jsonl"))
        if not found:
            raise ImportFileError("holds no .json or .log files", str(path), "check the folder")
        return found
    if not path.is_file():
        raise ImportFileError("file not found", str(path), "check the path")
    return [path]


def _rows(value: Any, where: str, name: str) -> Rows:
    """Return a query's rows, refusing anything but a list of objects."""
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise ImportFileError(
            f"query {name!r} is not a list of rows", where, "paste osqueryi --json output as is"
        )
    return value


def _query_name(name: str) -> str:
    """Return the shipped query a scheduled name stands for ('pack_dataward_os_version')."""
    short = _SUFFIX.sub("", name.rsplit("/", 1)[-1])
    known = sorted((x.name for x in catalogue().queries), key=len, reverse=True)
    return next((k for k in known if short == k or short.endswith("_" + k)), "")


def _one_host(data: dict[str, Any], path: Path, number: int) -> Host:
    """Return the host a single results object describes."""
    host = Host(str(data.get("host") or path.stem), str(path), number)
    known = {x.name for x in catalogue().queries}
    for key, value in data.items():
        if key in known:
            host.results[key] = _rows(value, str(path), key)
        elif key in EXTRA_KEYS:
            host.extra[key] = value
    if not host.results:
        raise ImportFileError(
            "holds none of the shipped queries' results", str(path),
            "run the script of dataward devices queries --script PLATFORM",
        )  # fmt: skip
    return host


def _log(text: str, path: Path, hosts: dict[str, Host]) -> None:
    """Add the newest snapshot of each query per host from an osqueryd results log."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            item = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            raise ImportFileError("is not JSON", where, "give osqueryd's results log") from None
        if not isinstance(item, dict) or "name" not in item:
            raise ImportFileError("is not an osquery result", where, "give the results log")
        if "snapshot" not in item:
            raise ImportFileError(
                "is a differential result", where, "schedule the pack with snapshot: true"
            )
        name = _query_name(str(item["name"]))
        if not name:
            continue  # another pack's query
        ident = str(item.get("hostIdentifier") or "")
        if not ident:
            raise ImportFileError("has no hostIdentifier", where, "give the results log as is")
        when = _unix_time(item.get("unixTime"), where)
        host = hosts.setdefault(ident, Host(ident, str(path), number))
        if when >= host.times.get(name, -1):
            host.results[name] = _rows(item["snapshot"], where, name)
            host.times[name] = when


def _unix_time(value: Any, where: str) -> int:
    """Return a result's unixTime (0 when absent), or fail naming the line."""
    try:
        when = int(value or 0)
        datetime.fromtimestamp(when, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise ImportFileError(
            "has a unixTime that is not Unix seconds", where, "give osqueryd's results log as is"
        ) from None
    return when


def read_hosts(path: Path) -> list[Host]:
    """Return every host the results files describe."""
    hosts: dict[str, Host] = {}
    singles: list[Host] = []
    for number, file in enumerate(_files(path), start=1):
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ImportFileError("is not UTF-8 text", str(file), "give osquery's JSON") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            _log(text, file, hosts)
            continue
        except RecursionError:
            raise ImportFileError(
                "nests too deeply to be JSON", str(file), "give osquery's JSON"
            ) from None
        if isinstance(data, list):
            raise ImportFileError(
                "holds one query's rows, not a host's results", str(file),
                "combine the queries with the script of dataward devices queries --script",
            )  # fmt: skip
        if not isinstance(data, dict):
            raise ImportFileError("is not a JSON object", str(file), "give osquery's JSON")
        if "name" in data and "hostIdentifier" in data:  # a one-line results log
            _log(text, file, hosts)
            continue
        singles.append(_one_host(data, file, number))
    return singles + [hosts[k] for k in sorted(hosts)]


def _moment(host: Host) -> datetime | None:
    """Return when the host's results were collected."""
    if host.times:
        return datetime.fromtimestamp(max(host.times.values()), UTC)
    text = str(host.extra.get("collected_at") or "")
    try:
        return v.parse_moment(text)
    except ValueError:
        raise ImportFileError(
            "collected_at is not a timestamp", host.where, "write ISO 8601"
        ) from None


def _device(host: Host) -> Device:
    """Return the device one host's results describe."""
    r = host.results
    name, serial, model = q.identity(r.get("system_info"))
    posture, origin = q.posture(r, catalogue())
    remote = host.extra.get("remote")
    users = r.get("primary_user") or []
    user = str(host.extra.get("user") or (users[0].get("username", "") if users else ""))
    return Device(
        name=(name or host.ident)[:200], serial=serial[:100], model=model[:200],
        user=user.strip().lower()[:254], employee_id=str(host.extra.get("employee_id") or "")[:64],
        site=str(host.extra.get("site") or "")[:100],
        remote=remote if isinstance(remote, bool) else None, managed=None,
        last_seen=_moment(host), posture=posture, origin=origin, row=host.row,
    )  # fmt: skip


def read_osquery(path: Path, mapping: Mapping[str, str] | None = None) -> DeviceImport:
    """Read osquery results (one host's object, a folder of them, or a results log)."""
    if mapping:
        raise ImportFileError("--map is not read for osquery results", str(path), "drop --map")
    devices: list[Device] = []
    seen: dict[str, str] = {}
    for host in read_hosts(path):
        device = _device(host)
        if device.key in seen:
            raise ImportFileError(
                f"host repeats {seen[device.key]}", host.where, "give each host's results once"
            )
        seen[device.key] = host.where
        devices.append(device)
    if not devices:
        raise ImportFileError("holds no host results", str(path), "nothing was changed")
    return DeviceImport("osquery", tuple(devices))
