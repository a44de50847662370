"""Commands work in a fresh process, where nothing has set Django up before the command runs.

The in-process `cli` fixture runs after conftest configured Django, so a command that imports
models before opening its workspace passes there and fails for users; these tests catch that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    code = "import sys; from dataward.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "-w", str(ws), *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip


def test_every_package_command_in_a_new_process(tmp_path: Path, estate: Path) -> None:
    ws = tmp_path / "ws"
    steps = [
        ("init",),
        ("clients", "import", str(estate / "clients.json")),
        ("scan", str(estate / "shares/telora"), "--client", "telora", "-j", "1", "-f", "json"),
        ("inventory", "--client", "telora", "-f", "json"),
        ("access", "import", "hr", str(estate / "hr/hr_roster.csv")),
        ("access", "import", "directory", str(estate / "directory/directory_users.csv")),
        ("access", "matrix", str(estate / "access/telora_role_matrix.yaml"), "--client", "telora"),
        ("access", "import", "entitlements", str(estate / "entitlements/telora_subscriber_crm.csv"),
         "--client", "telora"),
        ("access", "people", "--client", "telora", "-f", "json"),
        ("access", "accounts", "--client", "telora", "-f", "json"),
        ("access", "link", "list", "--pending", "-f", "json"),
        ("access", "review", "start", "--client", "telora"),
        ("access", "review", "list", "--client", "telora", "-f", "json"),
        ("access", "review", "items", "1", "--client", "telora", "-f", "json"),
        ("access", "exception", "list", "--client", "telora", "-f", "json"),
        ("assess", "--client", "telora", "-f", "json"),
        ("controls", "list", "-f", "json"),
        ("controls", "show", "AC-02", "-f", "json"),
        ("checklist", "build", "--client", "telora", "-f", "json"),
        ("posture", "--client", "telora", "-f", "json"),
        ("report", "--client", "telora", "-f", "html"),
    ]  # fmt: skip
    for step in steps:
        done = _run(ws, *step) if step != ("init",) else _run(ws, "init")
        assert done.returncode in (0, 1), (step, done.stderr)
        assert "internal error" not in done.stderr, (step, done.stderr)
    violations = _run(ws, "access", "violations", "--client", "telora", "-f", "json")
    assert violations.returncode == 0, violations.stderr
    rows = json.loads(violations.stdout)
    assert ("access_agents_limited_to_assigned_clients", "kdugar") in {
        (r["check"], r["subject"]) for r in rows
    }
