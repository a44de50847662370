"""Every column kind travels through the archive and back to the same Python value."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from dataward.core.backup_codec import DECODE, ENCODE, encode_rows, encoders
from dataward.core.engine.backup_format import BackupError

UID = uuid.UUID("12345678-1234-5678-1234-567812345678")
# (kind, raw value as SQLite or PostgreSQL hands it over, value in the archive, value back)
CASES = [
    ("datetime", datetime(2026, 11, 28, 9, 30, 1, 5), "2026-11-28T09:30:01.000005+00:00",
     datetime(2026, 11, 28, 9, 30, 1, 5, tzinfo=UTC)),
    ("datetime", datetime(2026, 11, 28, 11, 30, tzinfo=timezone(timedelta(hours=2))),
     "2026-11-28T09:30:00+00:00", datetime(2026, 11, 28, 9, 30, tzinfo=UTC)),
    ("datetime", "2026-11-28 09:30:00", "2026-11-28T09:30:00+00:00",
     datetime(2026, 11, 28, 9, 30, tzinfo=UTC)),
    ("date", date(2026, 2, 28), "2026-02-28", date(2026, 2, 28)),
    ("date", "2026-02-28", "2026-02-28", date(2026, 2, 28)),
    ("time", time(23, 59, 59, 999999), "23:59:59.999999", time(23, 59, 59, 999999)),
    ("decimal", Decimal("12.30"), "12.30", Decimal("12.30")),
    ("decimal", 1.5, "1.5", Decimal("1.5")),
    ("bytes", memoryview(b"\x00\xffkey"), "AP9rZXk=", b"\x00\xffkey"),
    ("uuid", UID.hex, str(UID), UID),
    ("uuid", UID, str(UID), UID),
    ("json", '{"a": [1, null]}', '{"a": [1, null]}', {"a": [1, None]}),
    ("json", "null", "null", None),
    ("bool", 1, True, True),
    ("bool", False, False, False),
    ("duration", timedelta(days=1, microseconds=5), 86_400_000_005,
     timedelta(days=1, microseconds=5)),
    ("duration", 86_400_000_005, 86_400_000_005, timedelta(days=1, microseconds=5)),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "raw", "stored", "back"), CASES)
def test_value_round_trips(kind: str, raw: Any, stored: Any, back: Any) -> None:
    assert ENCODE[kind](raw) == stored
    line = encode_rows([(raw,)], encoders([kind]))
    assert json.loads(line) == [stored]
    assert DECODE[kind](json.loads(line)[0]) == back


def test_null_stays_null_and_plain_kinds_pass_as_they_are() -> None:
    kinds = ["int", "text", "float", "datetime", "json"]
    line = encode_rows([(7, "Zoë\n", 0.1, None, None)], encoders(kinds))
    assert line == '[7,"Zoë\\n",0.1,null,null]\n'.encode()


def test_json_null_is_stored_as_json_not_sql_null() -> None:
    from django.db import connection

    from dataward.core.backup_codec import decode_rows, preparers
    from dataward.core.models import Client

    field = Client._meta.get_field("data_categories")
    prepare = preparers([field], ["json"], connection)
    assert decode_rows([["null"], [None], ['["PII"]']], prepare) == [["null"], [None], ['["PII"]']]


def test_a_column_type_the_backup_cannot_carry_is_refused() -> None:
    from django.db import models

    from dataward.core.backup_codec import kind_of

    class Ranges(models.Field):  # type: ignore[type-arg]
        def get_internal_type(self) -> str:
            return "DateRangeField"

    field = Ranges()
    field.column = "valid"
    with pytest.raises(BackupError, match="column valid is a DateRangeField"):
        kind_of(field, "plugin_things")
