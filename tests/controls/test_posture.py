"""Posture scores, changes between assessments, exceptions to checks and attestations."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from dataward.controls.engine.catalog import Control
from dataward.controls.engine.posture import changes, score_control, summarize
from helpers import assert_one_line_error


def _control(cid: str, area: str, checks: tuple[str, ...] = (), attestation: str = "") -> Control:
    return Control(cid, area, "t", "s", "r", checks, attestation, mappings={"SOC2": ("CC6.1",)})


def test_score_formula() -> None:
    sev = {"a": "critical", "b": "low", "c": "high"}
    both = score_control(_control("AC-01", "x", ("a", "b")), {"a": "pass", "b": "fail"}, sev, False)
    assert (both.score, both.weight) == (0.0, 4)  # worst check; heaviest severity
    waived = score_control(_control("AC-02", "x", ("c",)), {"c": "excepted"}, sev, False)
    assert (waived.score, waived.weight) == (0.5, 3)
    unknown = score_control(_control("AC-03", "x", ("c",)), {"c": "not_applicable"}, sev, False)
    assert unknown.score is None
    attest = score_control(_control("TR-01", "y", (), "course records"), {}, sev, True)
    assert (attest.score, attest.weight) == (1.0, 2)
    mixed = score_control(
        _control("AC-04", "x", ("c",), "review minutes"), {"c": "pass"}, sev, False
    )
    assert mixed.score == 0.0  # both parts must hold
    summary = summarize([both, waived, unknown, attest])
    assert summary["areas"] == {"x": round(100 * 1.5 / 7, 1), "y": 100.0}
    assert summary["overall"] == round(100 * 3.5 / 9, 1)
    assert (summary["scored"], summary["in_scope"]) == (3, 4)


def test_changes_between_assessments() -> None:
    before = {("c1", "s1"): "fail", ("c1", "s2"): "fail", ("c2", "x"): "pass"}
    after = {("c1", "s1"): "excepted", ("c1", "s2"): "pass", ("c2", "x"): "fail"}
    assert changes(before, after) == {"newly_failing": [("c2", "x")], "fixed": [("c1", "s2")]}


@pytest.fixture(scope="module")
def demo_ws(demo_ws: Path) -> Path:
    """The shared demo workspace, with a manager to approve exceptions."""
    from dataward.cli import main

    assert main(["users", "add", "mona", "--role", "manager", "-w", str(demo_ws)]) == 0
    return demo_ws


def _results(cli, w: str) -> list[dict]:  # type: ignore[no-untyped-def]
    result = cli("assess", "--client", "northbank", "-f", "json", "-w", w)
    assert result.code == 0, result
    return json.loads(result.out)["results"]


def test_exception_turns_a_failure_into_excepted_until_it_ends(cli, demo_ws: Path) -> None:
    w = str(demo_ws)
    rows = _results(cli, w)
    card = next(
        r for r in rows if r["check"] == "discovery_card_data_in_pci_zone" and r["status"] == "fail"
    )
    assert "DA-03" in card["controls"]
    base = [
        "exceptions",
        "add",
        "--client",
        "northbank",
        "--check",
        "discovery_card_data_in_pci_zone",
        "--subject",
        card["subject"],
        "--reason",
        "dispute export kept until the case closes",
    ]
    assert_one_line_error(
        cli(*base, "--ends", "2027-01-31", "--approved-by", "local:nobody", "-w", w), "local:nobody"
    )
    assert_one_line_error(
        cli(
            *base[:5],
            "--check",
            "no_such_check",
            "--ends",
            "2027-01-31",
            "--approved-by",
            "mona",
            "-w",
            w,
        ),
        "no_such_check",
    )
    ok = cli(
        *base, "--ends", "2027-01-31", "--approved-by", "mona", "--starts", "2026-11-01", "-w", w
    )
    assert ok.code == 0, ok
    after = _results(cli, w)
    waived = next(
        r
        for r in after
        if r["check"] == "discovery_card_data_in_pci_zone" and r["subject"] == card["subject"]
    )
    assert waived["status"] == "excepted"
    assert "(excepted by EX-0001 until 2027-01-31)" in waived["summary"]
    listed = json.loads(
        cli("exceptions", "list", "--client", "northbank", "-f", "json", "-w", w).out
    )
    assert [(e["ref"], e["state"]) for e in listed] == [("EX-0001", "in force")]
    noted = cli("assess", "--client", "northbank", "-w", w)
    assert "0 newly failing, 0 fixed" in noted.err  # a waiver is not a fix


def test_attestation_stores_evidence_and_counts_in_posture(
    cli, demo_ws: Path, tmp_path: Path
) -> None:
    w = str(demo_ws)
    before = json.loads(cli("posture", "--client", "carewell", "-f", "json", "-w", w).out)[0]
    evidence = tmp_path / "screening-records.csv"
    evidence.write_text("employee,check,cleared\nE1,background,2026-10-01\n")
    done = cli(
        "attest",
        "TR-04",
        "--client",
        "carewell",
        "--statement",
        "all staff screened before client work",
        "--evidence",
        str(evidence),
        "-w",
        w,
    )
    assert done.code == 0, done
    digest = hashlib.sha256(evidence.read_bytes()).hexdigest()
    stored = demo_ws / "evidence" / digest
    assert stored.read_bytes() == evidence.read_bytes()
    assert stored.stat().st_mode & 0o777 == 0o600
    after = json.loads(cli("posture", "--client", "carewell", "-f", "json", "-w", w).out)[0]
    assert after["areas"]["training"] > before["areas"]["training"]
    assert after["overall"] > before["overall"]
    rows = json.loads(cli("checklist", "build", "--client", "carewell", "-f", "json", "-w", w).out)
    assert next(r for r in rows if r["control"] == "TR-04")["status"] == "attested (current)"
    listed = json.loads(
        cli("attestations", "list", "--client", "carewell", "-f", "json", "-w", w).out
    )
    assert [(a["control"], a["state"]) for a in listed] == [("TR-04", "current")]
    assert (
        json.loads(
            cli("attestations", "list", "--client", "carewell", "--due", "-f", "json", "-w", w).out
        )
        == []
    )
    assert_one_line_error(
        cli("attest", "AC-02", "--client", "carewell", "--statement", "x", "-w", w), "checks only"
    )
    assert_one_line_error(
        cli(
            "attest",
            "TR-04",
            "--client",
            "carewell",
            "--statement",
            "x",
            "--expires",
            "2020-01-01",
            "-w",
            w,
        ),
        "--expires",
    )
    log = json.loads(cli("audit", "log", "--client", "carewell", "-f", "json", "-w", w).out)
    assert "control.attest" in {e["action"] for e in log}


def test_posture_trend_grows_with_each_assessment(cli, demo_ws: Path) -> None:
    w = str(demo_ws)
    first = json.loads(cli("posture", "--client", "telora", "-f", "json", "-w", w).out)[0]
    assert cli("assess", "--client", "telora", "-w", w).code in (0, 1)
    again = json.loads(cli("posture", "--client", "telora", "-f", "json", "-w", w).out)[0]
    assert len(again["trend"]) == len(first["trend"]) + 1
    assert again["trend"][-1]["overall"] == again["overall"]
    assert set(again["areas"]) == {
        "data_awareness",
        "access_control",
        "identity_protection",
        "device_endpoint",
        "encryption_transmission",
        "logging_monitoring",
        "retention_disposal",
        "process_discipline",
        "training",
        "vendor_client",
        "incident_readiness",
        "risk_governance",
    }


def test_a_lapsed_exception_fails_loudly_and_an_active_one_wins() -> None:
    from datetime import date

    from dataward.controls.engine.exceptions import CheckException, apply
    from dataward.controls.engine.registry import Status
    from dataward.controls.engine.runner import Outcome

    warn = Outcome("c1", "t", "high", Status.WARNING, "bob", "weak")
    other = Outcome("c2", "t", "high", Status.FAIL, "ann", "bad")
    ok = Outcome("c1", "t", "high", Status.PASS, "eve", "fine")
    old = CheckException("EX-0001", "c1", "*", date(2026, 1, 1), date(2026, 10, 31), "mona")
    today = date(2026, 11, 28)
    out = list(apply([warn, other, ok], [old], today))
    assert [(o.status, ref) for o, ref in out] == [
        (Status.FAIL, ""),  # was a warning; the lapsed waiver makes it a failure
        (Status.FAIL, ""),
        (Status.PASS, ""),
    ]
    assert "exception EX-0001 expired on 2026-10-31" in out[0][0].summary
    assert out[1][0].summary == "bad"  # other checks are untouched
    renewed = CheckException("EX-0002", "c1", "bob", date(2026, 11, 1), date(2027, 1, 31), "mona")
    again = list(apply([warn], [old, renewed], today))
    assert [(o.status, ref) for o, ref in again] == [(Status.EXCEPTED, "EX-0002")]


def test_exception_to_a_whole_control_waives_each_of_its_checks(cli, demo_ws: Path) -> None:
    w = str(demo_ws)
    base = ["exceptions", "add", "--client", "telora", "--ends", "2027-01-31", "--reason",
            "secrets vault migration in progress", "--approved-by", "mona", "-w", w]  # fmt: skip
    assert_one_line_error(cli(*base, "--control", "TR-04"), "attestation only")
    assert_one_line_error(cli(*base, "--control", "ZZ-99"), "no control")
    both = cli(*base, "--control", "DA-04", "--check", "discovery_secrets_not_in_shares")
    assert_one_line_error(both, "one check or one control")
    before = [r for r in _results_of(cli, w, "telora") if r["status"] == "fail"]
    assert any(r["check"] == "discovery_secrets_not_in_shares" for r in before)
    assert cli(*base, "--control", "DA-04").code == 0
    after = {(r["check"], r["subject"]): r["status"] for r in _results_of(cli, w, "telora")}
    for r in before:
        if r["check"] == "discovery_secrets_not_in_shares":
            assert after[(r["check"], r["subject"])] == "excepted"
        else:
            assert after[(r["check"], r["subject"])] == "fail"  # other controls untouched
    listed = json.loads(cli("exceptions", "list", "--client", "telora", "-f", "json", "-w", w).out)
    assert (listed[-1]["control"], listed[-1]["check"]) == ("DA-04", "(every check)")


def _results_of(cli, w: str, client: str) -> list[dict]:  # type: ignore[no-untyped-def]
    result = cli("assess", "--client", client, "-f", "json", "-w", w)
    assert result.code in (0, 1), result
    return json.loads(result.out)["results"]
