"""Write the Intune (Windows) and Jamf (Mac) device inventories and the device policy.

Every device meets the policy except the two planted ones; a quarter of the agents work from
home (Intune: site "Home", a remote site in the policy; Jamf: the "Work location" attribute).
"""

from __future__ import annotations

import random
import string
from typing import Any

import yaml

from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import csv_doc, json_doc
from dataward.demo.engine.model import Cell, S
from dataward.demo.engine.people import Employee, active, flagged

INTUNE_HEADER = (
    "Device name",
    "Primary user UPN",
    "OS",
    "OS version",
    "Encrypted",
    "Last check-in",
    "Compliance",
    "Ownership",
    "Model",
    "Serial number",
    "Site",
    "Last quality update",
    "Local administrators",
    "Real-time protection",
    "Signature update overdue",
    "Firewall",
    "Max minutes of inactivity until screen locks",
    "Removable storage",
)
WINDOWS_BUILDS = ("10.0.22631.4460", "10.0.22631.4391", "10.0.26100.2314")
MODELS = ("Latitude 5440", "ThinkPad T14 Gen 4", "EliteBook 840 G10")
MAC_MODELS = ("MacBook Air (M2, 2022)", "MacBook Pro (14-inch, M3, 2023)")
MACOS = ("15.1.1", "15.1", "14.7.1")
SITE_CODES = {"manila": "MNL", "pune": "PNQ", "charlotte": "CLT", "leeds": "LDS"}
LAPS = "dw-laps"
MAC_APPS = (
    "Google Chrome.app", "Microsoft Teams.app", "Microsoft Outlook.app", "zoom.us.app",
    "Falcon.app", "Self Service.app", "Safari.app",
)  # fmt: skip
POLICY = {
    "remote_sites": ["Home"],
    "default": {
        "check_in_within_days": 14,
        "os": {"minimum": {"windows": "10.0.22631", "macos": "14.7"}, "patch_within_days": 30},
        "disk_encryption": "required",
        "local_admin": {
            "agent_roles": ["agent", "team_lead", "qa_analyst", "trainer"],
            "allowed_accounts": ["Administrator", LAPS],
        },
        "security_agent": {
            "names": ["Microsoft Defender*", "CrowdStrike Falcon"],
            "signatures_within_days": 7,
        },
        "firewall": "required",
        "screen_lock": {"within_minutes": 15},
        "usb_storage": "blocked",
        "software": {
            "approved": {
                "macos": ["Google Chrome*", "Microsoft *", "zoom.us*", "Falcon*", "Self Service*",
                          "Safari*"],
            }
        },
    },
    "clients": {
        "northbank": {"screen_lock": {"within_minutes": 5}},
        "carewell": {"os": {"patch_within_days": 14}},
    },
}  # fmt: skip


def _home(n: int, p: Employee) -> bool:
    """Return whether an agent works from home (every fourth agent of a site's list)."""
    return p.role == "agent" and n % 4 == 3


def _serial(rng: random.Random, model: str) -> str:
    """Return a serial number in the vendor's usual shape."""
    chars = string.ascii_uppercase + string.digits
    if model.startswith("Latitude"):
        return "".join(rng.choice(chars) for _ in range(7))
    if model.startswith("ThinkPad"):
        return "PF" + "".join(rng.choice(chars) for _ in range(6))
    if model.startswith("Mac"):
        return "C02" + "".join(rng.choice(chars) for _ in range(9))
    return "5CG" + "".join(rng.choice(chars) for _ in range(7))


def intune_rows(estate: Estate, people: list[Employee]) -> list[list[Cell]]:
    """Return one Windows laptop per non-Leeds employee; the planted one is unencrypted."""
    rng = estate.rng("intune")
    posture = estate.rng("intune-posture")
    rows: list[list[Cell]] = []
    for n, p in enumerate(x for x in active(people) if x.site.key != "leeds"):
        model = rng.choice(MODELS)
        encrypted = "unencrypted_laptop" not in p.flags
        days = rng.uniform(0.05, 2)
        rows.append(
            [
                f"{SITE_CODES[p.site.key]}-LT-{1000 + n * 7:04d}",
                p.mail(),
                "Windows",
                rng.choice(WINDOWS_BUILDS),
                str(encrypted),
                estate.at(days).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "Compliant" if encrypted else "Noncompliant",
                "Corporate",
                model,
                _serial(rng, model),
                "Home" if _home(n, p) else p.site.city,
                estate.at(posture.uniform(3, 12)).date().isoformat(),
                ";".join(["Administrator", LAPS] + ([p.username] if p.role == "it_admin" else [])),
                "Enabled",
                "False",
                "On",
                "5",
                "Blocked",
            ]
        )
    return rows


