"""Load log mappings: shipped YAML files or a user's own, which may extend a shipped one."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dataward.errors import ImportFileError
from dataward.monitoring.engine.ingest.timestamps import FORMATS as TIME_FORMATS
from dataward.monitoring.engine.ingest.timestamps import zone

FORMATS = ("jsonl", "csv", "syslog", "windows")
SHIPPED = Path(__file__).resolve().parents[2] / "mappings"
KEYS = (
    "name",
    "description",
    "extends",
    "format",
    "fields",
    "constants",
    "values",
    "lookups",
    "timestamp_field",
    "timestamp_format",
    "timezone",
    "client_field",
    "keep_unmapped",
    "product",
    "service",
)
Scalar = str | int | float | bool


@dataclass(frozen=True)
class Mapping:
    """How one kind of log file becomes ECS events (see docs/monitoring.md, "Mappings")."""

    name: str
    format: str
    fields: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    timestamp_field: str = "@timestamp"
    timestamp_format: str = "iso"
    timezone: str = "UTC"
    client_field: str | None = None
    keep_unmapped: bool = True
    product: str | None = None
    service: str | None = None
    lookups: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def shipped_mappings() -> list[str]:
    """Return the names of the mappings shipped with dataward."""
    return sorted(p.stem for p in SHIPPED.glob("*.yaml"))


def load_mapping(spec: str | Path) -> Mapping:
    """Return the mapping named ``spec`` (a shipped name) or read from the YAML file ``spec``."""
    if isinstance(spec, str) and spec in shipped_mappings():
        path = SHIPPED / f"{spec}.yaml"
    else:
        path = Path(spec)
        if not path.is_file():
            raise ImportFileError(
                "no such mapping file or shipped mapping",
                str(spec),
                f"use a YAML file or one of: {', '.join(shipped_mappings())}",
            )
    data = _resolve(path, 0)
    where = str(path)
    if "format" not in data:
        raise ImportFileError("no format given", f"{where}, key format", _one_of(FORMATS))
    return _build(data, where, path.stem)


def _resolve(path: Path, depth: int) -> dict[str, Any]:
    """Read one mapping file and merge it over the shipped mapping it extends."""
    data = _read(path)
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    where = f"{path}, key extends"
    if not isinstance(base_name, str) or base_name not in shipped_mappings():
        raise ImportFileError("not a shipped mapping", where, _one_of(shipped_mappings()))
    if depth > 4:
        raise ImportFileError("mappings extend each other in a loop", where, "remove extends")
    base = _resolve(SHIPPED / f"{base_name}.yaml", depth + 1)
    base.pop("name", None)
    return _merge(base, data)


def _read(path: Path) -> dict[str, Any]:
    """Parse a mapping file and check its keys and their types, naming the file on error."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFileError("not UTF-8 text", str(path), "save the file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark is not None else str(path)
        raise ImportFileError("not valid YAML", where, "fix the indentation or quoting") from None
    except OSError as exc:
        raise ImportFileError(
            f"cannot read ({exc.strerror})", str(path), "check the path"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ImportFileError("not a mapping of keys", str(path), "start with `format: jsonl`")
    for key, value in data.items():
        if key not in KEYS:
            raise ImportFileError(f"unknown key {key}", f"{path}, key {key}", _one_of(KEYS))
        _check(key, value, f"{path}, key {key}")
    return dict(data)


def _check(key: str, value: Any, where: str) -> None:
    """Raise ImportFileError when a top-level value has the wrong type."""
    if key == "fields":
        _table(value, where, lambda v: v is None or isinstance(v, str), "an ECS field name")
    elif key == "constants":
        _table(value, where, lambda v: isinstance(v, Scalar | list), "a value or a list")
    elif key in ("values", "lookups"):
        _table(value, where, lambda v: isinstance(v, dict), "a table of source values")
        for name, table in value.items():
            ok = (lambda v: isinstance(v, Scalar)) if key == "values" else _is_fields
            hint = "a normalised value" if key == "values" else "a table of ECS field: value"
            _table(table, f"{where}.{name}", ok, hint)
    elif key == "keep_unmapped":
        if not isinstance(value, bool):
            raise ImportFileError("not true or false", where, "write keep_unmapped: true")
    elif key in ("client_field", "product", "service", "extends", "name", "description"):
        if value is not None and not isinstance(value, str):
            raise ImportFileError("not text", where, "give a single word or leave it out")
    elif not isinstance(value, str):
        raise ImportFileError("not text", where, "give a single value")
    elif key == "format" and value not in FORMATS:
        raise ImportFileError(f"unknown format {value}", where, _one_of(FORMATS))
    elif key == "timestamp_format" and value not in TIME_FORMATS and "%" not in value:
        raise ImportFileError(
            "unknown timestamp format", where, "use iso, epoch, epoch_ms or a strptime format"
        )
    elif key == "timezone":
        try:
            zone(value)
        except (ValueError, KeyError, OSError):
            raise ImportFileError(
                "unknown time zone", where, "use an IANA name such as Europe/London or UTC"
            ) from None


def _is_fields(value: Any) -> bool:
    """Return whether ``value`` is a table of ECS field names to plain values."""
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, Scalar | list) for k, v in value.items()
    )


def _table(value: Any, where: str, ok: Any, hint: str) -> None:
    """Raise ImportFileError unless ``value`` is a dict whose values all pass ``ok``."""
    if not isinstance(value, dict):
        raise ImportFileError("not a table", where, f"write `key: value` lines, each {hint}")
    for key, item in value.items():
        if not ok(item):
            raise ImportFileError("wrong kind of value", f"{where}.{key}", f"give {hint}")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Lay ``over`` on ``base``: tables merge key by key, nested tables one level deeper."""
    merged = dict(base)
    for key, value in over.items():
        if key in ("fields", "constants"):
            merged[key] = {**base.get(key, {}), **value}
        elif key in ("values", "lookups"):
            tables = dict(base.get(key, {}))
            for name, table in value.items():
                tables[name] = {**tables.get(name, {}), **table}
            merged[key] = tables
        else:
            merged[key] = value
    return merged


def _text(value: Any) -> str:
    """Return a YAML key or value as the lower-case text it is matched by."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()


def _build(data: dict[str, Any], where: str, stem: str) -> Mapping:
    """Make the Mapping from merged, checked YAML data."""
    fmt = data["format"]
    fields = {str(k): v for k, v in data.get("fields", {}).items() if v is not None}
    values = {
        name: {_text(k): v if isinstance(v, str) else _text(v) for k, v in table.items()}
        for name, table in data.get("values", {}).items()
    }
    lookups = {
        name: {_text(k): dict(v) for k, v in table.items()}
        for name, table in data.get("lookups", {}).items()
    }
    return Mapping(
        name=data.get("name") or stem,
        format=fmt,
        fields=fields,
        constants=dict(data.get("constants", {})),
        values=values,
        timestamp_field=data.get("timestamp_field", "@timestamp"),
        timestamp_format=data.get("timestamp_format", "iso"),
        timezone=data.get("timezone", "UTC"),
        client_field=data.get("client_field"),
        keep_unmapped=data.get("keep_unmapped", fmt in ("jsonl", "windows")),
        product=data.get("product"),
        service=data.get("service"),
        lookups=lookups,
    )


def _one_of(names: tuple[str, ...] | list[str]) -> str:
    return f"use one of: {', '.join(names)}"
