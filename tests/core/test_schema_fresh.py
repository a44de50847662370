"""A new database made in one step equals one made by replaying every migration.

``dataward init`` builds a new database's schema from today's models (core/schema.py) instead
of running ``migrate``; the next release's migrations then run on top of it, so the two must
be the same database: tables, columns with their types, nullability and defaults, every index
and constraint (by name where the database names it), the migration records and the rows the
migrations and their signals write.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from tests.conftest import BACKENDS, _drop_quietly, _pg_admin_url, _pg_exec

from dataward.core.engine.workspace import WorkspaceConfig, WorkspacePaths
from dataward.runtime import activate

#: Names SQLite introspection makes up by position (columns are in another order, see below).
_UNNAMED = re.compile(r"^(__unnamed_constraint_\d+__|fk_\d+)$")


def _use(url: str) -> None:
    connections.close_all()
    activate(WorkspaceConfig(WorkspacePaths(Path("/nonexistent")), url), "schema-test")


def _constraints(cursor: Any, table: str) -> list[tuple[Any, ...]]:
    """Return a table's constraints; names SQLite numbers by column order are left out.

    Migrations append added fields at the end of a table, a fresh schema has them in model
    order; column order is the one accepted difference (nothing reads columns by position).
    """
    found = []
    for name, info in connection.introspection.get_constraints(cursor, table).items():
        shown = "" if _UNNAMED.match(name) else name
        found.append(
            (
                shown,
                tuple(info["columns"]),
                bool(info["primary_key"]),
                bool(info["unique"]),
                bool(info["index"]),
                bool(info["check"]),
                tuple(info["foreign_key"] or ()),
                tuple(info.get("orders") or ()),
                str(info.get("type") or ""),
            )
        )
    return sorted(found)


def _snapshot() -> dict[str, Any]:
    """Describe the connected database: schema, constraint SQL, migration records and rows."""
    snap: dict[str, Any] = {}
    intro = connection.introspection
    with connection.cursor() as cursor:
        for table in sorted(intro.table_names(cursor)):
            columns = sorted(
                (c.name, c.type_code, c.null_ok, c.default, c.internal_size, c.collation)
                for c in intro.get_table_description(cursor, table)
            )
            snap[f"{table}:columns"] = columns
            snap[f"{table}:constraints"] = _constraints(cursor, table)
            if table == "django_migrations":
                cursor.execute("SELECT app, name FROM django_migrations")
            else:
                names = ", ".join(f'"{c[0]}"' for c in columns)  # by name: order differs
                cursor.execute(f'SELECT {names} FROM "{table}"')  # noqa: S608 (database's names)
            snap[f"{table}:rows"] = sorted(map(repr, cursor.fetchall()))
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
            )
            snap["pg:constraints"] = sorted(cursor.fetchall())
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")
            snap["pg:indexes"] = sorted(cursor.fetchall())
        else:
            cursor.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' "
                "AND sql IS NOT NULL"
            )
            snap["sqlite:indexes"] = sorted(cursor.fetchall())
    return snap


def _urls(backend: str, tmp_path: Path) -> list[str]:
    if backend == "sqlite":
        return [f"sqlite:///{tmp_path / name}" for name in ("migrated.sqlite3", "fresh.sqlite3")]
    base = _pg_admin_url().rsplit("/", 1)[0]
    names = [f"dw_schema_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    for name in names:
        _pg_exec(f'CREATE DATABASE "{name}"')
    return [f"{base}/{name}" for name in names]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fresh_database_equals_a_migrated_one(backend: str, tmp_path: Path) -> None:
    from django.core.management import call_command

    from dataward.core.schema import create_fresh

    migrated, fresh = _urls(backend, tmp_path)
    try:
        _use(migrated)
        call_command("migrate", interactive=False, verbosity=0)
        before = _snapshot()
        _use(fresh)
        assert create_fresh(connection) is True
        after = _snapshot()
        assert create_fresh(connection) is False  # never twice: the database is not empty
    finally:
        connections.close_all()
        if backend == "postgres":
            for url in (migrated, fresh):
                _drop_quietly(url.rsplit("/", 1)[1])
    assert len(before) > 100
    assert before["core_audithead:rows"], "the audit head row the core migration writes"
    assert len(before["django_migrations:rows"]) >= 20
    assert before["django_content_type:rows"]
    assert before["auth_permission:rows"]
    differences = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert differences == []


def test_a_migration_it_cannot_reproduce_means_migrate_runs(tmp_path: Path) -> None:
    from django.db import migrations

    from dataward.core import schema

    class FakeLoader:
        class graph:  # noqa: N801 (the loader's attribute name)
            nodes = {("x", "0001"): migrations.Migration("0001", "x")}

            @staticmethod
            def leaf_nodes() -> list[tuple[str, str]]:
                return [("x", "0001")]

            @staticmethod
            def forwards_plan(node: tuple[str, str]) -> list[tuple[str, str]]:
                return [node]

    FakeLoader.graph.nodes[("x", "0001")].operations = [migrations.RunSQL("SELECT 1")]
    assert schema._plan(FakeLoader) is None
    FakeLoader.graph.nodes[("x", "0001")].operations = [migrations.RunPython(print)]
    assert schema._plan(FakeLoader) == [FakeLoader.graph.nodes[("x", "0001")]]


def test_init_makes_a_workspace_whose_next_open_needs_no_migration(tmp_path: Path) -> None:
    from django.db.migrations.executor import MigrationExecutor

    from dataward.core.workspace import init_workspace, open_workspace

    init_workspace(tmp_path / "ws", env={})
    open_workspace(tmp_path / "ws", env={})
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchone() == ("ok",)
        cursor.execute("PRAGMA foreign_key_check")
        assert cursor.fetchall() == []
