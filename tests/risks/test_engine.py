"""The pure parts of the register: scores, bands, heat map and the sync plan."""

from __future__ import annotations

from datetime import date

import pytest

from dataward.errors import DatawardError
from dataward.risks.engine import scoring
from dataward.risks.engine.register import RiskRow, acceptance_problem, plan_problem
from dataward.risks.engine.sync import CheckOutcome, ControlRef, RiskState, failures, plan

TODAY = date(2026, 11, 28)
AC01 = ControlRef("control:AC-01", "AC-01", "Access within role", "access_control")
IP01 = ControlRef("control:IP-01", "IP-01", "Privileged MFA", "identity_protection")
CONTROLS = {"c_role": [AC01], "c_mfa": [IP01, AC01]}


def test_scores_bands_and_words() -> None:
    assert scoring.score(4, 5) == 20
    assert [scoring.band(s) for s in (1, 5, 6, 11, 12, 19, 20, 25)] == [
        "low", "low", "medium", "medium", "high", "high", "critical", "critical",
    ]  # fmt: skip
    assert scoring.level("Almost certain", scoring.LIKELIHOOD_WORDS, "likelihood") == 5
    assert scoring.level(" 3 ", scoring.IMPACT_WORDS, "impact") == 3
    with pytest.raises(DatawardError, match="not 1-5"):
        scoring.level("6", scoring.IMPACT_WORDS, "impact")
    assert scoring.category("Client trust") == "client_trust"
    assert scoring.category("service-continuity") == "service_continuity"
    with pytest.raises(DatawardError, match="unknown"):
        scoring.category("reputational")


def test_heat_map_has_25_cells_with_refs() -> None:
    cells = scoring.heat_map([("R1", 4, 5), ("R2", 4, 5), ("R3", 1, 1)])
    assert len(cells) == 25
    assert (cells[0].likelihood, cells[0].impact) == (5, 1)
    hot = next(c for c in cells if (c.likelihood, c.impact) == (4, 5))
    assert (hot.count, hot.refs) == (2, ("R1", "R2"))
    assert sum(c.count for c in cells) == 3


def _o(check: str, status: str, subject: str = "s", severity: str = "high") -> CheckOutcome:
    return CheckOutcome(check, check, severity, status, subject)


def test_failures_group_by_control_and_find_clean_controls() -> None:
    failing, clean = failures(
        [
            _o("c_role", "fail", "bob", "medium"),
            _o("c_mfa", "fail", "root", "critical"),
            _o("c_other", "pass"),
            _o("c_lone", "fail", "x", "low"),
        ],
        CONTROLS,
    )
    assert set(failing) == {"control:AC-01", "control:IP-01", "check:c_lone"}
    assert failing["control:AC-01"].severity == "critical"  # worst check wins
    assert failing["control:AC-01"].subjects == {"c_role: bob", "c_mfa: root"}
    assert clean == {"check:c_other"}
    _, clean = failures([_o("c_role", "pass"), _o("c_mfa", "excepted")], CONTROLS)
    assert clean == set()  # an excepted result is no evidence that AC-01 passes


def test_plan_raises_once_updates_reopens_and_proposes_closure() -> None:
    failing, clean = failures([_o("c_role", "fail", "bob")], CONTROLS)
    assert [a.kind for a in plan(failing, clean, {}, TODAY)] == ["raise"]
    same = {"control:AC-01": RiskState("RISK-0001", "open", ("c_role: bob",))}
    assert plan(failing, clean, same, TODAY) == []  # nothing new: no duplicate, no event
    moved = {"control:AC-01": RiskState("RISK-0001", "open", ("c_role: ann",))}
    assert [a.kind for a in plan(failing, clean, moved, TODAY)] == ["update"]
    for status in ("closed", "proposed_closure"):
        back = {"control:AC-01": RiskState("RISK-0001", status, ("c_role: bob",))}
        assert [a.kind for a in plan(failing, clean, back, TODAY)] == ["reopen"]
    lapsed = {"control:AC-01": RiskState("RISK-0001", "accepted", (), date(2026, 11, 1))}
    assert [a.kind for a in plan(failing, clean, lapsed, TODAY)] == ["acceptance_expired"]
    held = {"control:AC-01": RiskState("RISK-0001", "accepted", (), date(2027, 1, 1))}
    assert [a.kind for a in plan(failing, clean, held, TODAY)] == ["update"]
    failing, clean = failures([_o("c_role", "pass"), _o("c_mfa", "pass")], CONTROLS)
    acts = plan(failing, clean, same, TODAY)
    assert [(a.kind, a.ref) for a in acts] == [("propose_closure", "RISK-0001")]


def _row(**kw: object) -> RiskRow:
    base: dict[str, object] = {
        "ref": "R", "title": "t", "status": "accepted", "treatment": "accept", "owner": "olga",
        "due": None, "accepted_by": "mona", "acceptance_expires": date(2027, 1, 1),
    }  # fmt: skip
    return RiskRow(**{**base, **kw})  # type: ignore[arg-type]


def test_acceptance_and_plan_rules() -> None:
    assert acceptance_problem(_row(), TODAY) == ""
    assert "own owner" in acceptance_problem(_row(accepted_by="olga"), TODAY)
    assert "without a named approver" in acceptance_problem(_row(accepted_by=""), TODAY)
    assert "no expiry" in acceptance_problem(_row(acceptance_expires=None), TODAY)
    assert "expired" in acceptance_problem(_row(acceptance_expires=date(2026, 11, 27)), TODAY)
    assert plan_problem(_row(status="open", due=date(2026, 11, 1)), TODAY)[0] == "fail"
    assert plan_problem(_row(status="open", owner="", due=date(2027, 1, 1)), TODAY)[0] == "warning"
    assert plan_problem(_row(status="open", due=date(2027, 1, 1)), TODAY) == ("", "")
