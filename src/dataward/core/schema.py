"""Create a brand-new database's schema in one step instead of replaying every migration.

Replaying the migrations of a new workspace costs about five seconds, nearly all of it Django
re-rendering its historical model states after each operation, not SQL. For an empty database the
result is known in advance: the tables of the migrations' final state (rendered once), every
migration marked applied, and the data the migrations would have written. ``create_fresh`` builds
exactly that (the same tables,
columns, indexes and constraints, compared by tests/core/test_schema_fresh.py on SQLite and
PostgreSQL) in one transaction, and declines whenever a migration holds an operation it cannot
reproduce (raw SQL, a plug-in's own operation class), so ``migrate`` then runs as before.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations as ops

#: Schema operations whose end result is the current models' tables.
_SCHEMA_OPS = (
    ops.CreateModel,
    ops.DeleteModel,
    ops.AddField,
    ops.AlterField,
    ops.RemoveField,
    ops.AddIndex,
    ops.RemoveIndex,
    ops.AddConstraint,
    ops.RemoveConstraint,
    ops.AlterModelOptions,
    ops.AlterModelManagers,
    ops.AlterUniqueTogether,
    ops.AlterModelTable,
    ops.AlterOrderWithRespectTo,
)
#: Django's own data migrations fix rows of existing databases; an empty one has none to fix.
_DJANGO_APPS = frozenset({"auth", "contenttypes", "sessions", "admin"})


def _plan(loader: Any) -> list[Any] | None:
    """Return every migration in apply order, or None when one cannot be reproduced."""
    nodes: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        nodes.extend(n for n in loader.graph.forwards_plan(leaf) if n not in nodes)
    plan = [loader.graph.nodes[node] for node in nodes]
    for migration in plan:
        for operation in migration.operations:
            if isinstance(operation, _SCHEMA_OPS):
                continue
            if isinstance(operation, ops.RunPython):
                continue
            return None
    return plan


def create_fresh(connection: Any) -> bool:
    """Create the schema of an empty database; return False (doing nothing) if it cannot."""
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder
    from django.db.migrations.state import ProjectState

    if connection.introspection.table_names():
        return False
    loader = MigrationLoader(connection)
    plan = _plan(loader)
    if plan is None:
        return False
    steps = [(migration, False) for migration in plan]
    before = ProjectState(real_apps=loader.unmigrated_apps).apps
    emit_pre_migrate_signal(0, False, connection.alias, apps=before, plan=steps)
    # The models as the migrations define them (what migrate would leave), rendered once.
    final = loader.project_state().apps
    recorder = MigrationRecorder(connection)
    with connection.schema_editor() as editor:  # one transaction: all of it or nothing
        editor.create_model(recorder.Migration)
        for model in final.get_models():
            meta = model._meta
            if meta.managed and not meta.proxy and not meta.swapped:
                editor.create_model(model)  # also makes its many-to-many join tables
        for migration in plan:
            if migration.app_label in _DJANGO_APPS:
                continue
            for operation in migration.operations:
                if isinstance(operation, ops.RunPython):
                    operation.code(final, editor)
        for migration in plan:
            recorder.record_applied(migration.app_label, migration.name)
    emit_post_migrate_signal(0, False, connection.alias, apps=final, plan=steps)
    return True
