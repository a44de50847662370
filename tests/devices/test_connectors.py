"""The device connectors on real files written here: Intune CSV/XLSX, generic CSV, Jamf JSON."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from dataward.devices.engine.connectors.intune import read_intune
from dataward.devices.engine.connectors.jamf import read_jamf
from dataward.devices.engine.connectors.mdm_csv import read_mdm_csv
from dataward.errors import ImportFileError
from devices.fleet import INTUNE_HEADER, intune_row, intune_rows, jamf_records, write_csv


def test_intune_reads_the_intune_like_column_set(tmp_path: Path) -> None:
    result = read_intune(write_csv(tmp_path / "intune.csv", INTUNE_HEADER, intune_rows()))
    devices = {d.name: d for d in result.devices}
    nb = devices["NB-01"]
    assert (nb.user, nb.serial, nb.site, nb.row) == ("u1@corp.example", "SN-NB-01", "Manila", 2)
    p = nb.posture
    assert (p.os_family, p.os_id, p.os_version) == ("windows", "windows", "10.0.22631.4460")
    assert (p.encrypted, p.firewall, p.usb_storage_blocked) == (True, True, True)
    assert (p.screen_lock, p.screen_lock_minutes) == (True, 5)
    assert p.agents_running == ("Microsoft Defender",)  # Real-time protection: Enabled
    assert p.signatures_current is True  # Signature update overdue: False
    assert p.local_admins == ("Administrator", "laps")
    assert p.software is None  # the export has no software column: unknown, not "none"
    assert nb.origin["encrypted"] == "intune.csv row 2, encrypted"
    cw = devices["CW-01"].posture
    assert (cw.firewall, cw.screen_lock_minutes, cw.usb_storage_blocked) == (None, None, None)
    assert devices["NB-02"].posture.encrypted is False


def test_intune_reads_xlsx_written_by_openpyxl(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(INTUNE_HEADER))
    for row in intune_rows():
        sheet.append(row)
    book.save(tmp_path / "intune.xlsx")
    result = read_intune(tmp_path / "intune.xlsx")
    assert [d.name for d in result.devices] == [r[0] for r in intune_rows()]
    assert result.devices[1].posture.encrypted is False


def test_generic_csv_maps_other_headers(tmp_path: Path) -> None:
    header = ("Asset", "Owner mail", "Platform", "Build", "BitLocker state", "Patched", "Wfh")
    rows = [("PC-9", "u1@corp.example", "Windows 11", "10.0.26100", "Off", "2026-11-01", "yes")]
    path = write_csv(tmp_path / "mdm.csv", header, rows)
    with pytest.raises(ImportFileError) as missing:
        read_mdm_csv(path)
    assert "no 'name' column" in missing.value.line()
    result = read_mdm_csv(
        path,
        {"name": "Asset", "user": "Owner mail", "os_version": "Build",
         "encrypted": "BitLocker state", "last_patched": "Patched", "remote": "Wfh"},
    )  # fmt: skip
    d = result.devices[0]
    assert (d.name, d.user, d.remote) == ("PC-9", "u1@corp.example", True)
    assert (d.posture.os_family, d.posture.encrypted) == ("windows", False)
    assert d.posture.last_patched == date(2026, 11, 1)
    with pytest.raises(ImportFileError) as unknown:
        read_mdm_csv(path, {"colour": "Asset"})
    assert "unknown field 'colour'" in unknown.value.line()


@pytest.mark.parametrize(
    ("change", "where", "field"),
    [
        ({"Encrypted": "maybe"}, "row 3", "'encrypted'"),
        ({"Firewall": "sometimes"}, "row 3", "'firewall'"),
        ({"Last check-in": "yesterday"}, "row 3", "'last_seen'"),
        ({"Last quality update": "31/31/2026"}, "row 3", "'last_patched'"),
        ({"Max minutes of inactivity until screen locks": "soon"}, "row 3", "screen_lock"),
        ({"Device name": ""}, "row 3", "'name'"),
        ({"Serial number": "SN-NB-01"}, "row 3", "repeats row 2"),
        ({"Primary user UPN": "x" * 300}, "row 3", "'user'"),
    ],
)
def test_bad_cells_fail_with_file_row_and_field(
    tmp_path: Path, change: dict[str, str], where: str, field: str
) -> None:
    rows = intune_rows()[:2]
    rows[1] = intune_row("NB-02", "u2@corp.example", **change)
    path = write_csv(tmp_path / "bad.csv", INTUNE_HEADER, rows)
    with pytest.raises(ImportFileError) as err:
        read_intune(path)
    line = err.value.line()
    assert all(part in line for part in ("bad.csv", where, field)), line
    assert "\n" not in line
    for value in change.values():
        if len(value) > 3 and value not in ("SN-NB-01",):
            assert value not in line  # the cell's value is never repeated back


def test_an_empty_export_is_refused_rather_than_erasing_the_source(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no device rows"):
        read_intune(write_csv(tmp_path / "empty.csv", INTUNE_HEADER, []))


def test_jamf_reads_classic_records(tmp_path: Path) -> None:
    path = tmp_path / "jamf.json"
    path.write_text(json.dumps({"computers": [{"computer": r} for r in jamf_records()]}))
    d = read_jamf(path).devices[0]
    assert (d.name, d.serial, d.user, d.site) == ("MAC-01", "C02MAC01", "u4@corp.example", "Pune")
    p = d.posture
    assert (p.os_family, p.os_version, p.encrypted, p.firewall) == ("macos", "15.1.1", True, True)
    assert (p.local_admins, p.user_is_admin) == ((), False)
    assert p.agents_running == ("CrowdStrike Falcon",)
    assert (p.screen_lock_minutes, p.usb_storage_blocked) == (5, True)
    assert p.software == ("Safari.app", "TeamViewer.app")
    assert "attribute 'Screen lock delay (minutes)'" in d.origin["screen_lock_minutes"]


def test_jamf_reads_the_pro_api_inventory(tmp_path: Path) -> None:
    page = {
        "totalCount": 1,
        "results": [
            {
                "general": {
                    "name": "MBP-7",
                    "lastContactTime": "2026-11-27T08:00:00.000Z",
                    "remoteManagement": {"managed": True},
                    "site": {"name": "Leeds"},
                },
                "hardware": {"serialNumber": "C02PRO7", "model": "MacBook Pro"},
                "userAndLocation": {"username": "jdoe", "email": "J.Doe@corp.example"},
                "operatingSystem": {
                    "name": "macOS",
                    "version": "14.7.1",
                    "fileVault2Status": "NOT_ENCRYPTED",
                },
                "security": {"firewallEnabled": False},
                "localUserAccounts": [{"username": "jdoe", "admin": True}],
                "applications": [{"name": "Google Chrome.app"}],
                "extensionAttributes": [{"name": "USB mass storage", "values": ["Allowed"]}],
            }  # fmt: skip
        ],
    }
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(page))
    d = read_jamf(path).devices[0]
    assert (d.name, d.serial, d.user, d.site) == ("MBP-7", "C02PRO7", "j.doe@corp.example", "Leeds")
    p = d.posture
    assert (p.encrypted, p.firewall, p.user_is_admin, p.usb_storage_blocked) == (
        False, False, True, False,
    )  # fmt: skip
    assert p.agents_running is None  # no attribute says: unknown
    assert d.last_seen is not None
    assert d.last_seen.date() == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("{not json", "line 1"),
        ('[{"general": {}}]', "record 1"),
        ('[{"general": {"name": "A", "serial_number": "S"}}, {"general": {"name": "B", '
         '"serial_number": "S"}}]', "repeats record 1"),
        ('[{"general": {"name": "A"}, "security": {"firewall_enabled": "perhaps"}}]', "firewall"),
        ('{"computers": 5}', "not a list"),
        ("[]", "no computer records"),
    ],
)  # fmt: skip
def test_jamf_errors_name_the_record(tmp_path: Path, body: str, needle: str) -> None:
    path = tmp_path / "jamf.json"
    path.write_text(body)
    with pytest.raises(ImportFileError) as err:
        read_jamf(path)
    assert all(part in err.value.line() for part in (needle, "jamf.json")), err.value.line()
