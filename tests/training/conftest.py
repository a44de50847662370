"""Fixtures for the training tests: the small workforce of workforce.py in a workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.workforce import (
    COMPLETIONS_HEADER,
    REQUIREMENTS,
    Cli,
    ago,
    completion_rows,
    phishing_rows,
    text_file,
    write_csv,
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Write every input file of the small workforce."""
    clients = [{"slug": "northbank", "name": "Northbank"}, {"slug": "carewell", "name": "Carewell"}]
    (tmp_path / "clients.json").write_text(json.dumps(clients))
    people = [
        ("E1", "Ann One", "active", ago(400), "", "Operations", "agent", "northbank", "E3"),
        ("E2", "Bob Two", "active", ago(400), "", "Operations", "agent", "northbank", "E3"),
        ("E3", "Cy Three", "active", ago(800), "", "Operations", "team_lead",
         "northbank;carewell", ""),
        ("E4", "Di Four", "active", ago(10), "", "Operations", "agent", "carewell", "E3"),
        ("E5", "Ed Five", "active", ago(20), "", "Operations", "agent", "carewell", "E3"),
        ("E6", "Flo Six", "active", ago(500), "", "IT", "it_admin", "", "E3"),
        ("E7", "Gus Seven", "terminated", ago(600), ago(30), "Operations", "agent", "northbank",
         "E3"),
    ]  # fmt: skip
    roster = [(*p[:2], f"u{p[0][1]}@corp.example", *p[2:], "") for p in people]
    header = (
        "employee_id", "name", "email", "status", "start_date", "end_date", "department",
        "job_role", "client_accounts", "manager_id", "last_role_change",
    )  # fmt: skip
    users = [(f"u{n}", f"E{n}", f"u{n}@corp.example", "true") for n in range(1, 8)]
    grant = ("account", "application", "permission", "privileged", "granted_date")
    return {
        "clients": tmp_path / "clients.json",
        "roster": write_csv(tmp_path / "roster.csv", header, roster),
        "directory": write_csv(
            tmp_path / "directory.csv", ("username", "employee_id", "email", "enabled"), users
        ),
        "carewell": write_csv(
            tmp_path / "carewell_crm.csv",
            grant,
            [
                ("u3", "CRM", "edit", "false", ago(300)),
                ("u4", "CRM", "view", "false", ago(8)),
                ("u5", "CRM", "view", "false", ago(15)),
            ],
        ),  # fmt: skip
        "northbank": write_csv(
            tmp_path / "northbank_core.csv",
            grant,
            [("u1", "Core", "view", "false", ago(390)), ("u2", "Core", "view", "false", ago(390))],
        ),
        "requirements": text_file(tmp_path / "requirements.yaml", REQUIREMENTS),
        "completions": write_csv(tmp_path / "lms.csv", COMPLETIONS_HEADER, completion_rows()),
        "phishing": write_csv(
            tmp_path / "phish.csv",
            ("Campaign Name", "Email", "Delivered", "Link Clicked", "Reported"),
            [(c, f"u{e[1]}@corp.example", d, k, r) for c, e, d, k, r in phishing_rows(3)],
        ),
    }


@pytest.fixture
def people_ws(ws_root: Path, cli: Cli, files: dict[str, Path]) -> Path:
    """A workspace with the clients, roster, directory and both clients' entitlements."""
    w = str(ws_root)
    steps = [
        ("clients", "import", str(files["clients"])),
        ("access", "import", "hr", str(files["roster"])),
        ("access", "import", "directory", str(files["directory"])),
        ("access", "import", "entitlements", str(files["carewell"]), "--client", "carewell"),
        ("access", "import", "entitlements", str(files["northbank"]), "--client", "northbank"),
    ]
    for step in steps:
        result = cli(*step, "-w", w)
        assert result.code == 0, (step, result)
    return ws_root


@pytest.fixture
def trained_ws(people_ws: Path, cli: Cli, files: dict[str, Path]) -> Path:
    """The workspace with requirements, completions and phishing results loaded too."""
    w = str(people_ws)
    assert cli("training", "requirements", "load", str(files["requirements"]), "-w", w).code == 0
    for kind in ("completions", "phishing"):
        result = cli("training", "import", kind, str(files[kind]), "-w", w)
        assert result.code == 0, result
    return people_ws
