"""Insert many rows fast: one parameterised INSERT run with executemany, no model objects.

Building a model object per row and letting bulk_create assemble the SQL costs several times the
insert itself at a million rows. Values of JSON, date and timestamp fields are prepared by their
Django field, so the same rows work on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import Model

PREPARED = frozenset({"JSONField", "DateField", "DateTimeField"})


@cache
def insert_sql(model: type[Model], names: tuple[str, ...], vendor: str) -> str:
    """Return a parameterised INSERT for some fields of a model (cached per database vendor)."""
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(qn(str(getattr(f, "column", ""))) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = qn(str(model._meta.db_table))
    # Table and column names come from the model; every value is a bound parameter.
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608


def insert_rows(
    model: type[Model],
    names: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    batch: int = 5000,
    prepare: bool = True,
) -> int:
    """Insert rows (tuples in the order of ``names``) in batches; return how many.

    With ``prepare=False`` the values go to the driver as they are (the caller already holds
    database-ready values, e.g. naive UTC timestamps).
    """
    fields = [model._meta.get_field(name) for name in names]
    special = [
        (i, f) for i, f in enumerate(fields) if prepare and f.get_internal_type() in PREPARED
    ]
    sql = insert_sql(model, tuple(names), connection.vendor)
    count = 0
    with connection.cursor() as cursor:
        source = iter(rows)
        while chunk := tuple(islice(source, batch)):
            if special:
                prepared = []
                for row in chunk:
                    values = list(row)
                    for i, f in special:
                        values[i] = f.get_db_prep_save(values[i], connection)  # type: ignore[union-attr]
                    prepared.append(values)
                cursor.executemany(sql, prepared)
            else:
                cursor.executemany(sql, chunk)
            count += len(chunk)
    return count
