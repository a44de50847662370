"""Keep the layering honest: engines never import Django; every package has the same shape."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "dataward"
ENGINE_FILES = sorted(p for p in SRC.glob("*/engine/**/*.py"))


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_engine_modules_never_import_django(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert not name.startswith("django"), f"{path.name} imports {name}"
            assert ".models" not in name, f"{path.name} imports {name}"


def test_there_are_engine_modules() -> None:
    assert len(ENGINE_FILES) >= 5


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_stay_small(path: Path) -> None:
    if "migrations" in path.parts:
        return
    assert len(path.read_text().splitlines()) <= 400, path


def test_migrations_match_the_models() -> None:
    from django.core.management import call_command

    from dataward.core.engine.workspace import WorkspaceConfig, WorkspacePaths
    from dataward.runtime import activate

    activate(WorkspaceConfig(WorkspacePaths(Path("/nonexistent")), "sqlite:///:memory:"), "t")
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
