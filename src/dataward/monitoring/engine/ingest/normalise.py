"""Apply a mapping to one record: flatten, rename, normalise values, fill, stamp the time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from dataward.monitoring.engine.ingest.mapping import Mapping
from dataward.monitoring.engine.ingest.records import Malformed, Parsed, Record
from dataward.monitoring.engine.ingest.timestamps import TimeParser

CACHE_LIMIT = 20_000


def as_list(value: list[Any]) -> list[str] | str:
    """Return a list of scalars as strings; a list holding objects becomes its JSON text."""
    out: list[str] = []
    for item in value:
        if isinstance(item, dict | list):
            return orjson.dumps(value).decode()
        if item is None:
            continue
        out.append(("true" if item else "false") if isinstance(item, bool) else str(item))
    return out


def flatten(
    obj: dict[str, Any], prefix: str = "", out: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return nested objects as one flat dict of dotted keys (no renaming)."""
    flat: dict[str, Any] = {} if out is None else out
    for key, value in obj.items():
        name = prefix + key
        if type(value) is dict:
            flatten(value, name + ".", flat)
        elif value is not None:
            flat[name] = as_list(value) if type(value) is list else value
    return flat


class Normaliser:
    """One mapping compiled for speed: renames are resolved once per distinct source key."""

    def __init__(self, mapping: Mapping) -> None:
        self.fields = mapping.fields
        self.wild = {k[2:]: v for k, v in mapping.fields.items() if k.startswith("*.")}
        self.keep = mapping.keep_unmapped
        self.always = {mapping.timestamp_field, "@timestamp"}
        self.cache: dict[str, str] = {}
        self.tables: dict[str, dict[str, str]] = {}  # prefix -> key -> target, for rename()
        self.values = list(mapping.values.items())
        self.lookups = list(mapping.lookups.items())
        self.constants = list(mapping.constants.items())
        self.ts_field = mapping.timestamp_field
        self.time = TimeParser(mapping.timestamp_format, mapping.timezone, mapping.timestamp_field)
        self.client_field = mapping.client_field
        self.iso = mapping.timestamp_format == "iso"
        self.zone = self.time.zone

    def _fast_iso(self, raw: Any) -> datetime | None:
        """Parse the common ISO 8601 case inline; None sends the value to the full parser."""
        if type(raw) is not str:
            return None
        try:
            ts = datetime.fromisoformat(raw)
            if ts.tzinfo is None:
                ts = ts.replace(tzinfo=self.zone)
            return ts.astimezone(UTC)
        except (ValueError, OverflowError):
            return None

    def target(self, key: str) -> str:
        """Return the ECS name for source key ``key`` ("" to drop it)."""
        found = self.cache.get(key)
        if found is not None:
            return found
        name = self.fields.get(key)
        if name is None and self.wild:
            name = self.wild.get(key.rpartition(".")[2])
        if name is None:
            name = key if self.keep or key in self.always else ""
        if len(self.cache) < CACHE_LIMIT:
            self.cache[key] = name
        return name

    def rename(self, obj: dict[str, Any], out: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        """Flatten ``obj`` into ``out`` under ECS names; None values are left out."""
        table = self.tables.get(prefix)
        if table is None:
            table = {} if len(self.tables) >= CACHE_LIMIT else self.tables.setdefault(prefix, {})
        for key, value in obj.items():
            kind = type(value)
            if kind is dict:
                self.rename(value, out, prefix + key + ".")
                continue
            if value is None:
                continue
            if kind is list:
                value = as_list(value)
            target = table.get(key)
            if target is None:
                target = self.target(prefix + key)
                if len(table) < CACHE_LIMIT:
                    table[key] = target
            if target:
                out[target] = value
        return out

    def finish(
        self, out: dict[str, Any], line: int, end: int, lines: int = 1, ts: datetime | None = None
    ) -> Record:
        """Normalise values, fill lookups and constants, and stamp ``@timestamp`` in UTC."""
        for name, table in self.values:
            value = out.get(name)
            if value is not None and type(value) is not list:
                text = value.lower() if type(value) is str else str(value).lower()
                mapped = table.get(text)
                if mapped is not None:
                    out[name] = mapped
        for name, lookup in self.lookups:
            value = out.get(name)
            if value is not None and type(value) is not list:
                extra = lookup.get(value.lower() if type(value) is str else str(value).lower())
                if extra:
                    for key, item in extra.items():
                        if key not in out:
                            out[key] = list(item) if type(item) is list else item
        for key, item in self.constants:
            if key not in out:
                out[key] = list(item) if type(item) is list else item
        if ts is None:
            raw = out.get(self.ts_field)
            if raw is None or raw == "":
                return Malformed(line, end, f"no timestamp in field {self.ts_field}", lines)
            parsed: datetime | str | None = self._fast_iso(raw) if self.iso else None
            if parsed is None:
                parsed = self.time.parse(raw)
            if isinstance(parsed, str):
                return Malformed(line, end, parsed, lines)
            ts = parsed
        out["@timestamp"] = ts.isoformat()[:-6] + "Z"
        client = None
        if self.client_field is not None:
            value = out.get(self.client_field)
            if value is not None and type(value) is not list:
                client = str(value).strip().lower() or None
        return Parsed(line, end, ts, out, client, lines)
