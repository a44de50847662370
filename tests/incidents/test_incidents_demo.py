"""The demo estate's incident register: imported by `dataward demo`, its plant found exactly."""

from __future__ import annotations

import json
import types
from pathlib import Path

from rich.console import Console


def test_demo_imports_the_register_and_finds_the_missed_gdpr_clock(cli, demo_ws: Path) -> None:
    w = str(demo_ws)
    rows = json.loads(cli("incidents", "list", "-f", "json", "-w", w).out)
    assert [(r["ref"], r["status"], r["clients"]) for r in rows] == [
        ("INC-0001", "closed", ["carewell"]),
        ("INC-0002", "recovered", ["northbank"]),
        ("INC-0003", "contained", ["telora"]),
    ]
    overdue = json.loads(cli("incidents", "clocks", "--open", "-f", "json", "-w", w).out)
    assert [(r["ref"], r["client"], r["rule"]) for r in overdue] == [
        ("INC-0003", "telora", "gdpr_art33")
    ]
    from dataward.core.workspace import open_workspace
    from dataward.demo.engine import load_manifest
    from dataward.incidents.demo import verify

    ws = open_workspace(demo_ws, env={})
    ctx = types.SimpleNamespace(
        ws=ws, estate=demo_ws / "estate", manifest=load_manifest(demo_ws / "estate"),
        console=Console(file=None),
    )  # fmt: skip
    (outcome,) = verify(ctx)
    assert outcome.area == "governance"
    assert outcome.found == ("governance-incident-notification-overdue",)
    assert outcome.false_alarms == ()


def test_demo_verify_reports_the_governance_area(cli, tmp_path: Path) -> None:
    result = cli(
        "demo", "-w", str(tmp_path / "ws"), "--as-of", "2026-11-28", "--verify", "-f", "json"
    )
    governance = json.loads(result.out)["areas"]["governance"]
    assert governance["built"]
    assert "governance-incident-notification-overdue" not in governance["missed"]
    assert not [a for a in governance["false_alarms"] if "incidents_" in a]
