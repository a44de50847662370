"""The tool's own users: argon2 hashes, roles, client scope, disabling."""

from __future__ import annotations

import json

import pytest

from dataward.core import clients, users
from dataward.core.engine.clients import ClientSpec
from dataward.core.models import AuditEvent, User
from helpers import assert_one_line_error


@pytest.fixture
def root(ws) -> str:  # type: ignore[no-untyped-def]
    for slug in ("northbank", "carewell"):
        clients.add(ws, ClientSpec(slug=slug, name=slug.title()))
    return str(ws.paths.root)


def test_password_is_an_argon2_hash(root, cli) -> None:
    result = cli(
        "users",
        "add",
        "ana",
        "--role",
        "analyst",
        "--password-stdin",
        "-w",
        root,
        stdin="a long passphrase for ana\n",
    )
    assert result.code == 0, result
    user = User.objects.get(username="ana")
    assert user.password.startswith("argon2$argon2id$")
    assert "passphrase" not in user.password
    assert users.check_password("ana", "a long passphrase for ana")
    assert not users.check_password("ana", "wrong")


def test_weak_password_is_refused(root, cli) -> None:
    result = cli(
        "users", "add", "ana", "--role", "analyst", "--password-stdin", "-w", root, stdin="123\n"
    )
    assert_one_line_error(result, "--password", "too short")
    assert not User.objects.filter(username="ana").exists()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--role", "superuser"], ["unknown role", "superuser"]),
        (["--role", "client-viewer"], ["exactly one client"]),
        (
            ["--role", "client-viewer", "--client", "northbank", "--client", "carewell"],
            ["exactly one client"],
        ),
        (["--role", "admin", "--client", "northbank"], ["whole operation"]),
        (["--role", "manager", "--client", "nosuch"], ["no client 'nosuch'"]),
    ],
)
def test_invalid_users_are_refused(root, cli, args: list[str], needles: list[str]) -> None:
    assert_one_line_error(cli("users", "add", "u1", *args, "-w", root, stdin=""), *needles)
    assert not User.objects.filter(username="u1").exists()


def test_list_disable_enable_and_acting_as(root, cli) -> None:
    cli("users", "add", "mgr", "--role", "manager", "--client", "northbank", "-w", root, stdin="")
    cli("users", "add", "boss", "--role", "admin", "-w", root, stdin="")
    listed = json.loads(cli("users", "list", "-f", "json", "-w", root).out)
    assert {u["username"]: u["clients"] for u in listed} == {
        "boss": ["(all)"],
        "mgr": ["northbank"],
    }
    assert cli("users", "disable", "mgr", "-w", root, "--as", "boss").code == 0
    assert_one_line_error(cli("clients", "list", "-w", root, "--as", "mgr"), "disabled")
    assert_one_line_error(cli("users", "enable", "mgr", "-w", root, "--as", "nobody"), "nobody")
    assert cli("users", "enable", "mgr", "-w", root).code == 0
    assert cli("clients", "list", "-w", root, "--as", "mgr").code == 0
    assert_one_line_error(
        cli("users", "disable", "boss", "-w", root, "--as", "mgr"), "may not manage-users"
    )
    actions = list(AuditEvent.objects.filter(object_type="user").values_list("action", "actor"))
    assert ("user.disable", "boss") in actions
    assert ("user.enable", f"local:{__import__('getpass').getuser()}") in actions


def test_acting_user_from_environment(root, cli) -> None:
    cli("users", "add", "aud", "--role", "auditor", "-w", root, stdin="")
    result = cli(
        "users", "add", "x2", "--role", "analyst", "-w", root, stdin="", DATAWARD_USER="aud"
    )
    assert_one_line_error(result, "aud (auditor) may not manage-users")


def test_odd_usernames_are_refused_and_markup_is_printed_as_is(root, cli) -> None:
    assert_one_line_error(
        cli("users", "add", "bad name!", "--role", "analyst", "-w", root, stdin=""), "username"
    )
    ok = cli("users", "add", "x[b]y", "--role", "analyst", "-w", root, stdin="")
    assert ok.code == 2
    cli("clients", "add", "odd", "--name", "[/x] Odd [bold]Co", "-w", root)
    assert "[/x] Odd [bold]Co" in cli("clients", "list", "-w", root).out


def test_init_acts_as_owner_even_with_a_user_set(cli, tmp_path) -> None:
    result = cli("init", "-w", str(tmp_path / "n"), DATAWARD_USER="alice")
    assert result.code == 0, result
