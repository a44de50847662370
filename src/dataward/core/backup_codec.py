"""Type the values of a backup so they read back the same on SQLite and PostgreSQL.

Each column has a kind, named in the manifest. Values the JSON of a row cannot hold as they are
travel as text: timestamps in ISO 8601 UTC, dates and times in ISO form, decimals as text,
bytes in base64, UUIDs in canonical form, durations in microseconds, and JSON columns as their
JSON text (so a stored JSON ``null`` stays apart from SQL ``NULL``). On restore each value is
turned back into its Python type and handed to the Django field (``get_db_prep_save``), which
writes what the target database expects.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import models

from dataward.core.engine.backup_format import BackupError

TEXT_TYPES = frozenset({"CharField", "TextField", "SlugField", "EmailField", "URLField",
                        "GenericIPAddressField", "IPAddressField", "FilePathField", "FileField",
                        "ImageField"})  # fmt: skip
KINDS = {
    "DateTimeField": "datetime",
    "DateField": "date",
    "TimeField": "time",
    "DecimalField": "decimal",
    "BinaryField": "bytes",
    "UUIDField": "uuid",
    "JSONField": "json",
    "BooleanField": "bool",
    "NullBooleanField": "bool",
    "DurationField": "duration",
    "FloatField": "float",
}


def kind_of(field: models.Field[Any, Any], table: str) -> str:
    """Return the kind a column travels as, or refuse a type the backup cannot carry."""
    internal = _target(field).get_internal_type()
    if internal in KINDS:
        return KINDS[internal]
    if "Integer" in internal or internal.endswith("AutoField"):
        return "int"
    if internal in TEXT_TYPES:
        return "text"
    raise BackupError(
        f"column {field.column} is a {internal}, which the backup cannot carry yet",
        f"table {table}",
        "report it: dataward backups need to learn this column type",
    )


def _target(field: Any) -> Any:
    """Return the field whose type a column has (a foreign key has its target's)."""
    return field.target_field if field.is_relation else field


def _utc(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # Django keeps naive UTC on SQLite
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).isoformat())


def _iso(value: Any) -> str:
    return value if isinstance(value, str) else str(value.isoformat())


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _decimal(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _micros(value: Any) -> int:
    return value // timedelta(microseconds=1) if isinstance(value, timedelta) else int(value)


ENCODE: dict[str, Callable[[Any], Any]] = {
    "datetime": _utc,
    "date": _iso,
    "time": _iso,
    "decimal": _decimal,
    "bytes": lambda v: base64.b64encode(bytes(v)).decode(),
    "uuid": lambda v: str(uuid.UUID(str(v))),
    "json": _json_text,
    "bool": bool,
    "duration": _micros,
}
"""Raw database value (either backend) to the archive's JSON value; kinds absent pass as is."""

DECODE: dict[str, Callable[[Any], Any]] = {
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "decimal": Decimal,
    "bytes": base64.b64decode,
    "uuid": uuid.UUID,
    "json": json.loads,
    "bool": bool,
    "duration": lambda v: timedelta(microseconds=v),
}
"""The archive's JSON value back to the Python value the Django field prepares."""


def encoders(kinds: list[str]) -> list[tuple[int, Callable[[Any], Any]]]:
    """Return (column index, encoder) for the columns whose values need typing."""
    return [(i, ENCODE[k]) for i, k in enumerate(kinds) if k in ENCODE]


Converters = list[tuple[int, Callable[[Any], Any]]]


def encode_rows(rows: list[tuple[Any, ...]], convert: Converters) -> bytes:
    """Return rows as JSON Lines, each value typed for the archive."""
    out = []
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for row in rows:
        if convert:
            values = list(row)
            for i, fn in convert:
                if values[i] is not None:
                    values[i] = fn(values[i])
            out.append(dumps(values))
        else:
            out.append(dumps(row))
    out.append("")
    return "\n".join(out).encode()


def preparers(
    fields: list[models.Field[Any, Any]], kinds: list[str], connection: Any
) -> list[tuple[int, Callable[[Any], Any]]]:
    """Return (column index, function) turning archive values into database parameters.

    Text, integer and float columns pass unchanged (encrypted fields keep their ciphertext:
    their own ``get_prep_value`` would encrypt a second time). JSON goes through
    ``get_db_prep_value`` so a JSON ``null`` is stored as JSON, not as SQL ``NULL``.
    """
    out: list[tuple[int, Callable[[Any], Any]]] = []
    for i, (field, kind) in enumerate(zip(fields, kinds, strict=True)):
        if kind not in DECODE:
            continue
        decode = DECODE[kind]
        target = _target(field)
        if kind == "json":
            out.append((i, _json_prep(target, connection)))
        else:
            out.append((i, _field_prep(decode, target, connection)))
    return out


def _field_prep(decode: Callable[[Any], Any], field: Any, connection: Any) -> Callable[[Any], Any]:
    prep = field.get_db_prep_save
    return lambda v: prep(decode(v), connection)


def _json_prep(field: Any, connection: Any) -> Callable[[Any], Any]:
    prep = field.get_db_prep_value
    return lambda v: prep(json.loads(v), connection, prepared=False)


def decode_rows(
    rows: list[list[Any]], prepare: list[tuple[int, Callable[[Any], Any]]]
) -> list[list[Any]]:
    """Turn a batch of archive rows into database parameters, in place."""
    if prepare:
        for row in rows:
            for i, fn in prepare:
                if row[i] is not None:
                    row[i] = fn(row[i])
    return rows
