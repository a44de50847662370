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
