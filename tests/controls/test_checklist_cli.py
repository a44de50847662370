"""`dataward controls` and `dataward checklist build` on the demo workspace."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from helpers import assert_one_line_error


def test_controls_list_and_show(cli, demo_ws: Path) -> None:
    w = str(demo_ws)
    rows = json.loads(
        cli("controls", "list", "--area", "access_control", "-f", "json", "-w", w).out
    )
    assert rows
    assert all(r["control"].startswith("AC-") for r in rows)
    pci = json.loads(cli("controls", "list", "--framework", "pci_dss_4", "-f", "json", "-w", w).out)
    assert all(r["mappings"].startswith("PCI_DSS_4 ") for r in pci)
    doc = json.loads(cli("controls", "show", "ac-02", "-f", "json", "-w", w).out)
    assert doc["checks"] == [
        "access_agents_limited_to_assigned_clients",
        "monitoring_no_unassigned_client_access",
    ]
    assert all(m["title"] for items in doc["mappings"].values() for m in items)
    assert_one_line_error(cli("controls", "show", "ZZ-99", "-w", w), "ZZ-99")


def test_checklist_explains_scope_and_status(cli, demo_ws: Path, tmp_path: Path) -> None:
    w = str(demo_ws)
    result = cli(
        "checklist",
        "build",
        "--client",
        "northbank",
        "--framework",
        "PCI_DSS_4",
        "-f",
        "csv",
        "-w",
        w,
    )
    assert result.code == 0, result
    rows = {r["control"]: r for r in csv.DictReader(io.StringIO(result.out))}
    card = rows["DA-03"]
    assert card["applies_because"].startswith("card data found by discovery in ")
    assert card["status"] == "fail"
    assert card["failing_checks"] == "discovery_card_data_in_pci_zone (1)"
    assert rows["IP-01"]["status"] == "fail"  # the operation's check: an admin without MFA
    assert all(r["requirements"].startswith("PCI_DSS_4") for r in rows.values())
    telora = json.loads(cli("checklist", "build", "--client", "telora", "-f", "json", "-w", w).out)
    assert "DA-03" not in {r["control"] for r in telora}  # Telora holds no card data
    assert (
        "controls apply to telora" in cli("checklist", "build", "--client", "telora", "-w", w).err
    )
    md = tmp_path / "checklist.md"
    assert (
        cli("checklist", "build", "--client", "carewell", "-f", "md", "-o", str(md), "-w", w).code
        == 0
    )
    assert md.read_text().startswith("# Checklist for Carewell Health Insurance")
    xlsx = tmp_path / "checklist.xlsx"
    assert (
        cli(
            "checklist", "build", "--client", "carewell", "-f", "xlsx", "-o", str(xlsx), "-w", w
        ).code
        == 0
    )
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    assert sheet is not None
    assert sheet.cell(1, 1).value == "control"
    assert sheet.max_row > 40


def test_checklist_errors(cli, demo_ws: Path) -> None:
    w = str(demo_ws)
    assert_one_line_error(
        cli("checklist", "build", "--client", "northbank", "--framework", "COBIT", "-w", w), "COBIT"
    )
    assert_one_line_error(cli("checklist", "build", "--client", "nobody", "-w", w), "nobody")
    assert cli("checklist", "build", "--client", "northbank", "-f", "xlsx", "-w", w).code == 2


def test_owners_and_due_dates(cli, demo_ws: Path) -> None:
    w = str(demo_ws)
    assert cli("users", "add", "olga", "--role", "manager", "-w", w).code == 0
    done = cli(
        "checklist",
        "assign",
        "DA-05",
        "ac-01",
        "--client",
        "telora",
        "--owner",
        "Priya (ops)",
        "--due",
        "2026-11-01",
        "-w",
        w,
        DATAWARD_USER="olga",
    )
    assert done.code == 0, done
    rows = {
        r["control"]: r
        for r in json.loads(
            cli("checklist", "build", "--client", "telora", "-f", "json", "-w", w).out
        )
    }
    assert (rows["DA-05"]["owner"], rows["DA-05"]["due"]) == ("Priya (ops)", "2026-11-01")
    assert rows["DA-05"]["status"] == "attestation needed (overdue)"
    assert rows["AC-01"]["owner"] == "Priya (ops)"
    assert_one_line_error(
        cli("checklist", "assign", "ZZ-01", "--client", "telora", "--owner", "x", "-w", w), "ZZ-01"
    )
    assert (
        cli("users", "add", "vic", "--role", "client-viewer", "--client", "telora", "-w", w).code
        == 0
    )
    denied = cli(
        "checklist",
        "assign",
        "DA-05",
        "--client",
        "telora",
        "--owner",
        "x",
        "-w",
        w,
        DATAWARD_USER="vic",
    )
    assert_one_line_error(denied, "may not approve")
