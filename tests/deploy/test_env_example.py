"""The example settings files name only settings the code reads, so they cannot drift from it."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from deploy.files import DEPLOY, ROOT, read_env_file

SRC = ROOT / "src" / "dataward"
NAME = re.compile(r"\bDATAWARD_[A-Z0-9_]*[A-Z0-9]\b")
#: Variables the code reads that deploy/dataward.env.example leaves out on purpose.
NOT_IN_EXAMPLE = {
    "DATAWARD_USER": "acts as a stored user; the services act as the workspace owner",
    "DATAWARD_DEBUG": "tracebacks, for a developer",
    "DATAWARD_SSLYZE": "where sslyze is, for `dataward tls check` (docs/encryption.md)",
    "DATAWARD_OIDC_SIGN_ALGO": "optional SSO detail (docs/web.md)",
    "DATAWARD_OIDC_AUTHORIZATION_ENDPOINT": "discovered from the issuer (docs/web.md)",
    "DATAWARD_OIDC_TOKEN_ENDPOINT": "discovered from the issuer (docs/web.md)",
    "DATAWARD_OIDC_USERINFO_ENDPOINT": "discovered from the issuer (docs/web.md)",
    "DATAWARD_OIDC_JWKS_ENDPOINT": "discovered from the issuer (docs/web.md)",
}


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _reads(tree: ast.Module) -> set[str]:
    """Return the names this module reads from the environment, in the forms the code uses."""
    constants = {  # NAME = "DATAWARD_..." at module level, read as env.get(NAME)
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and isinstance(node.value.value, str)
    }

    def _literal(node: ast.expr | None) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return constants.get(node.id, "") if isinstance(node, ast.Name) else ""

    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            first = _literal(node.args[0]) if node.args else ""
            owner = _last_name(func.value) if isinstance(func, ast.Attribute) else ""
            if _last_name(func) == "get" and owner in ("env", "environ"):  # os.environ.get too
                found.add(first)
            if _last_name(func) == "getenv":
                found.add(first)
            if len(node.args) > 1 and _last_name(node.args[0]) == "env":  # helper(env, "NAME")
                found.add(_literal(node.args[1]))
            found.update(_literal(k.value) for k in node.keywords if k.arg == "envvar")
        if isinstance(node, ast.Subscript) and _last_name(node.value) in ("env", "environ"):
            found.add(_literal(node.slice))
    return {name for name in found if name.startswith("DATAWARD_")}


@cache
def read_by_code() -> frozenset[str]:
    """Return every DATAWARD_* variable read anywhere under src/dataward."""
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        names |= _reads(ast.parse(path.read_text(), str(path)))
    return frozenset(names)


def test_the_reader_finds_the_variables_known_to_be_read() -> None:
    expected = {
        "DATAWARD_WORKSPACE",  # env.get in core/engine/workspace.py
        "DATAWARD_KEY",  # env["DATAWARD_KEY"] in core/workspace.py
        "DATAWARD_WEB_BEHIND_PROXY",
        "DATAWARD_SMTP_HOST",  # typer envvar=
        "DATAWARD_SMTP_PASSWORD",  # os.environ.get
    }
    assert expected <= read_by_code()
    assert "DATAWARD_OIDC_ENABLED" not in read_by_code()  # a Django setting's name, not a variable


@pytest.mark.parametrize(
    "path",
    [ROOT / "docs" / "deploy.md", *sorted(p for p in DEPLOY.rglob("*") if p.is_file())],
    ids=lambda p: str(Path(p).relative_to(ROOT)),
)
def test_every_dataward_variable_named_is_read_by_the_code(path: Path) -> None:
    named = set(NAME.findall(path.read_text()))
    assert not named - read_by_code(), f"{path.name} names variables dataward never reads"


def test_the_example_names_every_deployment_variable() -> None:
    named = set(NAME.findall((DEPLOY / "dataward.env.example").read_text()))
    missing = read_by_code() - named - NOT_IN_EXAMPLE.keys()
    assert not missing, (
        "add these to deploy/dataward.env.example (or to NOT_IN_EXAMPLE, saying why)"
    )
    assert not named & NOT_IN_EXAMPLE.keys()


def test_the_example_parses_and_sets_what_the_services_need() -> None:
    env = read_env_file((DEPLOY / "dataward.env.example").read_text())
    assert env["DATAWARD_WORKSPACE"] == "/var/lib/dataward/workspace"
    assert env["DATAWARD_WEB_BEHIND_PROXY"] == "1"
    assert "DATAWARD_KEY" not in env  # commented examples only: no secret is shipped
    assert "DATAWARD_SMTP_PASSWORD" not in env
    assert "DATAWARD_OIDC_CLIENT_SECRET" not in env
    assert "DATAWARD_WEB_INSECURE_COOKIES" not in env


def _leaves(tree: dict[str, object], prefix: str = "") -> list[str]:
    keys = []
    for key, val in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        keys += _leaves(val, path) if isinstance(val, dict) else [path]
    return keys


def test_the_dask_settings_are_keys_dask_knows() -> None:
    import dask.config
    import distributed  # noqa: F401 - loads distributed's defaults into dask.config

    settings = yaml.safe_load((DEPLOY / "dask" / "dataward.yaml").read_text())
    leaves = _leaves(settings)
    assert "distributed.comm.require-encryption" in leaves
    for key in leaves:
        dask.config.get(key)  # KeyError for a misspelt or retired key
    env = read_env_file((DEPLOY / "dask.env.example").read_text())
    assert set(env) == {"NODE_ADDRESS", "SCHEDULER_ADDRESS"}
    assert env["SCHEDULER_ADDRESS"].startswith("tls://")
