"""Key rotation re-encrypts protected fields and keeps old fingerprints and seals valid."""

from __future__ import annotations

import json

from django.db import connection

from dataward.core import audit, clients
from dataward.core.engine.clients import ClientSpec
from dataward.core.models import Client, KeyCheck
from helpers import assert_one_line_error


def _raw_contact(slug: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT security_contact FROM core_client WHERE slug = %s", [slug])
        return str(cursor.fetchone()[0])


def test_rotate_reencrypts_and_keeps_everything_resolvable(ws, cli) -> None:
    root = str(ws.paths.root)
    clients.add(ws, ClientSpec(slug="acme", name="Acme", security_contact="sec@acme.example"))
    old_id = ws.keyring.active_id
    old_fp = ws.keyring.fingerprint("4111111111111111")
    assert _raw_contact("acme").startswith(f"enc1:{old_id}:")
    result = cli("keys", "rotate", "-w", root)
    assert result.code == 0, result
    ring = json.loads((ws.paths.root / "dataward.key").read_text())
    new_id = ring["active"]
    assert new_id != old_id
    assert {k["id"] for k in ring["keys"]} == {old_id, new_id}
    assert _raw_contact("acme").startswith(f"enc1:{new_id}:")
    assert set(KeyCheck.objects.values_list("key_id", flat=True)) == {old_id, new_id}
    from dataward.core.workspace import open_workspace

    reopened = open_workspace(ws.paths.root, env={})
    assert Client.objects.get(slug="acme").security_contact == "sec@acme.example"
    assert reopened.keyring.matches("4111111111111111", old_fp)
    report = audit.verify(reopened)
    assert report.ok, report
    listed = json.loads(cli("keys", "list", "-f", "json", "-w", root).out)
    assert [k["active"] for k in listed] == [False, True]
    assert "secret" not in json.dumps(listed)


def test_rotate_refuses_an_environment_key(cli, tmp_path) -> None:
    root = str(tmp_path / "w")
    cli("init", "-w", root, DATAWARD_KEY="m" * 43)
    assert_one_line_error(cli("keys", "rotate", "-w", root, DATAWARD_KEY="m" * 43), "DATAWARD_KEY")


def test_old_key_removed_makes_old_data_a_clear_error(ws, cli) -> None:
    root = str(ws.paths.root)
    clients.add(ws, ClientSpec(slug="acme", name="Acme", security_contact="sec@acme.example"))
    ring = json.loads((ws.paths.root / "dataward.key").read_text())
    cli("keys", "rotate", "-w", root)
    rotated = json.loads((ws.paths.root / "dataward.key").read_text())
    rotated["keys"] = [k for k in rotated["keys"] if k["id"] != ring["active"]]
    (ws.paths.root / "dataward.key").write_text(json.dumps(rotated))
    result = cli("audit", "verify", "-w", root, "-f", "json")
    assert result.code == 1
    assert "unknown key" in json.loads(result.out)["reason"]


def test_a_stale_rotation_is_refused_and_loses_no_key(ws, cli) -> None:
    import pytest

    from dataward.core import keys
    from dataward.errors import KeyringError

    clients.add(ws, ClientSpec(slug="acme", name="Acme", security_contact="sec@acme.example"))
    assert cli("keys", "rotate", "-w", str(ws.paths.root)).code == 0
    with pytest.raises(KeyringError, match="changed since this command started"):
        keys.rotate(ws, from_env=False)  # ws still holds the keyring it opened with
    ring = json.loads((ws.paths.root / "dataward.key").read_text())
    assert len(ring["keys"]) == 2
    assert cli("audit", "verify", "-w", str(ws.paths.root)).code == 0


def test_a_keyring_asks_its_finder_only_for_keys_it_lacks() -> None:
    import pytest

    from dataward.core.engine.crypto import Keyring
    from dataward.errors import KeyringError

    old = Keyring.generate()
    new = old.rotate()
    asked: list[str | None] = []

    def finder(key_id: str | None) -> Keyring | None:
        asked.append(key_id)
        return new

    stale = old.with_finder(finder)
    assert stale == old  # the finder is not part of the keyring's identity
    token = new.encrypt("sec@acme.test", "core.Client.security_contact")
    assert stale.decrypt(token, "core.Client.security_contact") == "sec@acme.test"
    assert asked == [new.active_id]
    assert stale.get(old.active_id) == old.active
    assert asked == [new.active_id]
    assert stale.encrypt("x", "ctx").startswith(f"enc1:{new.active_id}:")  # never the old key
    assert stale.latest() is new
    with pytest.raises(KeyringError, match="kmissing"):
        stale.get("kmissing")
    assert old.latest() is old
    assert old.encrypt("x", "ctx").startswith(f"enc1:{old.active_id}:")


def test_web_sessions_signed_before_a_rotation_stay_valid(ws, cli) -> None:
    from dataward.core.models import User
    from dataward.core.workspace import open_workspace

    root = str(ws.paths.root)
    assert cli("users", "add", "ana", "--role", "analyst", "-w", root).code == 0
    user = User.objects.get(username="ana")
    before = user.get_session_auth_hash()  # what a signed-in browser's session holds
    assert cli("keys", "rotate", "-w", root).code == 0
    open_workspace(root, env={})  # a web server started after the rotation
    assert user.get_session_auth_hash() != before  # signed with the new key from now on
    assert before in list(user.get_session_auth_fallback_hash())  # the old one still accepted
