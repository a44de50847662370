"""A small fleet for the device tests: two clients, a roster, a directory, Intune and Jamf exports.

Dates are relative to today (UTC), because the commands read the real clock:

- NB-01 (E1, northbank agent): meets every rule;
- NB-02 (E2, northbank agent, works from home): disk not encrypted, firewall off;
- TL-01 (E3, team lead on both clients): the user is a local administrator;
- CW-01 (E4, carewell agent): the export leaves firewall, screen lock and USB empty (unknown);
- IT-01 (E6, IT admin, no client): local admin, but not an agent's device;
- XX-99 (linked to no one): judged for the operation;
- MAC-01 (Jamf, E4): runs an unapproved program.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

Cli = Callable[..., Any]
NOW = datetime.now(UTC)
TODAY = NOW.date()
INTUNE_HEADER = (
    "Device name", "Primary user UPN", "OS", "OS version", "Encrypted", "Last check-in",
    "Compliance", "Ownership", "Model", "Serial number", "Site", "Last quality update",
    "Local administrators", "Real-time protection", "Signature update overdue", "Firewall",
    "Max minutes of inactivity until screen locks", "Removable storage",
)  # fmt: skip
POLICY = """\
remote_sites: [Home]
default:
  check_in_within_days: 14
  os:
    minimum: {windows: "10.0.22631", macos: "14.0"}
    patch_within_days: 30
  local_admin:
    agent_roles: [agent, team_lead]
    allowed_accounts: [Administrator, laps]
  security_agent:
    names: ["Microsoft Defender*", "CrowdStrike Falcon"]
    signatures_within_days: 7
  screen_lock: {within_minutes: 15}
  software:
    approved: {macos: ["Google Chrome*", "Safari*", "Falcon*"]}
clients:
  northbank:
    screen_lock: {within_minutes: 5}
"""


def ago(days: float) -> str:
    """Return the ISO date of ``days`` ago."""
    return (NOW - timedelta(days=days)).date().isoformat()


def stamp(days: float) -> str:
    """Return the ISO timestamp of ``days`` ago."""
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """Write a CSV file and return its path."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


def intune_row(name: str, user: str, **change: str) -> list[str]:
    """Return one compliant Intune row, with columns changed by header name."""
    row = dict(
        zip(
            INTUNE_HEADER,
            (
                name,
                user,
                "Windows",
                "10.0.22631.4460",
                "True",
                stamp(0.5),
                "Compliant",
                "Corporate",
                "Latitude 5440",
                f"SN-{name}",
                "Manila",
                ago(5),
                "Administrator;laps",
                "Enabled",
                "False",
                "On",
                "5",
                "Blocked",
            ),  # fmt: skip
            strict=True,
        )
    )
    row.update(change)
    return [row[h] for h in INTUNE_HEADER]


def intune_rows() -> list[list[str]]:
    """Return the fleet's Intune rows (see the module docstring)."""
    return [
        intune_row("NB-01", "u1@corp.example"),
        intune_row("NB-02", "u2@corp.example", Encrypted="False", Firewall="Off", Site="Home"),
        intune_row("TL-01", "u3@corp.example", **{"Local administrators": "Administrator;u3"}),
        intune_row(
            "CW-01",
            "u4@corp.example",
            Firewall="",
            Site="Pune",
            **{"Max minutes of inactivity until screen locks": "", "Removable storage": ""},
        ),  # fmt: skip
        intune_row("IT-01", "u6@corp.example", **{"Local administrators": "Administrator;u6"}),
        intune_row("XX-99", "nobody@corp.example"),
    ]


def jamf_records() -> list[dict[str, Any]]:
    """Return the fleet's Jamf records: one Mac of E4 with an unapproved program."""
    return [
        {
            "general": {
                "name": "MAC-01",
                "serial_number": "C02MAC01",
                "managed": True,
                "last_contact_time": stamp(0.2),
                "site": {"id": 1, "name": "Pune"},
            },
            "location": {"username": "u4", "email_address": "u4@corp.example"},
            "operating_system": {"name": "macOS", "version": "15.1.1"},
            "disk_encryption": {"file_vault2_status": "All Encrypted"},
            "security": {"firewall_enabled": True},
            "local_accounts": [{"name": "u4", "admin": False}],
            "software": {"applications": [{"name": "Safari.app"}, {"name": "TeamViewer.app"}]},
            "extension_attributes": [
                {"name": "Last OS update", "value": f"{ago(3)} 10:00:00"},
                {"name": "Security agent", "value": "CrowdStrike Falcon"},
                {"name": "Security agent running", "value": "Yes"},
                {"name": "Signatures updated", "value": ago(1)},
                {"name": "Screen lock delay (minutes)", "value": "5"},
                {"name": "USB mass storage", "value": "Blocked"},
            ],
        }  # fmt: skip
    ]


def files(root: Path) -> dict[str, Path]:
    """Write every input file of the fleet under ``root``."""
    clients = [{"slug": "northbank", "name": "Northbank"}, {"slug": "carewell", "name": "Carewell"}]
    (root / "clients.json").write_text(json.dumps(clients))
    people = [
        ("E1", "agent", "northbank", "E3"), ("E2", "agent", "northbank", "E3"),
        ("E3", "team_lead", "northbank;carewell", ""), ("E4", "agent", "carewell", "E3"),
        ("E6", "it_admin", "", "E3"),
    ]  # fmt: skip
    header = (
        "employee_id", "name", "email", "status", "start_date", "end_date", "department",
        "job_role", "client_accounts", "manager_id", "last_role_change",
    )  # fmt: skip
    roster = [
        (eid, f"Person {eid}", f"u{eid[1:]}@corp.example", "active", ago(400), "", "Ops", role,
         clients, manager, "")
        for eid, role, clients, manager in people
    ]  # fmt: skip
    users = [(f"u{p[0][1:]}", p[0], f"u{p[0][1:]}@corp.example", "true") for p in people]
    (root / "jamf.json").write_text(json.dumps(jamf_records()))
    (root / "policy.yaml").write_text(POLICY)
    return {
        "clients": root / "clients.json",
        "roster": write_csv(root / "roster.csv", header, roster),
        "directory": write_csv(
            root / "directory.csv", ("username", "employee_id", "email", "enabled"), users
        ),
        "intune": write_csv(root / "intune.csv", INTUNE_HEADER, intune_rows()),
        "jamf": root / "jamf.json",
        "policy": root / "policy.yaml",
    }
