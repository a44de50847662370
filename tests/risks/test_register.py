"""The register on SQLite and PostgreSQL: raised by assessments, accepted, closed, audited."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from dataward.core.engine.clients import ClientSpec
from dataward.errors import DatawardError

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
COMPLETE = {
    "data_categories": ["PII"],
    "frameworks": ["SOC2"],
    "breach_notification_hours": 48,
    "approved_locations": ["crm"],
    "retention_rules": [{"category": "PII", "days": 365}],
}


@pytest.fixture
def acme(ws):  # type: ignore[no-untyped-def]
    """A client whose record lacks its contract terms, so one check fails for four controls."""
    from dataward.core import clients, users

    ws = dataclasses.replace(ws, clock=lambda: NOW)
    clients.add(ws, ClientSpec("acme", "Acme"))
    users.add(ws, "mona", "manager", [])
    users.add(ws, "olga", "manager", [])
    return ws


def _assess(ws):  # type: ignore[no-untyped-def]
    from dataward.controls.store import assess
    from dataward.core.models import Client

    return assess(ws, Client.objects.get(slug="acme"))


def _auto(status: str | None = None) -> list:  # type: ignore[type-arg]
    from dataward.risks.models import Risk

    qs = Risk.objects.unscoped("test").exclude(source_key="").order_by("source_key")
    return list(qs.filter(status=status) if status else qs)


def test_failing_control_raises_one_risk_per_control_and_never_duplicates(acme) -> None:  # type: ignore[no-untyped-def]
    from dataward.core.audit import events
    from dataward.risks.models import RiskEvent

    _assess(acme)
    raised = _auto()
    keys = [r.source_key for r in raised]
    assert keys == ["control:DA-01", "control:IR-02", "control:RD-01", "control:VC-02"]
    da01 = next(r for r in raised if r.source_key == "control:DA-01")
    assert da01.client.slug == "acme"
    assert da01.findings == ["core_client_contract_terms_complete: acme"]
    assert (da01.likelihood, da01.impact, da01.category) == (3, 3, "regulatory")
    assert da01.due == date(2027, 1, 27)  # medium severity: 60 days to treat
    _assess(acme)
    assert [r.ref for r in _auto()] == [r.ref for r in raised]  # no duplicates
    kinds = RiskEvent.objects.for_client(da01.client).filter(risk=da01).values_list("kind")
    assert [k for (k,) in kinds] == ["raised"]  # an unchanged failure adds no history
    assert any(e.action == "risk.raise" and e.object_id == da01.ref for e in events(acme))


def test_passing_again_proposes_closure_then_close_and_reopen(acme) -> None:  # type: ignore[no-untyped-def]
    from dataward.core import clients
    from dataward.risks import service

    _assess(acme)
    ref = next(r.ref for r in _auto() if r.source_key == "control:DA-01")
    with pytest.raises(DatawardError, match="still fails"):
        service.close(acme, ref, "fixed")
    clients.add(acme, ClientSpec("acme", "Acme", **COMPLETE), update=True)
    _assess(acme)
    assert {r.status for r in _auto()} == {"proposed_closure"}
    with pytest.raises(DatawardError, match="needs a note"):
        service.close(acme, ref, " ")
    service.close(acme, ref, "contract terms recorded")
    _, history = service.history(acme, ref)
    assert [h["kind"] for h in history] == ["raised", "proposed", "closed"]
    clients.add(acme, ClientSpec("acme", "Acme"), update=True)
    _assess(acme)
    row, history = service.history(acme, ref)
    assert row["status"] == "open"
    assert history[-1]["kind"] == "reopened"  # named as `risks reopen` names it (docs/risks.md)
    assert history[-1]["detail"]["was"] == "closed"


def test_accepting_needs_another_approver_than_owner_and_an_expiry(acme) -> None:  # type: ignore[no-untyped-def]
    from dataward.risks import service

    risk = service.add(acme, "acme", title="Night shift prints claims", likelihood="likely",
                       impact="major", category="client trust")  # fmt: skip
    assert (risk.likelihood, risk.impact, risk.category) == (4, 4, "client_trust")
    until = date(2027, 3, 1)
    with pytest.raises(DatawardError, match="no owner"):
        service.accept(acme, risk.ref, approved_by="mona", expires=until, reason="cost")
    service.update(acme, risk.ref, "assigned", owner="mona", residual_likelihood="2")
    with pytest.raises(DatawardError, match="cannot approve"):
        service.accept(acme, risk.ref, approved_by="mona", expires=until, reason="cost")
    with pytest.raises(DatawardError, match="more than"):
        service.accept(acme, risk.ref, approved_by="olga", expires=date(2028, 1, 1), reason="cost")
    with pytest.raises(DatawardError, match="needs a reason"):
        service.accept(acme, risk.ref, approved_by="olga", expires=until, reason="")
    accepted = service.accept(acme, risk.ref, approved_by="olga", expires=until, reason="cost")
    assert (accepted.status, accepted.accepted_by, accepted.treatment) == (
        "accepted", "olga", "accept",
    )  # fmt: skip
    other = service.add(acme, "acme", title="Shared mailbox", likelihood=1, impact=1)
    with pytest.raises(DatawardError, match="accepting needs"):
        service.update(acme, other.ref, treatment="accept")
    with pytest.raises(DatawardError, match="cannot start accepted"):
        service.add(acme, "acme", title="x", likelihood=1, impact=1, treatment="accept")


def test_acceptance_check_and_obligations(acme) -> None:  # type: ignore[no-untyped-def]
    from dataward.core.engine.obligations import Obligation
    from dataward.plugins import hook
    from dataward.risks import service

    risk = service.add(acme, "acme", title="Legacy dialer", likelihood=2, impact=3, owner="mona",
                       due=date(2026, 12, 5))  # fmt: skip
    service.accept(acme, risk.ref, approved_by="olga", expires=date(2026, 12, 31), reason="swap")
    late = service.add(acme, "acme", title="Old VPN", likelihood=3, impact=3, owner="olga",
                       due=date(2026, 11, 1))  # fmt: skip
    later = dataclasses.replace(acme, clock=lambda: NOW + timedelta(days=40))
    _, outcomes = _assess(later)
    results = {(o.check_id, o.subject): o.status.value for o in outcomes}
    assert results[("risks_acceptances_current", risk.ref)] == "fail"  # expired on 2026-12-31
    assert results[("risks_treatment_on_schedule", late.ref)] == "fail"
    _, outcomes = _assess(acme)
    results = {(o.check_id, o.subject): o.status.value for o in outcomes}
    assert results[("risks_acceptances_current", risk.ref)] == "pass"
    owed = [o for batch in hook().obligations(ws=acme, today=NOW.date()) for o in batch]
    mine = {(o.kind, o.ref, o.owner, o.due) for o in owed if isinstance(o, Obligation)}
    assert ("risk acceptance expiry", risk.ref, "mona", date(2026, 12, 31)) in mine
    assert ("risk treatment", late.ref, "olga", date(2026, 11, 1)) in mine


def test_scoped_user_sees_only_their_clients_risks(acme, ws_root) -> None:  # type: ignore[no-untyped-def]
    from dataward.core import clients, users
    from dataward.core.workspace import open_workspace
    from dataward.risks import service

    clients.add(acme, ClientSpec("globex", "Globex"))
    users.add(acme, "vic", "client-viewer", ["globex"])
    mine = service.add(acme, "globex", title="Globex risk", likelihood=1, impact=2)
    theirs = service.add(acme, "acme", title="Acme risk", likelihood=1, impact=2)
    vic = open_workspace(ws_root, actor="vic", env={})
    assert [r["ref"] for r in service.rows(vic, None)] == [mine.ref]
    with pytest.raises(DatawardError, match="no risk"):
        service.history(vic, theirs.ref)
    with pytest.raises(DatawardError):
        service.update(vic, mine.ref, owner="vic")  # a viewer cannot edit


def test_acceptance_sees_through_aliases_and_lasts_a_year_at_most(acme) -> None:  # type: ignore[no-untyped-def]
    from dataward.core import users
    from dataward.core.models import User
    from dataward.risks import service
    from dataward.risks.engine.register import RiskRow, acceptance_problem

    User.objects.filter(username="mona").update(email="mona@bpo.test")
    users.add(acme, "tess", "manager", [], email="tess@bpo.test")
    for owner in ("mona@bpo.test", "MONA@bpo.test ", "Mona"):  # the approver by another name
        risk = service.add(acme, "acme", title=f"Owned by {owner}", likelihood=2, impact=2,
                           owner=owner)  # fmt: skip
        with pytest.raises(DatawardError, match="cannot approve"):
            service.accept(acme, risk.ref, approved_by="mona", expires=date(2027, 3, 1),
                           reason="cost")  # fmt: skip
    risk = service.add(acme, "acme", title="Legacy IVR", likelihood=2, impact=2, owner="olga")
    # NOW is 2026-11-28: a year on is 2027-11-28; the 366 days exceptions allow is a day too many
    with pytest.raises(DatawardError, match="more than a year away"):
        service.accept(acme, risk.ref, approved_by="mona", expires=date(2027, 11, 29),
                       reason="cost")  # fmt: skip
    service.accept(acme, risk.ref, approved_by="mona", expires=date(2027, 11, 28), reason="cost")
    for owner in ("mona", "mona@bpo.test", " "):  # the approver cannot become the owner later
        with pytest.raises(DatawardError, match="owner must be someone else"):
            service.update(acme, risk.ref, owner=owner)
    assert service.update(acme, risk.ref, owner="tess@bpo.test").owner == "tess@bpo.test"
    reopened = service.reopen(acme, risk.ref, "the dialer vendor ended support")
    assert (reopened.status, reopened.treatment) == ("open", "mitigate")
    row = RiskRow("RISK-9", "t", "accepted", "accept", "Mona", None, "mona", date(2027, 1, 1))
    assert acceptance_problem(row, date(2026, 12, 1)) == "accepted by its own owner Mona"


def test_demo_verify_matches_a_plant_only_at_its_own_client(acme, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import types

    from dataward.risks import importer
    from dataward.risks.demo import verify

    path = tmp_path / "register.csv"
    path.write_text("id,risk,likelihood,impact,owner,approver,status,accepted until\n"
                    "R-07,Shared login,3,3,mona,mona,Accepted,2027-01-31\n")  # fmt: skip
    importer.run(acme, path, "acme")  # the same register id, but at a client, not the operation
    _assess(acme)
    plant = {"id": "governance-risk-accepted-by-owner", "area": "governance", "client": None,
             "expect": {"check": "risks_acceptances_current", "subject": "R-07"}}  # fmt: skip
    (outcome,) = verify(types.SimpleNamespace(manifest={"planted": [plant]}))
    assert outcome.found == ()
    assert outcome.false_alarms == ("acme: risks_acceptances_current on RISK-0001",)