def jamf_records(estate: Estate, people: list[Employee]) -> list[dict[str, Any]]:
    """Return Jamf-like computer records for the Leeds Macs; one agent has local admin."""
    rng = estate.rng("jamf")
    posture = estate.rng("jamf-posture")
    records = []
    for n, p in enumerate(x for x in active(people) if x.site.key == "leeds"):
        model = rng.choice(MAC_MODELS)
        contact = estate.at(rng.uniform(0.05, 2))
        admin = "local_admin" in p.flags or p.role == "it_admin"
        updated = estate.at(posture.uniform(2, 12)).strftime("%Y-%m-%d %H:%M:%S")
        signatures = estate.at(posture.uniform(0.2, 3)).strftime("%Y-%m-%d %H:%M:%S")
        records.append(
            {
                "id": 300 + n,
                "general": {
                    "name": f"LDS-MBP-{n + 1:02d}",
                    "serial_number": _serial(rng, "Mac"),
                    "last_contact_time": contact.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "managed": True,
                    "site": {"id": 1, "name": "Leeds"},
                },
                "location": {
                    "username": p.username,
                    "real_name": p.person(),
                    "email_address": p.mail(),
                    "department": "Operations",
                },
                "hardware": {"model": model, "processor_type": "Apple Silicon"},
                "operating_system": {"name": "macOS", "version": rng.choice(MACOS)},
                "disk_encryption": {
                    "file_vault2_status": "All Encrypted",
                    "file_vault2_enabled_user_names": p.username,
                },
                "security": {
                    "firewall_enabled": True,
                    "gatekeeper_status": "App Store and identified developers",
                    "sip_status": "Enabled",
                },
                "local_accounts": [
                    {"name": p.username, "admin": admin, "home": f"/Users/{p.username}"}
                ],
                "software": {"applications": [{"name": app} for app in MAC_APPS]},
                "extension_attributes": [
                    {"id": 1, "name": "Last OS update", "type": "Date", "value": updated},
                    {"id": 2, "name": "Security agent", "value": "CrowdStrike Falcon"},
                    {"id": 3, "name": "Security agent running", "value": "Yes"},
                    {"id": 4, "name": "Signatures updated", "type": "Date", "value": signatures},
                    {"id": 5, "name": "Screen lock delay (minutes)", "value": "5"},
                    {"id": 6, "name": "USB mass storage", "value": "Blocked"},
                    {
                        "id": 7,
                        "name": "Work location",
                        "value": "Remote" if _home(n, p) else "Office",
                    },
                ],
            }
        )
    return records


def write_devices(estate: Estate, people: list[Employee]) -> None:
    """Write the device policy and inventories and plant the two device problems."""
    estate.write(
        "devices/device_policy.yaml",
        (yaml.safe_dump(POLICY, sort_keys=False).encode("utf-8"), []),
        client=None,
        kind="devices",
        days_ago=20,
    )
    rows = intune_rows(estate, people)
    intune = estate.write(
        "devices/intune_devices.csv",
        csv_doc(INTUNE_HEADER, rows),
        client=None,
        kind="devices",
        days_ago=0.5,
    )
    macs = jamf_records(estate, people)
    jamf = estate.write(
        "devices/jamf_devices.json", json_doc(macs), client=None, kind="devices", days_ago=0.5
    )
    bare = flagged(people, "unencrypted_laptop")
    row = next(i for i, r in enumerate(rows, 2) if isinstance(r[1], S) and r[1].value == bare.email)
    estate.plant(
        "devices-laptop-without-disk-encryption",
        "devices",
        None,
        kind="unencrypted_laptop",
        path=intune,
        detail=f"row {row}, device {rows[row - 2][0]}: Encrypted False, Compliance Noncompliant",
        expect={"check": "devices_disks_encrypted", "count": 1, "subject": str(rows[row - 2][0])},
        description="A Manila agent's laptop that handles Northbank card disputes has no disk "
        "encryption.",
    )
    owner = flagged(people, "local_admin")
    index = next(i for i, m in enumerate(macs) if m["location"]["username"] == owner.username)
    estate.plant(
        "devices-agent-with-local-admin",
        "devices",
        None,
        kind="agent_local_admin",
        path=jamf,
        detail=f"/{index}/local_accounts/0/admin is true for agent {owner.username} on "
        f"{macs[index]['general']['name']}",
        expect={
            "check": "devices_no_local_admin_for_agents",
            "count": 1,
            "subject": macs[index]["general"]["name"],
        },
        description="A Leeds agent has local administrator rights on their Mac and could "
        "disable its security controls.",
    )
