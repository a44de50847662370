"""osquery: the shipped queries (pack, script) and their results read as devices."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dataward.devices.engine.connectors.osquery import read_osquery
from dataward.devices.engine.queries import catalogue, pack
from dataward.errors import ImportFileError
from devices.fleet import Cli

LINUX: dict[str, Any] = {
    "collected_at": "2026-11-27T09:00:00Z",
    "site": "Pune",
    "system_info": [{"hostname": "pnq-dev-01.corp.example", "computer_name": "pnq-dev-01",
                     "hardware_serial": "PF3ABCDE", "hardware_model": "ThinkPad T14"}],
    "os_version": [{"name": "Ubuntu", "version": "24.04.1 LTS (Noble Numbat)", "major": "24",
                    "minor": "4", "patch": "1", "platform": "ubuntu"}],
    "primary_user": [{"username": "u1"}],
    "root_mount": [{"device": "/dev/mapper/vgubuntu-root", "path": "/", "type": "ext4"}],
    "disk_encryption": [{"name": "/dev/dm-0", "encrypted": "1", "type": "aes-xts-plain64"},
                        {"name": "/dev/dm-1", "encrypted": "0", "type": ""}],
    "local_admins": [{"username": "u1", "groupname": "sudo"}],
    "last_patch": [{"last_patched": "1764100000"}, {"last_patched": ""}],
    "software": [{"name": "openssh-server", "version": "1:9.6"}, {"name": "curl", "version": "8"}],
    "firewall": [{"chain": "INPUT", "policy": "DROP", "target": ""}],
    "usb_storage": [{"loaded": "0", "blocking_rules": "1"}],
    "security_agents": [{"name": "falcon-sensor"}],
    "signatures": [{"updated": ""}],
}  # fmt: skip
WINDOWS: dict[str, Any] = {
    "system_info": [{"hostname": "MNL-LT-2001", "computer_name": "MNL-LT-2001",
                     "hardware_serial": "To Be Filled By O.E.M.", "hardware_model": "Latitude"}],
    "os_version": [{"name": "Microsoft Windows 11 Enterprise", "version": "10.0.22631",
                    "build": "22631", "platform": "windows"}],
    "disk_encryption": [{"drive_letter": "C:", "protection_status": "0"}],
    "last_patch": [{"hotfix_id": "KB5046633", "installed_on": "11/12/2026"},
                   {"hotfix_id": "KB5044285", "installed_on": ""}],
    "screen_lock": [{"idle_seconds": "900"}],
    "firewall": [{"firewall": "Good"}],
    "usb_storage": [{"data": "4"}],
    "security_agents": [{"name": "MsMpEng.exe"}],
    "security_products": [{"type": "Antivirus", "name": "Microsoft Defender Antivirus",
                           "state": "On", "signatures_up_to_date": "0"}],
}  # fmt: skip


def test_one_hosts_results_become_a_device(tmp_path: Path) -> None:
    path = tmp_path / "pnq-dev-01.json"
    path.write_text(json.dumps(LINUX))
    d = read_osquery(path).devices[0]
    assert (d.name, d.serial, d.user, d.site) == ("pnq-dev-01", "PF3ABCDE", "u1", "Pune")
    p = d.posture
    assert (p.os_family, p.os_id, p.os_version) == ("linux", "ubuntu", "24.4.1")
    assert p.encrypted is True  # the root is a mapped device over an encrypted one
    assert (p.local_admins, p.user_is_admin) == (("u1",), True)
    assert p.last_patched == date(2025, 11, 25)
    assert (p.firewall, p.usb_storage_blocked) == (True, True)
    assert p.agents_running == ("CrowdStrike Falcon",)
    assert (p.screen_lock, p.software) == (None, ("openssh-server", "curl"))
    assert d.origin["encrypted"] == "osquery disk_encryption"


def test_windows_results_and_a_folder_of_hosts(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(LINUX))
    (tmp_path / "b.json").write_text(json.dumps(WINDOWS))
    result = read_osquery(tmp_path)
    win = next(d for d in result.devices if d.name == "MNL-LT-2001")
    assert win.serial == ""  # a placeholder serial is not an identity
    p = win.posture
    assert (p.os_family, p.encrypted, p.last_patched) == ("windows", False, date(2026, 11, 12))
    assert (p.screen_lock, p.screen_lock_minutes, p.firewall) == (True, 15, True)
    assert p.usb_storage_blocked is True
    assert p.agents_running == ("Microsoft Defender", "Microsoft Defender Antivirus")
    assert p.signatures_current is False
    assert p.local_admins is None  # not asked: unknown


def test_the_results_log_keeps_the_newest_snapshot_per_host(tmp_path: Path) -> None:
    def line(name: str, host: str, when: int, rows: list[dict[str, str]]) -> str:
        return json.dumps({"name": name, "hostIdentifier": host, "unixTime": when,
                           "calendarTime": "", "action": "snapshot", "snapshot": rows})  # fmt: skip

    lines = [
        line("pack/dataward/os_version_linux", "h1", 100,
             [{"name": "Debian", "version": "12", "platform": "debian"}]),
        line("pack_dataward_firewall_linux", "h1", 100, [{"policy": "ACCEPT", "target": ""}]),
        line("pack_dataward_firewall_linux", "h1", 200, [{"policy": "DROP", "target": ""}]),
        line("pack_other_thing", "h1", 300, [{"x": "1"}]),
        line("pack_dataward_os_version_linux", "h2", 150,
             [{"name": "Ubuntu", "version": "22.04", "platform": "ubuntu"}]),
    ]  # fmt: skip
    path = tmp_path / "osqueryd.results.log"
    path.write_text("\n".join(lines) + "\n")
    devices = {d.name: d for d in read_osquery(path).devices}
    assert set(devices) == {"h1", "h2"}
    assert devices["h1"].posture.firewall is True
    assert devices["h1"].posture.os_id == "debian"
    assert devices["h1"].last_seen is not None
    assert devices["h1"].last_seen.timestamp() == 200
    assert devices["h2"].posture.firewall is None


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[{"name": "x"}]', "one query's rows"),
        ('{"unrelated": []}', "none of the shipped queries"),
        ('{"os_version": {"name": "x"}}', "'os_version' is not a list of rows"),
        ('{"name": "pack_dataward_firewall", "hostIdentifier": "h", "diffResults": {}}',
         "differential"),
        ("not json at all", "line 1"),
    ],
)  # fmt: skip
def test_bad_results_are_refused_naming_the_file(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "host.json"
    path.write_text(text)
    with pytest.raises(ImportFileError) as err:
        read_osquery(path)
    assert all(part in err.value.line() for part in (needle, "host.json")), err.value.line()


def test_every_query_reads_a_known_table_and_the_pack_is_valid() -> None:
    names = {q.name for q in catalogue().queries}
    assert {"os_version", "disk_encryption", "local_admins", "last_patch", "software",
            "screen_lock", "firewall", "usb_storage", "security_agents"} <= names  # fmt: skip
    for q in catalogue().queries:
        assert q.description
        assert q.sql
        for sql in q.sql.values():
            assert sql.rstrip().endswith(";"), (q.name, sql)
            assert "{" not in sql, (q.name, sql)
    queries = pack()["queries"]
    assert all(v["snapshot"] is True and v["platform"] in ("windows", "darwin", "linux")
               for v in queries.values())  # fmt: skip
    assert "'falcon-sensor'" in queries["security_agents_linux"]["query"]


def test_the_queries_command_prints_sql_a_pack_and_a_script(cli: Cli, tmp_path: Path) -> None:
    sql = cli("devices", "queries", "--platform", "windows")
    assert sql.code == 0
    assert "bitlocker_info" in sql.out
    assert "deb_packages" not in sql.out
    packed = json.loads(cli("devices", "queries", "--pack").out)
    assert "disk_encryption_linux" in packed["queries"]
    script = cli("devices", "queries", "--script", "linux").out
    assert script.startswith("#!/bin/sh")
    assert "osqueryi --json" in script
    shell = tmp_path / "collect.sh"
    shell.write_text(script)
    assert subprocess.run(["sh", "-n", str(shell)], check=False).returncode == 0  # noqa: S603
    assert cli("devices", "queries", "--script", "beos").code == 2
