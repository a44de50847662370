"""Questionnaire answers with evidence through the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from helpers import assert_one_line_error

VENDOR = "ShieldPay Tokenisation"  # PCI, one client: high tier


@pytest.fixture
def register_ws(ws_root: Path, cli, estate: Path) -> Path:  # type: ignore[no-untyped-def]
    """A workspace with the estate's clients and vendor register."""
    w = str(ws_root)
    assert cli("clients", "import", str(estate / "clients.json"), "-w", w).code == 0
    assert cli("vendors", "import", str(estate / "vendors/vendors.csv"), "-w", w).code == 0
    return ws_root


def _write(path: Path, doc: object) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_template_and_skeleton_print(cli) -> None:
    template = cli("vendors", "questionnaire", "template")
    assert template.code == 0
    doc = yaml.safe_load(template.out)
    assert doc["schema"] == "dataward-vendor-questionnaire/1"
    skeleton = cli("vendors", "questionnaire", "template", "--skeleton", "--vendor", VENDOR)
    assert yaml.safe_load(skeleton.out)["vendor"] == VENDOR


def test_answers_with_evidence_are_recorded_and_gaps_listed(
    cli, register_ws: Path, tmp_path: Path
) -> None:
    w = str(register_ws)
    report = tmp_path / "soc2-type2.pdf"
    report.write_bytes(b"%PDF-1.4 pretend SOC 2 report")
    aoc = tmp_path / "pci-aoc.pdf"
    aoc.write_bytes(b"%PDF-1.4 pretend AOC")
    answers = _write(
        tmp_path / "answers.yaml",
        {
            "vendor": VENDOR.upper(),
            "answered_on": "2026-10-01",
            "answers": {
                "GOV-01": {"answer": "yes", "evidence": ["soc2-type2.pdf"], "comment": "2026"},
                "PCI-01": {"answer": "yes", "evidence": ["pci-aoc.pdf"]},
                "DAT-03": "yes",
                "OPS-01": 45,
                "INC-02": "untested",
            },
        },
    )
    result = cli(
        "vendors", "questionnaire", "answer", VENDOR, str(answers), "--evidence", str(report),
        "--evidence", str(aoc), "-f", "json", "-w", w,
    )  # fmt: skip
    assert result.code == 0, result
    gaps = {g["question"]: g["problem"] for g in json.loads(result.out)}
    assert gaps["OPS-01"] == "bad answer"  # patches take 45 days
    assert gaps["INC-02"] == "bad answer"
    assert gaps["GOV-02"] == "unanswered"
    assert not {"GOV-01", "PCI-01", "DAT-03"} & set(gaps)
    assert "PHI-01" not in gaps  # ShieldPay holds no health data
    for f in (report, aoc):
        stored = register_ws / "evidence" / hashlib.sha256(f.read_bytes()).hexdigest()
        assert stored.read_bytes() == f.read_bytes()
    status = json.loads(
        cli("vendors", "questionnaire", "status", VENDOR, "-f", "json", "-w", w).out
    )
    by_id = {r["question"]: r for r in status}
    assert by_id["GOV-01"]["answer"] == "yes"
    assert by_id["GOV-01"]["state"] == "ok"
    assert "soc2-type2.pdf" in by_id["GOV-01"]["evidence"]
    assert by_id["GOV-01"]["answered_on"] == "2026-10-01"
    later = _write(tmp_path / "fix.yaml", {"answers": {"OPS-01": 7}})
    assert cli("vendors", "questionnaire", "answer", VENDOR, str(later), "-w", w).code == 0
    status = json.loads(
        cli("vendors", "questionnaire", "status", VENDOR, "-f", "json", "-w", w).out
    )
    by_id = {r["question"]: r for r in status}
    assert (by_id["OPS-01"]["answer"], by_id["OPS-01"]["state"]) == (7, "ok")
    assert by_id["GOV-01"]["answer"] == "yes"  # kept from the first file
    log = json.loads(cli("audit", "log", "-f", "json", "-w", w).out)
    assert [e["action"] for e in log].count("vendor.questionnaire") == 2
    assessed = cli("assess", "--client", "northbank", "-f", "json", "-w", w)
    rows = [
        r
        for r in json.loads(assessed.out)["results"]
        if r["check"] == "vendors_due_diligence_complete" and r["subject"] == VENDOR
    ]
    assert [r["status"] for r in rows] == ["fail"]


