"""Fixtures for the device tests: the small fleet of fleet.py in a workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.fleet import Cli, files


@pytest.fixture
def fleet_files(tmp_path: Path) -> dict[str, Path]:
    """Write every input file of the small fleet."""
    folder = tmp_path / "in"
    folder.mkdir()
    return files(folder)


@pytest.fixture
def people_ws(ws_root: Path, cli: Cli, fleet_files: dict[str, Path]) -> Path:
    """A workspace with the clients, the HR roster and the directory."""
    w = str(ws_root)
    steps = [
        ("clients", "import", str(fleet_files["clients"])),
        ("access", "import", "hr", str(fleet_files["roster"])),
        ("access", "import", "directory", str(fleet_files["directory"])),
    ]
    for step in steps:
        result = cli(*step, "-w", w)
        assert result.code == 0, (step, result)
    return ws_root


@pytest.fixture
def fleet_ws(people_ws: Path, cli: Cli, fleet_files: dict[str, Path]) -> Path:
    """The workspace with the device policy, the Intune and the Jamf inventories loaded."""
    w = str(people_ws)
    assert cli("devices", "policy", "load", str(fleet_files["policy"]), "-w", w).code == 0
    for kind in ("intune", "jamf"):
        result = cli("devices", "import", kind, str(fleet_files[kind]), "-w", w)
        assert result.code == 0, result
    return people_ws
