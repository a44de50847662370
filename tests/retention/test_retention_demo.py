"""The demo finds its planted retention problems and runs a disposal end to end."""

from __future__ import annotations

import json
from pathlib import Path

from dataward.cli import main


def _json(capsys, *args: str):  # type: ignore[no-untyped-def]
    capsys.readouterr()
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_the_demo_disposes_of_the_overdue_extract_with_a_certificate(demo_ws: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    w = str(demo_ws)
    (plan,) = _json(capsys, "retention", "plans", "-f", "json", "-w", w)
    assert (plan["client"], plan["status"], plan["items"]) == ("northbank", "done", 1)
    assert (plan["created_by"], plan["approved_by"]) == ("demo-analyst", "demo-manager")
    (item,) = _json(capsys, "retention", "show", plan["ref"], "-f", "json", "-w", w)
    assert item["path"].endswith("shares/northbank/exports/customer_contact_extract_2025-06.csv")
    assert (item["status"], item["operator"]) == ("disposed", "demo-analyst")
    assert not Path(item["path"]).exists()
    assert (demo_ws / "reports" / f"disposal-{plan['ref']}.pdf").read_bytes().startswith(b"%PDF")
    rows = _json(capsys, "retention", "overdue", "--client", "carewell", "-f", "json", "-w", w)
    copies = [r for r in rows if r["problem"] in ("duplicate extract", "forgotten copy")]
    assert len(copies) == 1
    assert copies[0]["location"].endswith("member_claims_extract_2026-11 (1).csv")
