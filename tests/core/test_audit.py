"""The audit trail: every change is chained, and tampering is found at the first broken link."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from dataward.core import audit, clients
from dataward.core.engine.clients import ClientSpec
from dataward.core.models import AuditEvent


def _spec(slug: str) -> ClientSpec:
    return ClientSpec(slug=slug, name=slug.title(), data_categories=["PII"])


@pytest.fixture
def trail(ws):  # type: ignore[no-untyped-def]
    """A workspace with eight events: init, the operation, three clients, three updates."""
    for slug in ("alpha", "bravo", "charlie"):
        clients.add(ws, _spec(slug))
    for slug in ("alpha", "bravo", "charlie"):
        spec = _spec(slug)
        spec.frameworks = ["SOC2"]
        clients.add(ws, spec, update=True)
    assert AuditEvent.objects.count() == 8
    return ws


def _sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_intact_chain_verifies(trail) -> None:
    report = audit.verify(trail)
    assert report.ok
    assert report.checked == 8


def test_every_change_is_recorded_with_digests(trail) -> None:
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.action for r in rows] == ["client.add", "workspace.init"] + ["client.add"] * 3 + [
        "client.update"
    ] * 3
    update = rows[-1]
    assert update.client == "charlie"
    assert update.before
    assert update.after
    assert update.before != update.after
    assert "charlie" not in update.before  # a keyed digest, not the state itself


def test_edited_row_is_found(trail) -> None:
    _sql("UPDATE core_auditevent SET actor = %s WHERE seq = 5", "mallory")
    report = audit.verify(trail)
    assert (report.broken_seq, report.checked) == (5, 4)
    assert "edited" in report.reason


def test_edited_detail_is_found(trail) -> None:
    _sql("UPDATE core_auditevent SET client = %s WHERE seq = 7", "alpha")
    assert audit.verify(trail).broken_seq == 7


def test_deleted_row_is_found(trail) -> None:
    _sql("DELETE FROM core_auditevent WHERE seq = 4")
    report = audit.verify(trail)
    assert report.broken_seq == 5
    assert "jumps from 3 to 5" in report.reason


def test_deleted_and_renumbered_rows_are_found(trail) -> None:
    _sql("DELETE FROM core_auditevent WHERE seq = 4")
    for seq in range(5, 9):
        _sql("UPDATE core_auditevent SET seq = %s WHERE seq = %s", seq - 1, seq)
    report = audit.verify(trail)
    assert report.broken_seq == 4
    assert "previous event" in report.reason


def test_reordered_rows_are_found(trail) -> None:
    _sql("UPDATE core_auditevent SET seq = 100 WHERE seq = 3")
    _sql("UPDATE core_auditevent SET seq = 3 WHERE seq = 6")
    _sql("UPDATE core_auditevent SET seq = 6 WHERE seq = 100")
    assert audit.verify(trail).broken_seq == 3


def test_rows_cut_from_the_end_are_found_by_the_anchor(trail) -> None:
    _sql("DELETE FROM core_auditevent WHERE seq >= 7")
    report = audit.verify(trail)
    assert report.broken_seq == 7
    assert "8 events were sealed" in report.reason


def test_resealed_forgery_without_the_key_is_found(trail) -> None:
    row = AuditEvent.objects.get(seq=8)
    _sql("UPDATE core_auditevent SET hash = %s WHERE seq = 8", "f" * 64)
    assert audit.verify(trail).broken_seq == 8
    assert row.hash != "f" * 64


def test_model_refuses_update_and_delete(trail) -> None:
    row = AuditEvent.objects.get(seq=2)
    row.actor = "x"
    with pytest.raises(RuntimeError, match="append-only"):
        row.save()
    with pytest.raises(RuntimeError, match="append-only"):
        row.delete()


def test_cli_verify_and_log(trail, cli) -> None:
    root = str(trail.paths.root)
    ok = cli("audit", "verify", "-w", root)
    assert ok.code == 0
    assert "8 events verified" in ok.out
    log = cli("audit", "log", "-w", root, "--client", "bravo", "-f", "json")
    events = json.loads(log.out)
    assert [e["action"] for e in events] == ["client.add", "client.update"]
    assert {e["client"] for e in events} == {"bravo"}
    newest = json.loads(cli("audit", "log", "-w", root, "--limit", "2", "-f", "json").out)
    assert [e["seq"] for e in newest] == [7, 8]
    _sql("UPDATE core_auditevent SET action = %s WHERE seq = 6", "client.delete")
    broken = cli("audit", "verify", "-w", root, "-f", "json")
    assert broken.code == 1
    assert json.loads(broken.out) == {
        "ok": False,
        "checked": 5,
        "broken_seq": 6,
        "reason": "content does not match its seal (edited)",
    }
    table = cli("audit", "verify", "-w", root)
    assert "BROKEN at event 6" in table.out


def test_broken_chain_fails_its_check(trail, cli) -> None:
    _sql("DELETE FROM core_auditevent WHERE seq = 2")
    result = cli("assess", "-w", str(trail.paths.root), "-f", "json", "--fail-on", "fail")
    assert result.code == 1
    rows = json.loads(result.out)["results"]
    row = next(r for r in rows if r["check"] == "core_audit_chain_intact")
    assert row["status"] == "fail"
    assert "chain breaks at event 3" in row["summary"]


def test_scoped_user_sees_only_their_clients_events(trail, cli) -> None:
    root = str(trail.paths.root)
    assert (
        cli(
            "users", "add", "mgr", "--role", "manager", "--client", "bravo", "-w", root, stdin=""
        ).code
        == 0
    )
    events = json.loads(cli("audit", "log", "-f", "json", "-w", root, "--as", "mgr").out)
    assert {e["client"] for e in events} == {"bravo"}
    denied = cli("audit", "log", "--client", "alpha", "-w", root, "--as", "mgr")
    assert denied.code == 2
    assert "may not view-audit on client alpha" in denied.err


def test_rows_sealed_with_a_retired_key_are_found(trail, cli) -> None:
    from dataward.core.engine.audit import AuditRecord, link_hash

    root = str(trail.paths.root)
    old_ring = trail.keyring
    assert cli("keys", "rotate", "-w", root).code == 0
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    forged = AuditRecord(
        seq=last.seq + 1,
        at="2099-01-01T00:00:00+00:00",
        actor="mallory",
        action="user.add",
        client="",
        object_type="user",
        object_id="backdoor",
        before="",
        after="",
        key_id=old_ring.active_id,
        prev_hash=last.hash,
    )
    from dataward.core.audit import _fields

    AuditEvent.objects.create(**_fields(forged), hash=link_hash(forged, old_ring))
    result = cli("audit", "verify", "-w", root, "-f", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["broken_seq"] == forged.seq
    assert "retired key" in report["reason"]


def test_unreadable_anchor_is_reported(trail) -> None:
    trail.paths.audit_head.write_text("garbage")
    report = audit.verify(trail)
    assert not report.ok
    assert "anchor file" in report.reason