@pytest.mark.parametrize(
    ("answers", "evidence", "words"),
    [
        ({"GOV-01": "perhaps"}, False, "question GOV-01: answer is not yes or no"),
        ({"XYZ-9": "yes"}, False, "question XYZ-9: is not in the questionnaire"),
        ({"GOV-01": {"answer": "yes", "evidence": ["other.pdf"]}}, True, "question GOV-01"),
        ({"OPS-02": "2999-01-01"}, False, "question OPS-02: answer is a date in the future"),
    ],
)
def test_bad_answers_store_nothing(  # type: ignore[no-untyped-def]
    cli, register_ws: Path, tmp_path: Path, answers: dict, evidence: bool, words: str
) -> None:
    w = str(register_ws)
    proof = tmp_path / "proof.pdf"
    proof.write_bytes(b"proof")
    path = _write(tmp_path / "a.yaml", {"answers": {"DAT-03": "yes", **answers}})
    extra = ["--evidence", str(proof)] if evidence else []
    result = cli("vendors", "questionnaire", "answer", VENDOR, str(path), *extra, "-w", w)
    assert_one_line_error(result, str(path), words)
    status = json.loads(
        cli("vendors", "questionnaire", "status", VENDOR, "-f", "json", "-w", w).out
    )
    assert all(r["answer"] is None for r in status)
    log = json.loads(cli("audit", "log", "-f", "json", "-w", w).out)
    assert "vendor.questionnaire" not in {e["action"] for e in log}


def test_answers_for_another_vendor_are_refused(cli, register_ws: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "a.yaml", {"vendor": "Nimbus CX Cloud", "answers": {"DAT-03": "yes"}})
    result = cli("vendors", "questionnaire", "answer", VENDOR, str(path), "-w", str(register_ws))
    assert_one_line_error(result, "another vendor")
    broken = tmp_path / "b.yaml"
    broken.write_text("answers: [unclosed\n")
    result = cli("vendors", "questionnaire", "answer", VENDOR, str(broken), "-w", str(register_ws))
    assert_one_line_error(result, "not valid YAML")


def test_replacing_answers_audits_what_they_were(cli, register_ws: Path, tmp_path: Path) -> None:
    from dataward.core.models import AuditEvent

    w = str(register_ws)
    first = _write(tmp_path / "a.yaml", {"answered_on": "", "answers": {"OPS-01": 45}})
    assert cli("vendors", "questionnaire", "answer", VENDOR, str(first), "-w", w).code == 0
    second = tmp_path / "b.yaml"  # a YAML timestamp for answered_on is read as its day
    second.write_text("answered_on: 2026-10-01 10:00:00\nanswers: {OPS-01: 14, DAT-03: 'yes'}\n")
    result = cli("vendors", "questionnaire", "answer", VENDOR, str(second), "-w", w)
    assert result.code == 0, result
    events = list(AuditEvent.objects.filter(action="vendor.questionnaire").order_by("seq"))
    assert [bool(e.before) for e in events] == [False, True]  # the second replaced OPS-01
    assert all(e.after for e in events)
    status = json.loads(
        cli("vendors", "questionnaire", "status", VENDOR, "-f", "json", "-w", w).out
    )
    ops = {r["question"]: r for r in status}["OPS-01"]
    assert (ops["answer"], ops["answered_on"]) == (14, "2026-10-01")
