"""The demo estate is the oracle: discovery finds every planted problem and raises nothing else."""

from __future__ import annotations

import json
from pathlib import Path


def test_demo_verify_discovery_area(cli, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    result = cli("demo", "-w", str(root), "--as-of", "2026-11-28", "--verify", "-f", "json")
    report = json.loads(result.out)
    area = report["areas"]["discovery"]
    assert area["built"] is True
    assert area["found"] == area["planted"] == 2, area
    assert area["missed"] == []
    assert area["false_alarms"] == [], area["false_alarms"]
    assert "Data inventory" in result.err
    inv = json.loads(cli("inventory", "-c", "northbank", "-f", "json", "-w", str(root)).out)
    general = [r for r in inv if "/general/" in r["location"]]
    assert {Path(r["location"]).name for r in general} == {"q3_dispute_export.csv"}
    assert {r["approved"] for r in general} == {"no"}
    assert {r["approved"] for r in inv if "/restricted/" in r["location"]} == {"yes"}


def test_every_discovery_failure_is_a_planted_problem_and_back(cli, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert cli("demo", "-w", str(root), "--as-of", "2026-11-28").code == 0
    manifest = json.loads((root / "estate" / "manifest.json").read_text())
    expected = set()
    for problem in manifest["planted"]:
        if not (root / "estate" / problem["where"]["path"]).exists():
            continue  # the demo disposed of it after its assessment (the retention area)
        expect = problem["expect"]
        for check in {expect["check"], *expect.get("also", [])}:
            if check.startswith("discovery_"):
                expected.add((problem["client"], check, Path(problem["where"]["path"]).name))
    results = json.loads(cli("assess", "-w", str(root), "-f", "json").out)["results"]
    failed = [
        (r["client"], r["check"], r["summary"])
        for r in results
        if r["check"].startswith("discovery_") and r["status"] == "fail"
    ]
    matched = {
        (client, check, name)
        for client, check, summary in failed
        for c, k, name in expected
        if (c, k) == (client, check) and f"/{name} " in summary
    }
    assert matched == expected  # every planted discovery problem raised
    assert len(failed) == len(expected)  # and nothing else
    # The duplicate extract belongs to the retention area: discovery sees it too. The stale export
    # did as well, until the demo disposed of it after its assessment.
    assert {c for _, c, _ in failed} == {
        "discovery_card_data_in_pci_zone", "discovery_sensitive_data_in_approved_locations",
        "discovery_secrets_not_in_shares", "discovery_no_duplicate_extracts",
    }  # fmt: skip
