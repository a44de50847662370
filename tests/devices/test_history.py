"""Posture history: the state on a past date, and since when a rule has failed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from dataward.devices.engine.history import Snapshot, failing_since, state_at
from dataward.devices.engine.policy import Rules
from dataward.devices.engine.rules import Judging
from dataward.devices.engine.types import Device, Posture
from devices.fleet import INTUNE_HEADER, NOW, Cli, intune_row, intune_rows, write_csv
from helpers import assert_one_line_error

CHECK = "devices_disks_encrypted"
PATCH = "devices_os_supported_and_patched"
T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


def _snap(day: int, until: int | None, **posture: object) -> Snapshot:
    device = Device("PC-1", posture=Posture(**posture))  # type: ignore[arg-type]
    end = T0 + timedelta(days=until) if until is not None else None
    return Snapshot(T0 + timedelta(days=day), end, device, "intune")


def _judging(rules: Rules) -> object:
    return lambda _d, day: Judging(rules, "agent", day)


@pytest.mark.parametrize(
    ("snaps", "since"),
    [
        ([_snap(0, None, encrypted=False)], date(2026, 1, 1)),
        ([_snap(0, 5, encrypted=True), _snap(5, None, encrypted=False)], date(2026, 1, 6)),
        ([_snap(0, 5, encrypted=False), _snap(5, None, encrypted=False)], date(2026, 1, 1)),
        ([_snap(0, 3, encrypted=False), _snap(5, None, encrypted=False)], date(2026, 1, 6)),
        ([_snap(0, None, encrypted=True)], None),
        ([_snap(0, None, encrypted=None)], None),
    ],
    ids=["one-state", "started-later", "run-of-two", "gap-breaks-the-run", "passes", "unknown"],
)
def test_failing_since_walks_back_over_contiguous_failures(
    snaps: list[Snapshot], since: date | None
) -> None:
    moment = T0 + timedelta(days=20)
    assert failing_since(snaps, CHECK, _judging(Rules()), moment) == since  # type: ignore[arg-type]


def test_a_time_bound_failure_starts_the_day_the_window_ran_out() -> None:
    rules = Rules(minimum=None, patch_within_days=30)
    snaps = [_snap(0, None, last_patched=date(2025, 12, 20))]
    moment = T0 + timedelta(days=60)
    since = failing_since(snaps, PATCH, _judging(rules), moment)  # type: ignore[arg-type]
    assert since == date(2026, 1, 20)  # patched 2025-12-20, 30 days allowed
    early = T0 + timedelta(days=10)
    assert failing_since(snaps, PATCH, _judging(rules), early) is None  # type: ignore[arg-type]


def test_state_at_finds_the_state_recorded_then() -> None:
    snaps = [_snap(0, 5, encrypted=True), _snap(5, 9, encrypted=False)]
    assert state_at(snaps, T0 + timedelta(days=1)) is snaps[0]
    assert state_at(snaps, T0 + timedelta(days=5)) is snaps[1]
    assert state_at(snaps, T0 + timedelta(days=9)) is None  # dropped by the import on day 9
    assert state_at(snaps, T0 - timedelta(days=1)) is None


def _import_at(root: Path, when: datetime, rows: list[list[str]]) -> dict[str, object]:
    from dataward.core.workspace import open_workspace
    from dataward.devices import service

    ws = open_workspace(root, env={}, clock=lambda: when)
    path = write_csv(root.parent / f"intune-{when:%Y%m%d}.csv", INTUNE_HEADER, rows)
    return service.run_import(ws, "intune", path)


def test_show_proves_the_state_on_a_past_date(cli: Cli, people_ws: Path) -> None:
    w = str(people_ws)
    t1, t2, t3 = (NOW - timedelta(days=d) for d in (30, 10, 2))
    _import_at(people_ws, t1, intune_rows())
    bare = intune_rows()
    bare[0] = intune_row("NB-01", "u1@corp.example", Encrypted="False")
    assert _import_at(people_ws, t2, bare)["changed"] == 1
    again = _import_at(people_ws, t3, bare)
    assert again["changed"] == 0
    assert again["refreshed"] == 6  # the same values read from another file: evidence refreshed
    now = json.loads(cli("devices", "show", "NB-01", "-f", "json", "-w", w).out)
    assert len(now) == 1
    rule = next(r for r in now[0]["rules"] if r["check"] == CHECK)
    assert (rule["status"], rule["failing_since"]) == ("fail", t2.date().isoformat())
    assert now[0]["posture"]["encrypted"] is False
    assert [h["changed"] for h in now[0]["history"]] == [["first recorded"], ["encrypted"]]
    day = (t1 + timedelta(days=1)).date().isoformat()
    then = json.loads(cli("devices", "show", "nb-01", "--on", day, "-f", "json", "-w", w).out)
    assert then[0]["posture"]["encrypted"] is True
    assert next(r for r in then[0]["rules"] if r["check"] == CHECK)["status"] == "pass"
    assert then[0]["recorded_to"].startswith(t2.date().isoformat())
    table = cli("devices", "show", "SN-NB-01", "-w", w)  # by serial number
    assert table.code == 0, table
    assert "Recorded states" in table.out
    before = (t1 - timedelta(days=1)).date().isoformat()
    assert_one_line_error(cli("devices", "show", "NB-01", "--on", before, "-w", w), "on record")
    assert cli("devices", "show", "NB-01", "--on", "someday", "-w", w).code == 2
