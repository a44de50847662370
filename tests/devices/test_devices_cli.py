"""`dataward devices` end to end on the small fleet, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from devices.fleet import INTUNE_HEADER, Cli, intune_row, intune_rows, write_csv
from helpers import assert_one_line_error

DEVICES = (
    "devices_os_supported_and_patched", "devices_disks_encrypted",
    "devices_no_local_admin_for_agents", "devices_security_agent_healthy",
    "devices_firewall_enabled", "devices_screen_lock_configured", "devices_usb_storage_blocked",
    "devices_only_approved_software",
)  # fmt: skip


def _json(result: Any) -> Any:
    assert result.code == 0, result
    return json.loads(result.out)


def _results(cli: Cli, root: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    result = cli("assess", "-f", "json", "-w", str(root))
    assert result.code in (0, 1), result
    return {
        (r["client"], r["check"], r["subject"]): r
        for r in json.loads(result.out)["results"]
        if r["check"] in DEVICES
    }


def test_import_reports_counts_and_reimport_is_unchanged(
    cli: Cli, people_ws: Path, fleet_files: dict[str, Path]
) -> None:
    w = str(people_ws)
    intune = str(fleet_files["intune"])
    first = _json(cli("devices", "import", "intune", intune, "-f", "json", "-w", w))
    assert first == [
        {"kind": "intune", "source": "intune", "devices": 6, "added": 6, "changed": 0,
         "removed": 0, "refreshed": 0, "unchanged": False}
    ]  # fmt: skip
    again = _json(cli("devices", "import", "intune", intune, "-f", "json", "-w", w))
    assert again[0]["unchanged"] is True
    assert again[0]["added"] == again[0]["changed"] == 0
    rows = intune_rows()[:-1]  # XX-99 is gone
    rows[0] = intune_row("NB-01", "u1@corp.example", Firewall="Off")
    changed = write_csv(people_ws.parent / "changed.csv", INTUNE_HEADER, rows)
    third = _json(cli("devices", "import", "intune", str(changed), "-f", "json", "-w", w))
    assert (third[0]["changed"], third[0]["removed"], third[0]["added"]) == (1, 1, 0)
    log = _json(cli("audit", "log", "-f", "json", "-w", w))
    imports = [e for e in log if e["action"] == "devices.import"]
    assert len(imports) == 3
    assert cli("audit", "verify", "-w", w).code == 0


def test_a_bad_row_names_file_row_and_field_and_stores_nothing(
    cli: Cli, people_ws: Path, fleet_files: dict[str, Path]
) -> None:
    w = str(people_ws)
    assert cli("devices", "import", "intune", str(fleet_files["intune"]), "-w", w).code == 0
    rows = intune_rows()
    rows[3] = intune_row("CW-01", "u4@corp.example", Encrypted="perhaps")
    bad = write_csv(people_ws.parent / "bad.csv", INTUNE_HEADER, rows)
    result = cli("devices", "import", "intune", str(bad), "-w", w)
    assert_one_line_error(result, "bad.csv row 5", "'encrypted'")
    assert "perhaps" not in result.err
    listed = _json(cli("devices", "list", "-f", "json", "-w", w))
    assert {r["device"] for r in listed} >= {"CW-01", "XX-99"}
    # No policy loaded: the shipped default allows only root and Administrator as local admins.
    assert next(r for r in listed if r["device"] == "NB-02")["failing"] == [
        "encryption", "firewall", "local_admin",
    ]  # fmt: skip
    log = _json(cli("audit", "log", "-f", "json", "-w", w))
    assert sum(e["action"] == "devices.import" for e in log) == 1


def test_checks_fail_the_planted_devices_per_client(cli: Cli, fleet_ws: Path) -> None:
    results = _results(cli, fleet_ws)
    failed = {key for key, r in results.items() if r["status"] == "fail"}
    assert failed == {
        ("northbank", "devices_disks_encrypted", "NB-02"),
        ("northbank", "devices_firewall_enabled", "NB-02"),
        ("northbank", "devices_no_local_admin_for_agents", "TL-01"),
        ("carewell", "devices_no_local_admin_for_agents", "TL-01"),
        ("carewell", "devices_only_approved_software", "MAC-01"),
    }
    remote = results[("northbank", "devices_disks_encrypted", "NB-02")]
    assert remote["summary"] == "NB-02 (E2 agent, remote): the system disk is not encrypted"
    assert remote["evidence"][0]["location"] == "remote"
    assert remote["evidence"][0]["origin"]["encrypted"] == "intune.csv row 3, encrypted"
    unknown = results[("carewell", "devices_firewall_enabled", "carewell: unknown")]
    assert unknown["status"] == "warning"
    assert "1 device cannot be judged (1 on site, 0 remote)" in unknown["summary"]
    assert [e["device"] for e in unknown["evidence"]] == ["CW-01"]
    passed = results[("northbank", "devices_firewall_enabled", "northbank")]
    assert passed["status"] == "pass"
    assert "2 devices meet the rule (2 on site, 0 remote)" in passed["summary"]
    software = results[("carewell", "devices_only_approved_software", "MAC-01")]
    assert "TeamViewer.app" in software["summary"]
    # The operation judges the IT admin's device (no client) and the device linked to no one.
    admin = results[("operation", "devices_no_local_admin_for_agents", "operation")]
    assert admin["status"] == "pass"
    assert "not an agent's device" in admin["summary"]
    assert {e["device"] for e in admin["evidence"]} == {"XX-99"}


def test_client_scoped_users_see_only_their_clients_devices(cli: Cli, fleet_ws: Path) -> None:
    w = str(fleet_ws)
    add = ("users", "add", "cara", "--role", "client-viewer", "--client", "carewell", "-w", w)
    assert cli(*add).code == 0
    mine = _json(cli("devices", "list", "-f", "json", "-w", w, DATAWARD_USER="cara"))
    assert {r["device"] for r in mine} == {"TL-01", "CW-01", "MAC-01"}
    assert all(r["clients"] == ["carewell"] for r in mine)  # TL-01's northbank is not shown
    denied = cli("devices", "list", "--client", "northbank", "-w", w, DATAWARD_USER="cara")
    assert_one_line_error(denied, "may not view")
    hidden = cli("devices", "show", "NB-02", "-w", w, DATAWARD_USER="cara")
    assert_one_line_error(hidden, "no device 'NB-02'")
    everyone = _json(cli("devices", "list", "-f", "json", "-w", w))
    assert len(everyone) == 7
    assert {r["device"] for r in everyone if r["clients"] == ["(none)"]} == {"IT-01", "XX-99"}


def test_list_filters_failing_and_remote(cli: Cli, fleet_ws: Path) -> None:
    w = str(fleet_ws)
    failing = _json(cli("devices", "list", "--failing", "-f", "json", "-w", w))
    assert {r["device"]: r["failing"] for r in failing} == {
        "NB-02": ["encryption", "firewall"], "TL-01": ["local_admin"], "MAC-01": ["software"],
    }  # fmt: skip
    remote = _json(cli("devices", "list", "--remote", "-f", "json", "-w", w))
    assert [r["device"] for r in remote] == ["NB-02"]
    northbank = _json(cli("devices", "list", "--client", "northbank", "-f", "json", "-w", w))
    assert {r["device"] for r in northbank} == {"NB-01", "NB-02", "TL-01"}
    cw = next(
        r for r in _json(cli("devices", "list", "-f", "json", "-w", w)) if r["device"] == "CW-01"
    )
    assert cw["unknown"] == ["firewall", "screen_lock", "usb_storage"]


def test_policy_show_load_errors_and_unchanged_reload(
    cli: Cli, fleet_ws: Path, fleet_files: dict[str, Path]
) -> None:
    w = str(fleet_ws)
    rows = _json(cli("devices", "policy", "show", "--client", "northbank", "-f", "json", "-w", w))
    lock = next(r for r in rows if r["rule"] == "screen_lock")
    assert lock["setting"] == "within 5 minutes"
    again = cli("devices", "policy", "load", str(fleet_files["policy"]), "-w", w)
    assert "unchanged" in again.err
    bad = fleet_files["policy"].with_name("bad.yaml")
    bad.write_text("default:\n  screen_lock: {within_minutes: soon}\n")
    assert_one_line_error(
        cli("devices", "policy", "load", str(bad), "-w", w),
        "bad.yaml", "default.screen_lock.within_minutes",
    )  # fmt: skip
    unknown = fleet_files["policy"].with_name("client.yaml")
    unknown.write_text("clients:\n  nobody: {firewall: off}\n")
    assert_one_line_error(cli("devices", "policy", "load", str(unknown), "-w", w), "nobody")
    example = cli("devices", "policy", "example")
    assert example.code == 0
    assert "usb_storage: blocked" in example.out


def test_nothing_imported_is_not_applicable(cli: Cli, people_ws: Path) -> None:
    results = _results(cli, people_ws)
    assert {r["status"] for r in results.values()} == {"not_applicable"}
    assert all("devices import" in r["summary"] for r in results.values())
    listed = cli("devices", "list", "-w", str(people_ws))
    assert "no devices imported" in listed.err


def test_check_in_deadlines_are_offered_to_the_managers(cli: Cli, fleet_ws: Path) -> None:
    from dataward.core.workspace import open_workspace
    from dataward.devices.service import obligations
    from devices.fleet import NOW

    ws = open_workspace(fleet_ws, env={})
    duties = {o.ref: o for o in obligations(ws, NOW.date())}
    assert set(duties) == {"NB-01", "NB-02", "TL-01", "CW-01", "IT-01", "MAC-01"}  # not XX-99
    nb = duties["NB-01"]
    assert (nb.kind, nb.owner, nb.client) == ("device check-in", "u3@corp.example", "northbank")
    assert nb.due == (NOW - timedelta(days=0.5)).date() + timedelta(days=14)
    assert duties["TL-01"].owner == "u3@corp.example"  # no manager: the person themself
    assert duties["IT-01"].client is None
    w = str(fleet_ws)
    assert cli("users", "add", "cara", "--role", "client-viewer", "--client", "carewell",
               "-w", w).code == 0  # fmt: skip
    scoped = obligations(open_workspace(fleet_ws, env={}, actor="cara"), NOW.date())
    assert {o.client for o in scoped} == {"carewell"}
