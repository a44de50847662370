"""Regressions found in the second reading of the devices package (issue 7 review)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from dataward.devices.engine import values as v
from dataward.devices.engine.connectors.jamf import read_jamf
from dataward.devices.engine.connectors.osquery import read_osquery
from dataward.devices.engine.connectors.osquery_rows import posture
from dataward.devices.engine.policy import Rules, from_dict
from dataward.devices.engine.queries import catalogue
from dataward.devices.engine.rules import Judging, judge
from dataward.devices.engine.types import Device, Posture
from dataward.errors import ImportFileError
from devices.fleet import (
    INTUNE_HEADER,
    POLICY,
    Cli,
    intune_row,
    intune_rows,
    jamf_records,
    write_csv,
)
from helpers import assert_one_line_error

TODAY = date(2026, 11, 28)
HUGE = "9" * 30


def test_check_in_within_days_off_turns_staleness_off() -> None:
    # "off" used to reach the rules as the string "off": every check raised TypeError.
    policy = from_dict({"default": {"check_in_within_days": "off"}}, "p.yaml")
    rules = policy.rules(None, "")
    assert rules.check_in_within_days is None
    old = Device(
        "PC-1", last_seen=datetime(2025, 1, 1, tzinfo=UTC), posture=Posture(encrypted=True)
    )
    assert judge("devices_disks_encrypted", old, Judging(rules, "agent", TODAY)).status == "pass"


def test_check_in_within_days_off_from_the_command_line(
    cli: Cli, fleet_ws: Path, tmp_path: Path
) -> None:
    w = str(fleet_ws)
    off = tmp_path / "off.yaml"
    off.write_text(POLICY.replace("check_in_within_days: 14", "check_in_within_days: off"))
    assert cli("devices", "policy", "load", str(off), "-w", w).code == 0
    listed = cli("devices", "list", "-f", "json", "-w", w)
    assert listed.code == 0, listed
    result = cli("assess", "-f", "json", "-w", w)
    assert result.code in (0, 1), result
    statuses = {r["status"] for r in json.loads(result.out)["results"] if "devices_" in r["check"]}
    assert "error" not in statuses
    assert cli("remind", "-w", w).code in (0, 1)


@pytest.mark.parametrize(
    "reader",
    [v.parse_day, v.parse_moment, v.minutes],
)
@pytest.mark.parametrize("text", [HUGE, "9" * 400, "1/1/" + HUGE])
def test_huge_numbers_are_value_errors_not_crashes(reader: Any, text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the connectors turn it into a row error
        reader(text)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Last check-in", "'last_seen'"),
        ("Last quality update", "'last_patched'"),
        ("Max minutes of inactivity until screen locks", "'screen_lock_minutes'"),
    ],
)
def test_a_huge_number_in_a_cell_is_a_row_error(
    cli: Cli, people_ws: Path, header: str, field: str
) -> None:
    rows = intune_rows()
    rows[1] = intune_row("NB-02", "u2@corp.example", **{header: HUGE})
    bad = write_csv(people_ws.parent / "huge.csv", INTUNE_HEADER, rows)
    result = cli("devices", "import", "intune", str(bad), "-w", str(people_ws))
    assert_one_line_error(result, "huge.csv row 3", field)
    assert HUGE not in result.err


WIN = {"os_family": "windows", "os_id": "windows", "os_name": "Windows", "last_patched": TODAY}
OS_RULES = Rules(minimum={"windows": "10.0.22631", "macos": "14.7"}, patch_within_days=30)


@pytest.mark.parametrize(
    ("version", "status"),
    [
        ("10.0.22631.4460", "pass"),
        ("10.0.19045.5131", "fail"),
        ("unknown", "unknown"),  # used to fail as "older than the oldest supported"
        ("22H2", "unknown"),  # used to pass: read as 22.2 >= 10.0.22631
        ("24H2", "unknown"),
        ("N/A build", "unknown"),
    ],
)
def test_an_os_version_that_is_not_a_number_is_unknown(version: str, status: str) -> None:
    device = Device("PC-1", posture=Posture(**WIN, os_version=version))
    verdict = judge("devices_os_supported_and_patched", device, Judging(OS_RULES, "agent", TODAY))
    assert verdict.status == status, verdict.reason


def test_a_macos_version_with_its_build_still_compares() -> None:
    mac = Posture(
        os_family="macos", os_id="macos", os_version="14.7.1 (23H222)", last_patched=TODAY
    )
    verdict = judge("devices_os_supported_and_patched", Device("M", posture=mac),
                    Judging(OS_RULES, "agent", TODAY))  # fmt: skip
    assert verdict.status == "pass", verdict.reason


AGENT_RULES = Rules(agent_names=("Microsoft Defender*",), signatures_within_days=7)


@pytest.mark.parametrize(
    ("updated", "current", "status", "onset"),
    [
        (date(2026, 11, 27), False, "fail", None),  # used to pass: the date alone was read
        (date(2026, 11, 27), True, "pass", None),
        (date(2026, 11, 1), False, "fail", date(2026, 11, 9)),  # still a time-bound failure
        (None, False, "fail", None),
    ],
)
def test_signatures_reported_out_of_date_fail_whatever_the_date(
    updated: date | None, current: bool, status: str, onset: date | None
) -> None:
    p = Posture(agents_running=("Microsoft Defender",), signatures_updated=updated,
                signatures_current=current)  # fmt: skip
    verdict = judge("devices_security_agent_healthy", Device("PC-1", posture=p),
                    Judging(AGENT_RULES, "agent", TODAY))  # fmt: skip
    assert (verdict.status, verdict.onset) == (status, onset), verdict.reason


def test_no_list_of_local_admins_is_unknown_even_when_the_user_is_not_one() -> None:
    rules = Rules(agent_roles=("agent",), allowed_admins=("Administrator",))
    p = Posture(user_is_admin=False)  # the source says nothing of other accounts
    verdict = judge("devices_no_local_admin_for_agents", Device("PC-1", posture=p),
                    Judging(rules, "agent", TODAY))  # fmt: skip
    assert verdict.status == "unknown", verdict.reason


def _jamf(tmp_path: Path, remote: str) -> Path:
    record = jamf_records()[0]
    record["extension_attributes"].append({"name": "Work location", "value": remote})
    path = tmp_path / "jamf.json"
    path.write_text(json.dumps([record]))
    return path


@pytest.mark.parametrize(
    ("word", "remote"),
    [("Remote", True), ("WFH", True), ("Work from home", True), ("Office", False), ("No", False)],
)
def test_jamf_work_location_words(tmp_path: Path, word: str, remote: bool) -> None:
    assert read_jamf(_jamf(tmp_path, word)).devices[0].remote is remote


def test_jamf_work_location_not_understood_is_an_error_not_on_site(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as err:  # used to read as "on site"
        read_jamf(_jamf(tmp_path, "Hybrid-7"))
    line = err.value.line()
    assert "record 1" in line
    assert "remote" in line
    assert "Hybrid" not in line


@pytest.mark.parametrize("when", ['"yesterday"', "1e400", str(10**30)])
def test_osquery_log_with_a_bad_unix_time_names_the_line(tmp_path: Path, when: str) -> None:
    line = ('{"name": "pack_dataward_firewall_linux", "hostIdentifier": "h1", '
            f'"unixTime": {when}, "snapshot": [{{"policy": "DROP", "target": ""}}]}}')  # fmt: skip
    path = tmp_path / "osqueryd.results.log"
    path.write_text(line + "\n")
    with pytest.raises(ImportFileError) as err:
        read_osquery(path)
    assert "line 1" in err.value.line()
    assert "unixTime" in err.value.line()


def test_osquery_rows_out_of_range_stay_unknown() -> None:
    rows = {
        "os_version": [{"name": "Ubuntu", "version": "", "platform": "ubuntu"}],
        "last_patch": [{"install_time": HUGE}, {"install_time": "1e400"}],
        "signatures": [{"updated": HUGE}],
        "screen_lock": [{"enabled": "1", "idle_seconds": "1e400"}],
    }
    found, _ = posture(rows, catalogue())
    assert (found.os_version, found.last_patched, found.signatures_updated) == (None, None, None)
    assert found.screen_lock is True


def test_a_duty_of_a_person_on_two_clients_reaches_a_user_scoped_to_either(
    cli: Cli, fleet_ws: Path
) -> None:
    from dataward.core.workspace import open_workspace
    from dataward.devices.service import obligations
    from devices.fleet import NOW

    w = str(fleet_ws)
    for user, client in (("nora", "northbank"), ("cara", "carewell")):
        added = cli("users", "add", user, "--role", "analyst", "--client", client, "-w", w)
        assert added.code == 0, added
    for user, client in (("nora", "northbank"), ("cara", "carewell")):
        duties = obligations(open_workspace(fleet_ws, env={}, actor=user), NOW.date())
        # TL-01's person leads on both clients: it used to go only under carewell (sorted first)
        tl = [o for o in duties if o.ref == "TL-01"]
        assert [o.client for o in tl] == [client]
        assert {o.client for o in duties} == {client}
