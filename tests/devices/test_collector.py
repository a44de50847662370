"""The Linux collector, run for real on this machine, and the import of what it prints."""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dataward.devices.collectors import Options, collect, registry
from dataward.devices.collectors.base import run, safely
from dataward.devices.engine.connectors.collector import SCHEMA, read_collector
from dataward.devices.engine.types import Posture
from dataward.errors import DatawardError, ImportFileError
from devices.fleet import Cli

KINDS = {
    "os_family": str, "os_id": str, "os_name": str, "os_version": str, "last_patched": str,
    "encrypted": bool, "local_admins": list, "user_is_admin": bool, "agents_running": list,
    "signatures_updated": str, "signatures_current": bool, "firewall": bool,
    "screen_lock": bool, "screen_lock_minutes": int, "usb_storage_blocked": bool,
    "software": list,
}  # fmt: skip
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux collector")


@linux_only
def test_the_linux_collector_describes_this_machine() -> None:
    doc = collect(Options(datetime.now(UTC), user="someone"))
    assert doc["schema"] == SCHEMA
    assert doc["collector"] == {"platform": "linux", "version": 1}
    assert doc["device"]["name"]
    assert doc["device"]["user"] == "someone"
    assert set(doc["posture"]) == {f.name for f in fields(Posture)} == set(KINDS)
    assert set(doc["probes"]) == set(doc["posture"])
    for key, value in doc["posture"].items():
        assert value is None or isinstance(value, KINDS[key]), (key, value)
        assert doc["probes"][key], key  # every field says how it was decided
    assert doc["posture"]["os_family"] == "linux"
    assert doc["posture"]["os_id"]  # /etc/os-release exists on every supported distribution
    assert doc["posture"]["user_is_admin"] is False  # "someone" is in no admin group
    json.dumps(doc)  # plain JSON all the way down


@linux_only
def test_collect_writes_a_file_the_import_reads(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "host.json"
    result = cli("devices", "collect", "--output", str(out), "--site", "Pune", "--remote")
    assert result.code == 0, result
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    device = read_collector(out).devices[0]
    assert (device.site, device.remote) == ("Pune", True)
    assert device.last_seen is not None
    printed = cli("devices", "collect")
    assert json.loads(printed.out)["schema"] == SCHEMA


@linux_only
def test_collected_devices_import_into_a_workspace(cli: Cli, ws_root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "hosts"
    folder.mkdir()
    assert cli("devices", "collect", "-o", str(folder / "this.json")).code == 0
    w = str(ws_root)
    result = cli("devices", "import", "collector", str(folder), "-f", "json", "-w", w)
    assert result.code == 0, result
    assert json.loads(result.out)[0]["devices"] == 1
    listed = json.loads(cli("devices", "list", "-f", "json", "-w", w).out)
    assert len(listed) == 1
    assert listed[0]["clients"] == ["(none)"]
    assessed = cli("assess", "-f", "json", "-w", w)
    rows = [r for r in json.loads(assessed.out)["results"] if r["check"].startswith("devices_")]
    assert len({r["check"] for r in rows}) == 8
    assert "error" not in {r["status"] for r in rows}


def test_probes_never_raise_and_commands_are_bounded() -> None:
    def broken(_: Options) -> tuple[object, str]:
        raise PermissionError("/root/secret")

    value, note = safely(broken, Options(datetime.now(UTC)))  # type: ignore[arg-type]
    assert (value, note) == (None, "probe failed (PermissionError)")
    assert run(["no-such-command-dataward"], 1) is None
    assert run(["sleep", "5"], 0.2) is None  # over the timeout: unknown, not a hang
    assert run(["false"], 1) is None


def test_an_unknown_platform_has_no_collector_yet() -> None:
    assert "linux" in registry()
    with pytest.raises(DatawardError, match="no collector for beos yet"):
        collect(Options(datetime.now(UTC)), platform="beos")


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        ({"schema": "other/1"}, "is not a dataward-device/1 document"),
        ({"schema": SCHEMA, "device": {"name": "x"}}, "no device or posture"),
        ({"schema": SCHEMA, "device": {"name": "x"}, "posture": {"encrypted": "yes"}},
         "posture.encrypted is not a bool"),
        ({"schema": SCHEMA, "device": {"name": ""}, "posture": {}}, "device.name is empty"),
        ({"schema": SCHEMA, "device": {"name": "x"}, "posture": {"software": "vim"}},
         "posture.software is not a list"),
    ],
)  # fmt: skip
def test_bad_collector_documents_are_refused(tmp_path: Path, doc: object, needle: str) -> None:
    path = tmp_path / "host.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ImportFileError) as err:
        read_collector(path)
    assert needle in err.value.line()
    assert "host.json" in err.value.line()
