"""The demo estate: the training plants are found, nothing else is raised; commands run fresh."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from training.workforce import Cli


def test_demo_verify_finds_the_training_plants_and_raises_nothing_else(demo_ws: Path) -> None:
    from rich.console import Console

    from dataward.core.workspace import open_workspace
    from dataward.demo.engine import load_manifest
    from dataward.demo.run import DemoContext
    from dataward.training.demo import verify

    ws = open_workspace(demo_ws, env={})
    estate = demo_ws / "estate"
    (outcome,) = verify(DemoContext(ws, estate, load_manifest(estate), Console()))
    assert outcome.area == "governance"
    assert outcome.found == (
        "governance-joiner-access-before-training",
        "governance-security-training-overdue",
    )
    assert outcome.false_alarms == ()


def test_demo_requirements_and_status_cover_the_estate(cli: Cli, demo_ws: Path) -> None:
    import json

    from dataward.demo.engine import load_manifest

    manifest = load_manifest(demo_ws / "estate")
    late = next(p for p in manifest["planted"] if p["id"] == "governance-security-training-overdue")
    rows = json.loads(cli("training", "requirements", "show", "-f", "json", "-w", str(demo_ws)).out)
    assert {r["course"] for r in rows} == {"security-awareness", "pci-dss", "hipaa", "gdpr"}
    result = cli("training", "status", "--client", "carewell", "-f", "json", "-w", str(demo_ws))
    assert result.code == 0, result
    subjects = {r["employee_id"] for r in json.loads(result.out)}
    assert late["expect"]["subject"] in subjects


def _run(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    code = "import sys; from dataward.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "-w", str(ws), *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip


def test_every_training_command_in_a_new_process(tmp_path: Path, estate: Path) -> None:
    ws = tmp_path / "ws"
    training = estate / "training"
    steps = [
        ("init",),
        ("clients", "import", str(estate / "clients.json")),
        ("access", "import", "hr", str(estate / "hr/hr_roster.csv")),
        ("training", "requirements", "example"),
        ("training", "requirements", "load", str(training / "requirements.yaml")),
        ("training", "requirements", "show", "-f", "json"),
        ("training", "import", "completions", str(training / "completions.csv"), "-f", "json"),
        ("training", "import", "phishing", str(training / "phishing_results.csv"), "-f", "json"),
        ("training", "status", "--client", "telora", "-f", "json"),
        ("training", "phishing", "-f", "json"),
        ("assess", "--client", "telora", "-f", "json"),
    ]
    for step in steps:
        done = _run(ws, *step)
        assert done.returncode == 0, (step, done.stderr)
        assert "internal error" not in done.stderr, (step, done.stderr)
