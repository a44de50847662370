"""Incidents stored on SQLite and PostgreSQL: clocks, workflow, playbooks, audit, duties."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from dataward.controls.engine.registry import Status
from dataward.core.models import AuditEvent
from dataward.errors import DatawardError, PermissionDeniedError
from dataward.incidents import checklist, queries, readers, service
from dataward.incidents.engine.register import ImpactSpec
from dataward.incidents.models import TimelineEntry
from incidents.fixtures import NOW

LESSONS = "Outbound mail to new domains now asks the agent to confirm the recipient."


def _report(ws, detected=NOW - timedelta(hours=80), **kw):  # type: ignore[no-untyped-def]
    impacts = kw.pop("impacts", [ImpactSpec("eurotel", ("PII",), 38),
                                 ImpactSpec("medplan", ("PHI", "PII"), 140),
                                 ImpactSpec("cardco")])  # fmt: skip
    return service.report(
        ws, title="Claims file sent to the wrong address", severity="high", impacts=impacts,
        detected_at=detected, **kw,
    )  # fmt: skip


def _states(ws, slug=None) -> dict[tuple[str, str, str], str]:  # type: ignore[no-untyped-def]
    return {(r["ref"], r["client"], r["rule"]): r["state"] for r in queries.clock_rows(ws, slug)}


def test_report_starts_a_clock_per_rule_and_client(iws) -> None:  # type: ignore[no-untyped-def]
    incident = _report(iws)
    assert incident.ref == "INC-0001"
    assert _report(iws).ref == "INC-0002"
    rows = {(r["client"], r["rule"]): r for r in queries.clock_rows(iws) if r["ref"] == "INC-0001"}
    assert {k: v["due_at"] for k, v in rows.items()} == {
        ("eurotel", "contract"): "2026-11-18T04:00Z",  # 24 h contract from awareness
        ("eurotel", "gdpr_art33"): "2026-11-20T04:00Z",  # 72 h to the supervisory authority
        ("medplan", "contract"): "2026-11-19T04:00Z",  # 48 h contract
        ("medplan", "hipaa_individuals"): "2027-01-16T04:00Z",  # 60 days to individuals
    }  # cardco: no contract deadline on record and no GDPR or HIPAA, so no clock
    assert {v["state"] for v in rows.values()} == {"overdue", "open"}
    doc = queries.show(iws, "inc-0001")
    assert [i["client"] for i in doc["impacts"]] == ["cardco", "eurotel", "medplan"]
    cardco = doc["impacts"][0]
    assert cardco["categories_assumed"]
    assert cardco["data_categories"] == ["PCI"]


def test_clock_states_met_late_overdue_due_soon(iws, clock) -> None:  # type: ignore[no-untyped-def]
    _report(iws)
    assert (
        service.notify(iws, "INC-0001", "gdpr_art33", "eurotel", at=NOW - timedelta(hours=10))
        == "met"
    )
    assert service.notify(iws, "INC-0001", "contract", "eurotel") == "met late"
    with pytest.raises(DatawardError, match="say why"):
        service.notify(iws, "INC-0001", "contract", "medplan", not_required=True)
    state = service.notify(
        iws, "INC-0001", "contract", "medplan", not_required=True, note="client told us first"
    )
    assert state == "not required"
    with pytest.raises(DatawardError, match="already recorded"):
        service.notify(iws, "INC-0001", "contract", "medplan")
    with pytest.raises(DatawardError, match="between awareness and now"):
        service.notify(iws, "INC-0001", "hipaa_individuals", "medplan", at=NOW - timedelta(days=9))
    assert _states(iws) == {
        ("INC-0001", "eurotel", "gdpr_art33"): "met",
        ("INC-0001", "eurotel", "contract"): "met late",
        ("INC-0001", "medplan", "contract"): "not required",
        ("INC-0001", "medplan", "hipaa_individuals"): "open",
    }
    clock.now = NOW + timedelta(days=53)
    assert _states(iws)[("INC-0001", "medplan", "hipaa_individuals")] == "due soon"
    clock.now = NOW + timedelta(days=57)
    assert _states(iws)[("INC-0001", "medplan", "hipaa_individuals")] == "overdue"
    overdue = queries.clock_rows(iws, states=("overdue",))
    assert [(r["rule"], r["left"]) for r in overdue] == [("hipaa_individuals", "8h 0m late")]


def _check(ws, slug: str, check_id: str):  # type: ignore[no-untyped-def]
    from dataward.controls.store import registry
    from dataward.controls.view import DjangoView
    from dataward.core.models import Client

    view = DjangoView(ws, Client.objects.get(slug=slug), ws.clock())
    return list(registry().checks[check_id].fn(view))


def test_notification_check_fails_late_and_overdue_clocks(iws, clock) -> None:  # type: ignore[no-untyped-def]
    _report(iws)
    service.notify(iws, "INC-0001", "gdpr_art33", "eurotel", at=NOW - timedelta(hours=10))
    results = {r.subject: r for r in _check(iws, "eurotel", "incidents_notifications_on_time")}
    assert {s: r.status for s, r in results.items()} == {
        "INC-0001 contract": Status.FAIL,  # overdue, nobody told
        "INC-0001 gdpr_art33": Status.PASS,
    }
    assert "overdue, not notified" in results["INC-0001 contract"].summary
    assert results["INC-0001 contract"].evidence[0]["state"] == "overdue"
    medplan = {
        r.subject: r.status for r in _check(iws, "medplan", "incidents_notifications_on_time")
    }
    assert medplan == {"INC-0001 contract": Status.FAIL, "INC-0001 hipaa_individuals": Status.PASS}
    clock.now = NOW + timedelta(days=55)
    medplan = {
        r.subject: r.status for r in _check(iws, "medplan", "incidents_notifications_on_time")
    }
    assert medplan["INC-0001 hipaa_individuals"] is Status.WARNING
    (none,) = _check(iws, "cardco", "incidents_notifications_on_time")
    assert none.status is Status.NOT_APPLICABLE


def test_open_incidents_past_their_target_fail(iws, clock) -> None:  # type: ignore[no-untyped-def]
    _report(iws)
    (fresh,) = _check(iws, "cardco", "incidents_closed_within_target")
    assert fresh.status is Status.PASS
    clock.now = NOW + timedelta(days=50)  # high: 45 days from awareness
    (stale,) = _check(iws, "cardco", "incidents_closed_within_target")
    assert (stale.status, stale.subject) == (Status.FAIL, "INC-0001")
    assert "still reported" in stale.summary


def test_impact_changes_recompute_the_clocks(iws) -> None:  # type: ignore[no-untyped-def]
    _report(iws)
    service.notify(iws, "INC-0001", "contract", "eurotel")
    assert service.set_impact(iws, "INC-0001", ImpactSpec("eurotel", ("PII",), 0)) is True
    assert service.set_impact(iws, "INC-0001", ImpactSpec("eurotel", ("PII",), 0)) is False
    assert service.set_impact(iws, "INC-0001", ImpactSpec("medplan", ("PII",), 140)) is True
    assert set(_states(iws)) == {
        ("INC-0001", "eurotel", "contract"),
        ("INC-0001", "medplan", "contract"),
    }
    with pytest.raises(DatawardError, match="notification to or about eurotel is recorded"):
        service.remove_impact(iws, "INC-0001", "eurotel", "not affected after all")
    service.remove_impact(iws, "INC-0001", "medplan", "the file held no medplan members")
    assert set(_states(iws)) == {("INC-0001", "eurotel", "contract")}
    kinds = [e["text"] for e in queries.show(iws, "INC-0001")["timeline"]]
    assert "clock gdpr_art33 for eurotel no longer applies" in kinds


def test_workflow_closing_and_reopening(iws, as_user) -> None:  # type: ignore[no-untyped-def]
    _report(
        iws, impacts=[ImpactSpec("eurotel", ("PII",), 38)], playbooks=["misdirected_email_or_file"]
    )
    assert service.set_status(iws, "INC-0001", "contained") == "forward"
    with pytest.raises(DatawardError, match="needs a reason"):
        service.set_status(iws, "INC-0001", "triage")
    assert service.set_status(iws, "INC-0001", "triage", note="a second message found") == "back"
    with pytest.raises(DatawardError, match="closing needs lessons learned"):
        service.set_status(iws, "INC-0001", "closed")
    with pytest.raises(
        DatawardError, match="cannot close while clock contract for eurotel is open and 9 more"
    ):
        service.set_status(iws, "INC-0001", "closed", lessons=LESSONS)
    service.notify(iws, "INC-0001", "contract", "eurotel")
    service.notify(iws, "INC-0001", "gdpr_art33", "eurotel")
    for n in range(1, 9):
        checklist.finish_task(
            iws, "INC-0001", n, skip=n == 8, note="recipient was internal" * (n == 8)
        )
    assert service.set_status(iws, "INC-0001", "closed", lessons=LESSONS) == "close"
    doc = queries.show(iws, "INC-0001")
    assert (doc["status"], doc["closed_at"], doc["lessons_learned"]) == (
        "closed",
        "2026-11-20T12:00Z",
        LESSONS,
    )
    with pytest.raises(DatawardError, match="the incident is closed"):
        service.set_impact(iws, "INC-0001", ImpactSpec("eurotel", ("PII",), 40))
    analyst = as_user("ana", "analyst", [])
    with pytest.raises(DatawardError, match="only an admin may reopen"):
        service.set_status(analyst, "INC-0001", "triage", note="more found")
    assert service.set_status(iws, "INC-0001", "triage", note="more found") == "reopen"
    assert queries.show(iws, "INC-0001")["closed_at"] == ""


def test_every_change_is_audited_and_the_timeline_is_append_only(iws) -> None:  # type: ignore[no-untyped-def]
    _report(iws, impacts=[ImpactSpec("eurotel", ("PII",), 38)], playbooks=["phishing_compromise"])
    service.set_status(iws, "INC-0001", "triage")
    service.add_note(iws, "INC-0001", "mailbox rules reviewed")
    service.add_note(iws, "INC-0001", "eurotel's SOC informed", client="eurotel")
    service.assign(iws, "INC-0001", "dpo@example.invalid")
    service.notify(iws, "INC-0001", "contract", "eurotel")
    checklist.finish_task(iws, "INC-0001", 1)
    actions = list(AuditEvent.objects.filter(object_id="INC-0001").values_list("action", "client"))
    assert actions == [
        ("incident.report", ""), ("incident.impact", "eurotel"),
        ("incident.clock.start", "eurotel"), ("incident.clock.start", "eurotel"),
        ("incident.playbook", ""), ("incident.status", ""), ("incident.note", ""),
        ("incident.note", "eurotel"), ("incident.assign", ""), ("incident.notify", "eurotel"),
        ("incident.task.done", ""),
    ]  # fmt: skip
    entry = TimelineEntry.objects.unscoped("test").filter(kind="note").first()
    assert entry is not None
    entry.text = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
    from dataward.core import audit

    assert audit.verify(iws).ok


def test_playbooks_from_the_workspace_and_files(iws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _report(iws, impacts=[ImpactSpec("cardco")])
    own = tmp_path / "card_skimming.yaml"
    own.write_text(
        "name: card_skimming\ntitle: Card skimming\ntasks:\n  - Pull the terminal\n"
        "  - {text: Tell the acquirer, phase: recover}\n"
    )
    assert checklist.apply_playbook(iws, "INC-0001", str(own)) == 2
    with pytest.raises(DatawardError, match="already on INC-0001"):
        checklist.apply_playbook(iws, "INC-0001", str(own))
    assert checklist.apply_playbook(iws, "INC-0001", "ransomware") == 10
    tasks = queries.show(iws, "INC-0001")["tasks"]
    assert [t["number"] for t in tasks] == list(range(1, 13))
    assert (tasks[1]["text"], tasks[1]["phase"]) == ("Tell the acquirer", "recover")
    with pytest.raises(DatawardError, match="say why the task is skipped"):
        checklist.finish_task(iws, "INC-0001", 3, skip=True)
    with pytest.raises(DatawardError, match="has no task 13"):
        checklist.finish_task(iws, "INC-0001", 13)
    folder = iws.paths.root / "playbooks"
    folder.mkdir()
    (folder / "ransomware.yaml").write_text(
        "name: ransomware\ntitle: Our ransomware plan\ntasks: [Call the insurer]\n"
    )
    assert {r["name"]: r["tasks"] for r in queries.playbook_rows(iws)}["ransomware"] == 1
    (folder / "broken.yaml").write_text("name: broken\ntasks: [x]\n")
    with pytest.raises(DatawardError, match="broken.yaml: field 'title' is required"):
        queries.playbook_rows(iws)


def test_workspace_and_incident_rules(iws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (iws.paths.root / "incident_rules.yaml").write_text(
        "rules:\n  - {id: contract, audience: client, hours: 12}\n"  # overrides the shipped one
    )
    extra = tmp_path / "dora.yaml"
    extra.write_text(
        "rules:\n  - {id: dora_initial, audience: regulator, hours: 4,\n"
        "     applies_when: {categories: [FINANCIAL]}}\n"
    )
    _report(iws, impacts=[ImpactSpec("eurotel", ("FINANCIAL",), 5)], rules_file=extra)
    rows = {r["rule"]: r["due_at"] for r in queries.clock_rows(iws)}
    assert rows == {"contract": "2026-11-17T16:00Z", "dora_initial": "2026-11-17T08:00Z"}
    service.set_impact(iws, "INC-0001", ImpactSpec("eurotel", ("FINANCIAL", "PII"), 5))
    assert set(r["rule"] for r in queries.clock_rows(iws)) == {
        "contract",
        "dora_initial",
        "gdpr_art33",
    }


def test_client_scoped_users_see_only_their_incidents_and_impact(iws, as_user) -> None:  # type: ignore[no-untyped-def]
    _report(iws)
    _report(iws, impacts=[ImpactSpec("medplan", ("PHI",), 3)])
    service.add_note(iws, "INC-0001", "medplan's privacy office called", client="medplan")
    viewer = as_user("eu-viewer", "client-viewer", ["eurotel"])
    assert [r["ref"] for r in queries.incident_rows(viewer)] == ["INC-0001"]
    assert queries.incident_rows(viewer)[0]["clients"] == ["eurotel"]
    doc = queries.show(viewer, "INC-0001")
    assert [i["client"] for i in doc["impacts"]] == ["eurotel"]
    assert {c["client"] for c in doc["clocks"]} == {"eurotel"}
    text = " ".join(e["text"] for e in doc["timeline"])
    assert "medplan" not in text
    assert "cardco" not in text
    assert set(_states(viewer)) == {
        ("INC-0001", "eurotel", "contract"),
        ("INC-0001", "eurotel", "gdpr_art33"),
    }
    with pytest.raises(DatawardError, match="no incident 'INC-0002'"):
        queries.show(viewer, "INC-0002")
    with pytest.raises(PermissionDeniedError):
        queries.clock_rows(viewer, "medplan")
    with pytest.raises(PermissionDeniedError):
        service.notify(viewer, "INC-0001", "contract", "eurotel")
    analyst = as_user("eu-analyst", "analyst", ["eurotel"])
    assert service.notify(analyst, "INC-0001", "contract", "eurotel") == "met late"
    for change in (  # it affects other clients too, which the analyst may not even learn
        lambda: service.set_status(analyst, "INC-0001", "triage"),
        lambda: service.add_note(analyst, "INC-0001", "shared note"),
        lambda: service.assign(analyst, "INC-0001", "eu-analyst"),
        lambda: service.set_detected(analyst, "INC-0001", NOW - timedelta(days=5), "knew"),
        lambda: checklist.apply_playbook(analyst, "INC-0001", "ransomware"),
        lambda: checklist.finish_task(analyst, "INC-0001", 1),
    ):
        with pytest.raises(PermissionDeniedError, match="clients outside your scope") as denied:
            change()
        assert "cardco" not in str(denied.value)
        assert "medplan" not in str(denied.value)
    with pytest.raises(PermissionDeniedError):
        _report(analyst)
    assert _report(analyst, impacts=[ImpactSpec("eurotel")]).ref == "INC-0003"
    auditor = as_user("aud", "auditor", [])
    assert len(queries.incident_rows(auditor)) == 3
    with pytest.raises(PermissionDeniedError):
        _report(auditor, impacts=[])


def test_obligations_go_to_the_handler(iws, as_user) -> None:  # type: ignore[no-untyped-def]
    _report(iws, handler="dpo")
    service.notify(iws, "INC-0001", "contract", "eurotel")
    duties = {
        (o.kind, o.client, o.title.split(" (")[0][:20]): o
        for o in readers.obligations(iws, NOW.date())
    }
    assert {o.owner for o in duties.values()} == {"dpo"}
    assert sorted((k[0], k[1]) for k in duties) == [
        ("incident closure", None), ("notification clock", "eurotel"),
        ("notification clock", "medplan"), ("notification clock", "medplan"),
    ]  # fmt: skip
    closure = next(o for o in duties.values() if o.kind == "incident closure")
    assert closure.due == (NOW - timedelta(hours=80) + timedelta(days=45)).date()
    viewer = as_user("md-viewer", "client-viewer", ["medplan"])
    assert {o.client for o in readers.obligations(viewer, NOW.date())} == {"medplan"}


def test_validation_errors_are_one_line(iws) -> None:  # type: ignore[no-untyped-def]
    cases = [
        ({"title": ""}, "--title"),
        ({"severity": "urgent"}, "--severity"),
        ({"detected_at": NOW + timedelta(hours=1)}, "--detected-at"),
        ({"occurred_at": NOW}, "--occurred-at"),
        ({"impacts": [ImpactSpec("nobody")]}, "no client 'nobody'"),
        ({"impacts": [ImpactSpec("eurotel"), ImpactSpec("eurotel")]}, "named twice"),
        ({"playbooks": ["tornado"]}, "no playbook 'tornado'"),
    ]
    for change, needle in cases:
        kw = {"title": "x", "severity": "low", "detected_at": NOW - timedelta(hours=1)} | change
        with pytest.raises(DatawardError, match=needle) as caught:
            service.report(iws, **kw)
        assert "\n" not in caught.value.line()
    assert queries.incident_rows(iws) == []


def test_correcting_awareness_moves_every_clock(iws) -> None:  # type: ignore[no-untyped-def]
    _report(iws)
    service.notify(iws, "INC-0001", "gdpr_art33", "eurotel", at=NOW - timedelta(hours=10))
    with pytest.raises(DatawardError, match="needs a reason"):
        service.set_detected(iws, "INC-0001", NOW - timedelta(hours=90), "")
    service.set_detected(iws, "INC-0001", NOW - timedelta(hours=90), "the agent knew at once")
    rows = {(r["client"], r["rule"]): r for r in queries.clock_rows(iws)}
    assert rows[("eurotel", "gdpr_art33")]["due_at"] == "2026-11-19T18:00Z"
    assert rows[("eurotel", "gdpr_art33")]["state"] == "met late"
    with pytest.raises(DatawardError, match="in the future"):
        service.set_detected(iws, "INC-0001", NOW + timedelta(hours=1), "typo")
    moved = AuditEvent.objects.filter(action="incident.clock.move").count()
    assert moved == 4
