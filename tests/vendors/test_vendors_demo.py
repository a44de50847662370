"""The demo: the vendor register is imported, the planted overdue review is found, nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

PLANT = "governance-vendor-review-overdue"


def test_demo_verify_finds_the_overdue_review_and_nothing_else(demo_ws: Path) -> None:
    from dataward.core.workspace import open_workspace
    from dataward.vendors.demo import verify

    manifest = json.loads((demo_ws / "estate" / "manifest.json").read_text())
    plant = next(p for p in manifest["planted"] if p["id"] == PLANT)
    assert plant["expect"]["check"] == "vendors_reviews_current"
    ws = open_workspace(demo_ws, env={})
    [outcome] = verify(SimpleNamespace(ws=ws, manifest=manifest))
    assert outcome.area == "governance"
    assert outcome.found == (PLANT,)
    assert outcome.false_alarms == ()


def test_the_demo_register_imports_unchanged_on_rerun(cli, demo_ws: Path) -> None:
    register = demo_ws / "estate" / "vendors" / "vendors.csv"
    result = cli("vendors", "import", str(register), "-f", "json", "-w", str(demo_ws))
    assert result.code == 0, result
    assert json.loads(result.out)[0]["unchanged"] == 6


def _run(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    code = "import sys; from dataward.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "-w", str(ws), *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip


def test_vendor_commands_in_a_new_process(tmp_path: Path, estate: Path) -> None:
    ws = tmp_path / "ws"
    answers = tmp_path / "a.yaml"
    answers.write_text("answers:\n  DAT-03: yes\n")
    steps = [
        ("init",),
        ("clients", "import", str(estate / "clients.json")),
        ("vendors", "import", str(estate / "vendors/vendors.csv")),
        ("vendors", "list", "-f", "json"),
        ("vendors", "show", "Nimbus CX Cloud", "-f", "json"),
        ("vendors", "review", "Nimbus CX Cloud"),
        ("vendors", "responsibilities", "Nimbus CX Cloud", "-f", "json"),
        ("vendors", "questionnaire", "template"),
        ("vendors", "questionnaire", "answer", "Nimbus CX Cloud", str(answers)),
        ("vendors", "questionnaire", "status", "Nimbus CX Cloud", "-f", "json"),
        ("vendors", "export", "--format", "json"),
    ]
    for step in steps:
        done = _run(ws, *step)
        assert done.returncode == 0, (step, done.stderr)
        assert "internal error" not in done.stderr, (step, done.stderr)
