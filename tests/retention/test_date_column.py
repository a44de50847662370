"""Date-column retention: rows past the limit by their own date, in spreadsheets and tables."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from dataward.retention.engine.rows import count_file, parse_day
from helpers import assert_one_line_error

CLIENT = {"slug": "acme", "name": "Acme", "data_categories": ["PII"],
          "retention_rules": [{"category": "PII", "days": 3650}]}  # fmt: skip
NAMES = ["Maria Santos", "John Carter", "Priya Nair", "Kwame Mensah", "Li Wei", "Ana Reyes"]


def _json(result: Any) -> Any:
    assert result.code == 0, result
    return json.loads(result.out)


def _exits(today: date) -> list[tuple[str, str, str]]:
    """Return staff rows: two left over seven years ago, one undated, the rest recent."""
    old = [today - timedelta(days=365 * 8), today - timedelta(days=365 * 9)]
    rows = [(NAMES[0], f"{NAMES[0].split()[0].lower()}@mail.example", old[0].isoformat()),
            (NAMES[1], "jc@mail.example", old[1].strftime("%d/%m/%Y")),
            (NAMES[2], "pn@mail.example", "")]  # fmt: skip
    rows += [(n, f"p{i}@mail.example", (today - timedelta(days=30 * i)).isoformat())
             for i, n in enumerate(NAMES[3:], start=1)]  # fmt: skip
    return rows


def test_parse_day_reads_iso_and_local_forms() -> None:
    assert parse_day("2019-03-04") == date(2019, 3, 4)
    assert parse_day("2019-03-04T10:00:00Z") == date(2019, 3, 4)
    assert parse_day("04/03/2019") == date(2019, 3, 4)
    assert parse_day("04/03/2019", day_first=False) == date(2019, 4, 3)
    assert parse_day("soon") is None


def test_count_file_counts_expired_and_undated(tmp_path: Path) -> None:
    today = date.today()
    path = tmp_path / "hr.csv"
    path.write_text(
        "name,email,exit_date\n" + "".join(f"{a},{b},{c}\n" for a, b, c in _exits(today))
    )
    got = count_file(path, "exit_date", today - timedelta(days=2555))
    assert (got.total, got.expired, got.undated) == (6, 2, 1)
    assert got.oldest == today - timedelta(days=365 * 9)


@pytest.fixture
def w(ws_root: Path, cli, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    (tmp_path / "c.json").write_text(json.dumps([CLIENT]))
    assert cli("clients", "import", str(tmp_path / "c.json"), "-w", str(ws_root)).code == 0
    return str(ws_root)


def test_measure_spreadsheets_and_tables(cli, w: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    share = tmp_path / "share" / "hr"
    share.mkdir(parents=True)
    (share / "leavers.csv").write_text(
        "name,email,exit_date\n" + "".join(f"{a},{b},{c}\n" for a, b, c in _exits(today))
    )
    db = tmp_path / "hr.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("create table staff (name text, email text, exit_date date)")
        conn.executemany(
            "insert into staff values (?, ?, ?)",
            [(a, b, c or None) for a, b, c in _exits(today) if "/" not in c],
        )
    url = f"sqlite:///{db}"
    assert cli("scan", str(tmp_path / "share"), "--client", "acme", "-w", w).code == 0
    assert cli("scan", url, "--client", "acme", "--sample-rows", "0", "-w", w).code == 0
    policy = tmp_path / "policy.yaml"
    policy.write_text("policies:\n  - {client: acme, category: PII, keep_days: 2555,"
                      " date_column: exit_date, note: seven years after exit}\n")  # fmt: skip
    assert cli("retention", "policy", "load", str(policy), "-w", w).code == 0
    rows = _json(cli("retention", "measure", "--client", "acme", "--connect", url,
                     "-f", "json", "-w", w))  # fmt: skip
    by = {Path(r["location"].split("#")[-1]).name: r for r in rows}
    assert (by["leavers.csv"]["expired"], by["leavers.csv"]["undated"]) == (2, 1)
    table = next(r for r in rows if "#" in r["location"])
    assert (table["rows"], table["expired"], table["undated"]) == (5, 1, 1)
    over = _json(cli("retention", "overdue", "--client", "acme", "-f", "json", "-w", w))
    rows_past = [r for r in over if r["problem"] == "rows past retention"]
    assert sorted(r["records"] for r in rows_past) == [1, 2]
    results = _json(cli("assess", "--client", "acme", "-f", "json", "-w", w))["results"]
    failing = [
        r
        for r in results
        if r["check"] == "retention_files_within_retention_period" and r["status"] == "fail"
    ]
    assert len(failing) == 2
    assert all("exit_date" in r["summary"] for r in failing)
    assert_one_line_error(
        cli("retention", "plan", "--client", "acme", "-w", w), "nothing of acme"
    )  # rows are disposed of in the source system, never by deleting the whole file
    again = _json(cli("retention", "measure", "--client", "acme", "-f", "json", "-w", w))
    table = next(r for r in again if "#" in r["location"])
    assert table["problem"].startswith("table: give its database with --connect")
