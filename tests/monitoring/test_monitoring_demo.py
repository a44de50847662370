"""The demo's planted log problems raise alerts; its clean logs raise none."""

from __future__ import annotations

import json
from pathlib import Path

from dataward.cli import main


def _json(capsys, *args: str):  # type: ignore[no-untyped-def]
    capsys.readouterr()
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_the_demo_raises_exactly_the_planted_alerts(demo_ws: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    w = str(demo_ws)
    alerts = _json(capsys, "alerts", "list", "-f", "json", "-w", w)
    got = sorted((a["client"], a["rule"], a["subject"]) for a in alerts)
    manifest = json.loads((demo_ws / "estate" / "manifest.json").read_text())
    planted = {p["id"]: p for p in manifest["planted"] if p["area"] == "monitoring"}
    assert len(planted) == 4
    subjects = {a["subject"] for a in alerts}
    assert len(subjects) == 4  # one person per planted problem, nobody from the clean logs
    assert [r for c, r, s in got if c == "northbank"] == ["bpo_mass_export", "bpo_off_hours_access"]
    assert [r for c, r, s in got if c == "telora"] == [
        "bpo_failed_login_burst", "bpo_unassigned_client_access"
    ]  # fmt: skip
    assert [r for c, r, s in got if c == "carewell"] == ["bpo_access_after_termination"]
    burst = next(a for a in alerts if a["rule"] == "bpo_failed_login_burst")
    assert burst["events"] >= 30  # both the app log and the SSO syslog carry the attempts
    export = next(a for a in alerts if a["rule"] == "bpo_mass_export")
    assert "5000 records" in export["summary"]
    shown = _json(capsys, "alerts", "show", export["ref"], "-w", w)
    assert shown["evidence"][0]["source"] == "app-access"
    assert shown["evidence"][0]["line"] > 0


def test_the_demo_sources_are_declared_and_ingested_cleanly(demo_ws: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    w = str(demo_ws)
    sources = _json(capsys, "logs", "sources", "list", "-f", "json", "-w", w)
    assert [s["name"] for s in sources] == ["app-access", "sso-auth"]
    assert all(s["expected_hours"] == 48 and s["systems"] for s in sources)
    runs = _json(capsys, "logs", "runs", "-f", "json", "-w", w)
    assert {r["status"] for r in runs} == {"done"}
    assert sum(r["malformed"] for r in runs) == 0
    assert all(r["events"] > 100 for r in runs)


def test_new_alerts_are_triage_duties_in_remind(demo_ws: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = _json(capsys, "remind", "-f", "json", "-w", str(demo_ws))
    duties = sorted(r["ref"] for r in rows if r["kind"] == "alert triage")
    alerts = _json(capsys, "alerts", "list", "--state", "new", "-f", "json", "-w", str(demo_ws))
    assert duties == sorted(a["ref"] for a in alerts)
    assert len(duties) == 5
