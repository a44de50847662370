"""Find every table Django manages, read them in one snapshot, and tell an empty workspace."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from dataward.core.backup_codec import kind_of
from dataward.core.models import AuditEvent, AuditHead, Client, KeyCheck


@dataclass(frozen=True)
class Table:
    """One database table of a model (auto-created many-to-many tables included)."""

    model: type[models.Model]
    name: str
    pk: str
    fields: list[Any]
    kinds: list[str]

    @property
    def columns(self) -> list[str]:
        """Return the table's column names in the backup's order."""
        return [f.column for f in self.fields]

    def select(self) -> str:
        """Return the SELECT reading every row in primary-key order."""
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in self.columns)
        # Table and column names come from the models; nothing here comes from the user.
        return f"SELECT {cols} FROM {qn(self.name)} ORDER BY {qn(self.pk)}"  # noqa: S608


def managed_tables() -> list[Table]:
    """Return every table whose rows Django manages, by name: apps, contrib and plug-ins."""
    found: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.swapped or meta.db_table in found:
            continue
        fields = list(meta.local_concrete_fields)
        found[meta.db_table] = Table(
            model=model,
            name=meta.db_table,
            pk=str(meta.pk.column if meta.pk else fields[0].column),
            fields=fields,
            kinds=[kind_of(f, meta.db_table) for f in fields],
        )
    return [found[name] for name in sorted(found)]


def unmanaged_tables(tables: list[Table]) -> list[str]:
    """Return tables in the database no model describes (django_migrations aside)."""
    known = {t.name for t in tables} | {"django_migrations"}
    return sorted(set(connection.introspection.table_names()) - known)


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """Hold one read-only, consistent view of the whole database while the block runs.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: one deferred read transaction
    (with WAL, writers go on; this reader keeps seeing the database as it was at its first read),
    with ``query_only`` set so nothing can be written through it.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    if not connection.get_autocommit() or connection.in_atomic_block:
        raise RuntimeError("a backup must not run inside another transaction")
    with connection.cursor() as cur:
        cur.execute("PRAGMA query_only = 1")
        cur.execute("BEGIN DEFERRED")
        cur.execute("SELECT count(*) FROM django_migrations")  # the snapshot starts here
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("ROLLBACK")
            cur.execute("PRAGMA query_only = 0")


def scalar_rows(sql: str) -> list[tuple[Any, ...]]:
    """Return every row of a small query."""
    with connection.cursor() as cur:
        cur.execute(sql)
        return list(cur.fetchall())


def count(table: Table) -> int:
    """Return the table's row count."""
    # The table name comes from a model, not from the user.
    sql = f"SELECT COUNT(*) FROM {connection.ops.quote_name(table.name)}"  # noqa: S608
    return int(scalar_rows(sql)[0][0])


@contextlib.contextmanager
def reading(table: Table) -> Iterator[Callable[[int], list[tuple[Any, ...]]]]:
    """Yield ``fetch(n)``, returning the table's next ``n`` raw rows in primary-key order.

    On PostgreSQL this is a server-side cursor and on SQLite a stepped statement, so only the
    rows fetched sit in memory; the caller picks ``n`` to keep each batch's bytes bounded.
    """
    with connection.chunked_cursor() as cur:
        cur.execute(table.select())
        yield cur.fetchmany


def applied_migrations() -> dict[str, list[str]]:
    """Return the applied migrations per app, as the database records them."""
    out: dict[str, list[str]] = {}
    for app, name in scalar_rows("SELECT app, name FROM django_migrations ORDER BY app, name"):
        out.setdefault(str(app), []).append(str(name))
    return out


def key_checks() -> list[dict[str, str]]:
    """Return the workspace's key ids and check values (never a key)."""
    return [
        {"id": k, "check": v}
        for k, v in KeyCheck.objects.order_by("key_id").values_list("key_id", "check_value")
    ]


def audit_head() -> dict[str, Any]:
    """Return the audit chain's newest link as this snapshot sees it."""
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    seq, seal = head if head else (0, "0" * 64)
    return {"seq": seq, "hash": seal}


def holdings(tables: list[Table]) -> list[str]:
    """Return the tables holding records beyond what `dataward init` creates."""
    init_only = {m._meta.db_table for m in (KeyCheck, AuditHead)}
    init_only |= {"django_content_type", "auth_permission"}  # written by every migrate
    busy = []
    rows: models.QuerySet[Any]
    for table in tables:
        if table.name in init_only:
            continue
        if table.model is Client:
            rows = Client.objects.exclude(kind="operation")
        elif table.model is AuditEvent:
            rows = AuditEvent.objects.exclude(action="workspace.init").exclude(
                action="client.add", object_id="operation"
            )
        else:
            rows = table.model._base_manager.all()
        if rows.exists():
            busy.append(table.name)
    return busy
