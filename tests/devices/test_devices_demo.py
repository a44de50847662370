"""The demo estate's devices: both planted problems found, nothing raised on the clean devices."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from dataward.core.workspace import open_workspace
from dataward.demo.engine import load_manifest
from dataward.demo.run import DemoContext
from dataward.devices.demo import verify
from devices.fleet import Cli


def test_demo_verify_finds_both_plants_and_nothing_else(demo_ws: Path) -> None:
    ws = open_workspace(demo_ws, env={})
    estate = demo_ws / "estate"
    ctx = DemoContext(ws, estate, load_manifest(estate), Console(quiet=True))
    [outcome] = verify(ctx)
    assert outcome.area == "devices"
    assert outcome.found == (
        "devices-agent-with-local-admin",
        "devices-laptop-without-disk-encryption",
    )
    assert outcome.false_alarms == ()


def test_demo_devices_are_all_judged_and_reimport_is_unchanged(cli: Cli, demo_ws: Path) -> None:
    w = str(demo_ws)
    listed = json.loads(cli("devices", "list", "-f", "json", "-w", w).out)
    assert len(listed) > 50
    assert {r["location"] for r in listed} == {"on site", "remote"}
    assert all(r["employee_id"] for r in listed)  # every device links to a person
    failing = [r for r in listed if r["failing"]]
    assert sorted(r["failing"] for r in failing) == [["encryption"], ["local_admin"]]
    assert not any(r["unknown"] for r in listed)  # the estate's exports answer every rule
    for kind, name in (("intune", "intune_devices.csv"), ("jamf", "jamf_devices.json")):
        again = cli("devices", "import", kind, str(demo_ws / "estate/devices" / name), "-f", "json",
                    "-w", w)  # fmt: skip
        assert json.loads(again.out)[0]["unchanged"] is True, again
    rows = json.loads(cli("devices", "policy", "show", "--client", "northbank", "-f", "json",
                          "-w", w).out)  # fmt: skip
    assert next(r for r in rows if r["rule"] == "screen_lock")["setting"] == "within 5 minutes"
