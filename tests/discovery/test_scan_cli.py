"""`dataward scan` and `dataward inventory` end to end on real files, SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import assert_one_line_error


def _scan(cli, ws: Path, *args: str):  # type: ignore[no-untyped-def]
    return cli("scan", *args, "--client", "acme", "-j", "1", "-w", str(ws))


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_scan_finds_planted_values_in_every_format(cli, client_ws: Path, planted) -> None:
    result = _scan(cli, client_ws, str(planted.root), "-f", "jsonl")
    assert result.code == 0, result
    rows = _jsonl(result.out)
    found = {(Path(r["location"]).name, r["member"], r["entity_type"]) for r in rows}
    assert ("notes.txt", "", "CREDIT_CARD") in found
    assert ("notes.txt", "", "US_SSN") in found
    assert ("cards.csv", "", "CREDIT_CARD") in found
    assert ("cards.csv", "", "EMAIL_ADDRESS") in found
    assert ("payout.json", "", "IBAN_CODE") in found
    assert ("kyc.xlsx", "", "UK_NINO") in found
    assert ("letter.docx", "", "IN_AADHAAR") in found
    assert ("bundle.zip", "inner/extract.csv", "EMAIL_ADDRESS") in found
    assert ("ivr.log", "", "PHONE_NUMBER") in found
    assert ("patients.tsv", "", "UK_NHS") in found
    assert ("events.jsonl", "", "IN_PAN") in found
    assert ("statement.pdf", "", "PH_TIN") in found
    assert ("contribution.eml", "members.csv", "PH_SSS") in found
    assert ("handover.msg", "app.env", "SECRET") in found
    assert ("payroll.parquet", "", "IBAN_CODE") in found
    card_note = next(r for r in rows if r["entity_type"] == "CREDIT_CARD" and r["line"])
    assert card_note["line"] == 2
    csv_card = next(r for r in rows if r["location"].endswith("cards.csv") and r["row"])
    assert (csv_card["row"], csv_card["column"]) == (1, "card_number")
    assert all(r["fingerprint"].startswith("fp1:") for r in rows)
    assert "1 not readable" in result.err, result.err
    assert "blob.bin" not in result.out  # binary: skipped with the reason, no findings
    doc = json.loads(_scan(cli, client_ws, str(planted.root), "-f", "json", "--full").out)
    assert [(Path(s["location"]).name, s["reason"]) for s in doc["skipped"]] == [
        ("blob.bin", "binary")
    ]


def test_csv_and_table_outputs(cli, client_ws: Path, planted) -> None:
    out = _scan(cli, client_ws, str(planted.root), "-f", "csv")
    assert out.code == 0, out
    rows = list(csv.DictReader(io.StringIO(out.out)))
    assert {"location", "line", "column", "start", "end", "entity_type", "score", "preview",
            "fingerprint"} <= set(rows[0])  # fmt: skip
    table = _scan(cli, client_ws, str(planted.root))
    assert table.code == 0, table
    assert "card_number" in table.out
    assert "CREDIT_CARD in" not in table.out
    assert "100 % of 1 rows" in table.out


def test_no_raw_value_is_stored_logged_or_printed(cli, client_ws: Path, planted) -> None:
    outputs = []
    for fmt in ("jsonl", "csv", "json", "table"):
        res = _scan(cli, client_ws, str(planted.root), "-f", fmt, "--full")
        assert res.code == 0, res
        outputs += [res.out, res.err]
    for fmt in ("table", "csv", "json"):
        res = cli("inventory", "--client", "acme", "-f", fmt, "-w", str(client_ws))
        assert res.code == 0, res
        outputs += [res.out, res.err]
    res = cli("audit", "log", "-f", "json", "-w", str(client_ws))
    outputs += [res.out, res.err]
    from django.db import connections

    connections.close_all()
    blobs = [p.read_bytes() for p in client_ws.rglob("*") if p.is_file()]
    db = client_ws / "dataward.sqlite3"
    if db.exists():
        con = sqlite3.connect(db)
        blobs.append("\n".join(con.iterdump()).encode())
        con.close()
    else:
        blobs.append(_postgres_dump(client_ws).encode())
    for name, value in planted.values.items():
        forms = {value, value.replace(" ", ""), value.replace("-", "")}
        for form in forms:
            assert all(form not in text for text in outputs), name
            assert all(form.encode() not in blob for blob in blobs), name


def _postgres_dump(ws: Path) -> str:
    from dataward.core.workspace import open_workspace
    from dataward.discovery.models import ColumnProfile, Finding, InventoryItem, Location, ScanRun

    open_workspace(ws, env={})
    parts = []
    for model in (Finding, Location, ScanRun, ColumnProfile, InventoryItem):
        for row in model.objects.unscoped("privacy test dumps every row").values():
            parts.append(repr(row))
    return "\n".join(parts)


def test_rescan_skips_unchanged_and_tracks_changes(cli, client_ws: Path, planted) -> None:
    first = _scan(cli, client_ws, str(planted.root))
    assert first.code == 0, first
    again = _scan(cli, client_ws, str(planted.root))
    assert "scanned 0 files" in again.err, again.err
    assert "unchanged" in again.err, again.err
    note = planted.root / "notes.txt"
    stat = note.stat()
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    touched = _scan(cli, client_ws, str(planted.root))
    assert "scanned 0 files" in touched.err, touched.err  # same bytes: hash says unchanged
    before = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
    (planted.root / "cards.csv").write_text("case_id,card_number\nC-1,\n")
    (planted.root / "payout.json").unlink()
    with note.open("a") as fh:
        fh.write(f"Second card on file: {planted.values['card2']}.\n")
    changed = _scan(cli, client_ws, str(planted.root), "-f", "json")
    assert "scanned 2 files" in changed.err, changed.err
    inv = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
    key = ("notes.txt", "CREDIT_CARD")
    old = {(Path(r["location"]).name, r["entity_type"]): r for r in before}[key]
    new = {(Path(r["location"]).name, r["entity_type"]): r for r in inv}[key]
    assert (old["count"], new["count"], new["distinct"]) == (1, 2, 2)
    assert new["first_seen"] == old["first_seen"]  # the same location keeps its history
    names = {Path(r["location"]).name for r in inv}
    assert "payout.json" not in names  # gone from the share, gone from the inventory
    assert not any(
        r["entity_type"] == "CREDIT_CARD" and r["location"].endswith("cards.csv") for r in inv
    )


def test_interrupted_scan_resumes(cli, client_ws: Path, planted, monkeypatch) -> None:
    from dataward.discovery import scan, store

    monkeypatch.setattr(scan, "BATCH_FILES", 2)  # files 1-2 commit; file 3 fails mid-batch
    real_save = store.save
    calls = {"n": 0}

    def flaky_save(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_save(*args, **kwargs)

    monkeypatch.setattr(store, "save", flaky_save)
    stopped = _scan(cli, client_ws, str(planted.root))
    assert_one_line_error(stopped, "interrupted after 2 files", "rerun")
    monkeypatch.setattr(store, "save", real_save)
    resumed = _scan(cli, client_ws, str(planted.root))
    assert resumed.code == 0, resumed
    assert "2 unchanged" in resumed.err, resumed.err


def test_inventory_formats(cli, client_ws: Path, planted, tmp_path: Path) -> None:
    restricted = planted.root.parent / "restricted"
    planted.root.rename(restricted)
    assert _scan(cli, client_ws, str(restricted)).code == 0
    rows = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
    cards = [r for r in rows if r["entity_type"] == "CREDIT_CARD"]
    assert sorted(Path(r["location"]).name for r in cards) == ["cards.csv", "notes.txt"]
    assert {(r["category"], r["count"], r["distinct"]) for r in cards} == {("PCI", 1, 1)}
    assert {r["approved"] for r in rows} == {"no"}  # share/restricted, not restricted alone
    target = tmp_path / "inv.xlsx"
    done = cli("inventory", "-f", "xlsx", "-o", str(target), "-w", str(client_ws))
    assert done.code == 0, done
    from openpyxl import load_workbook

    sheet = load_workbook(target, read_only=True).active
    header = next(sheet.iter_rows(values_only=True))
    assert header[:3] == ("client", "location", "kind")
    assert_one_line_error(cli("inventory", "-f", "xlsx", "-w", str(client_ws)), "--output")


def test_scan_a_database(cli, client_ws: Path, tmp_path: Path) -> None:
    db = tmp_path / "crm.sqlite3"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE customers (id INTEGER, full_name TEXT, email TEXT)")
    con.executemany(
        "INSERT INTO customers VALUES (?, ?, ?)",
        [(i, f"Person {i}", f"user{i}@example.net") for i in range(50)],
    )
    con.commit()
    con.close()
    result = _scan(cli, client_ws, f"sqlite:///{db}", "-f", "jsonl", "--sample-rows", "20")
    assert result.code == 0, result
    rows = _jsonl(result.out)
    emails = [r for r in rows if r["entity_type"] == "EMAIL_ADDRESS"]
    assert len(emails) == 20
    assert {r["column"] for r in emails} == {"email"}
    assert emails[0]["location"].endswith("#customers")


def test_scan_errors_are_one_line(cli, client_ws: Path, tmp_path: Path) -> None:
    assert_one_line_error(_scan(cli, client_ws, str(tmp_path / "missing")), "missing")
    assert_one_line_error(_scan(cli, client_ws, str(tmp_path), "-f", "xml"), "--format")
    assert_one_line_error(_scan(cli, client_ws, str(tmp_path), "--entity", "NOPE"), "--entity")
    res = cli("scan", str(tmp_path), "--client", "nosuch", "-w", str(client_ws))
    assert_one_line_error(res, "nosuch")
    bad_db = _scan(cli, client_ws, "postgresql://u:hunter2secret@127.0.0.1:1/x")
    assert bad_db.code == 2, bad_db
    assert "hunter2secret" not in bad_db.err


def test_a_client_viewer_may_not_scan(cli, client_ws: Path, planted) -> None:
    added = cli(
        "users", "add", "viewer", "--role", "client-viewer", "--client", "acme",
        "--password-stdin", "-w", str(client_ws), stdin="a long enough passphrase\n",
    )  # fmt: skip
    assert added.code == 0, added
    res = cli("scan", str(planted.root), "--client", "acme", "--as", "viewer", "-w", str(client_ws))
    assert_one_line_error(res, "may not scan")


def test_a_terminal_table_keeps_the_largest_rows(
    cli, client_ws: Path, planted, monkeypatch
) -> None:
    from dataward.discovery import cli as discovery_cli

    monkeypatch.setattr(discovery_cli, "TABLE_ROWS", 3)
    res = _scan(cli, client_ws, str(planted.root))
    assert res.code == 0, res
    total = len(_jsonl(_scan(cli, client_ws, str(planted.root), "-f", "jsonl").out))
    assert total > 3
    assert "Found: showing 3 of 17 rows" in res.err, res.err
    assert "contribution.eml" in res.out  # two e-mail addresses: among the largest rows


def test_a_second_scan_of_the_same_client_is_refused(
    cli, client_ws: Path, planted, database_url: str
) -> None:
    import fcntl

    from dataward.core.models import Client
    from dataward.core.workspace import open_workspace
    from dataward.discovery.scan import ADVISORY_BASE

    open_workspace(client_ws, env={})
    client = Client.objects.get(slug="acme")
    with open(client_ws / f".scan-{client.pk}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running scan holds it
        busy = _scan(cli, client_ws, str(planted.root))
    assert_one_line_error(busy, "another scan for client acme is running")
    if database_url:  # a scan from another machine holds the advisory lock
        import psycopg

        with psycopg.connect(database_url) as other:
            assert other.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_BASE + client.pk])
            remote = _scan(cli, client_ws, str(planted.root))
        assert_one_line_error(remote, "another scan for client acme is running")
    assert _scan(cli, client_ws, str(planted.root)).code == 0  # and once it is gone, scans run


def test_a_file_name_that_is_not_utf8_is_scanned_and_recognised(
    cli, client_ws: Path, planted
) -> None:
    name = os.path.join(os.fsencode(planted.root), b"r\xe9sum\xe9_notes.txt")
    with open(name, "wb") as fh:
        fh.write(f"Member SSN {planted.values['ssn']} on file.\n".encode())
    first = _scan(cli, client_ws, str(planted.root), "-f", "jsonl")
    assert first.code == 0, first
    assert any(r["location"].endswith("/r\\xe9sum\\xe9_notes.txt") for r in _jsonl(first.out))
    again = _scan(cli, client_ws, str(planted.root))
    assert "scanned 0 files" in again.err, again.err


def test_deep_long_paths_are_stored_whole(cli, client_ws: Path, planted) -> None:
    deep = planted.root.joinpath(*[f"{'level' * 40}{i}" for i in range(6)])
    deep.mkdir(parents=True)
    (deep / "ids.txt").write_text(f"Member SSN {planted.values['ssn']} on file.\n")
    rows = _jsonl(_scan(cli, client_ws, str(planted.root), "-f", "jsonl").out)
    long = [r["location"] for r in rows if r["location"].endswith("/ids.txt")]
    assert long == [str(deep / "ids.txt")]
    assert len(long[0]) > 1200


def test_overlapping_scans_keep_one_record_per_file(cli, client_ws: Path, planted) -> None:
    sub = planted.root / "team"
    sub.mkdir()
    (sub / "ids.txt").write_text(f"Member SSN {planted.values['ssn']} on file.\n")
    (sub / "more.txt").write_text(f"Card {planted.values['card']} on file.\n")

    def inventory() -> list[str]:
        rows = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
        return sorted(r["location"] for r in rows if "/team/" in r["location"])

    assert _scan(cli, client_ws, str(planted.root)).code == 0
    whole = inventory()
    assert whole == [str(sub / "ids.txt"), str(sub / "more.txt")]
    again = _scan(cli, client_ws, str(sub))  # the subfolder: the same records, unchanged
    assert "2 unchanged" in again.err, again.err
    one = _scan(cli, client_ws, str(sub / "ids.txt"))  # one file: siblings are not gone
    assert "1 unchanged" in one.err, one.err
    assert inventory() == whole
    (sub / "more.txt").unlink()
    assert _scan(cli, client_ws, str(sub)).code == 0  # a folder scan notices what went
    assert inventory() == [str(sub / "ids.txt")]
    names = {Path(r["location"]).name for r in json.loads(
        cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out
    )}  # fmt: skip
    assert "notes.txt" in names  # files outside the subfolder stay present


def test_a_subfolder_scanned_first_is_not_scanned_twice(cli, client_ws: Path, planted) -> None:
    sub = planted.root / "team"
    sub.mkdir()
    (sub / "ids.txt").write_text(f"Member SSN {planted.values['ssn']} on file.\n")
    assert _scan(cli, client_ws, str(sub)).code == 0
    whole = _scan(cli, client_ws, str(planted.root), "-f", "jsonl")
    assert "1 unchanged" in whole.err, whole.err
    rows = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
    assert [r["location"] for r in rows].count(str(sub / "ids.txt")) == 1


def test_inventory_by_folder_root_and_column(cli, client_ws: Path, planted) -> None:
    sub = planted.root / "team"
    sub.mkdir()
    (sub / "ids.txt").write_text(f"Member SSN {planted.values['ssn']} on file.\n")
    assert _scan(cli, client_ws, str(planted.root)).code == 0

    def view(by: str) -> list[dict]:
        res = cli("inventory", "-c", "acme", "--by", by, "-f", "json", "-w", str(client_ws))
        assert res.code == 0, res
        return json.loads(res.out)

    ssn = {r["folder"]: r for r in view("folder") if r["entity_type"] == "US_SSN"}
    assert set(ssn) == {str(planted.root), str(sub)}
    assert (ssn[str(sub)]["locations"], ssn[str(sub)]["count"]) == (1, 1)
    assert ssn[str(sub)]["unapproved_locations"] == 1
    roots = {(r["root"], r["entity_type"]): r for r in view("root")}
    assert roots[(str(planted.root), "US_SSN")]["locations"] == 2
    assert roots[(str(planted.root), "EMAIL_ADDRESS")]["count"] == 6  # csv, zip, eml 2, msg 2
    columns = {(Path(r["location"]).name, r["column"]): r for r in view("column")}
    assert columns[("cards.csv", "card_number")]["share"] == "100 % of 1 rows"
    assert columns[("members.csv", "sss_number")]["entity_type"] == "PH_SSS"
    assert_one_line_error(cli("inventory", "--by", "planet", "-w", str(client_ws)), "--by")


def test_a_scan_for_some_types_keeps_the_others(cli, client_ws: Path, planted) -> None:
    assert _scan(cli, client_ws, str(planted.root)).code == 0
    note = planted.root / "notes.txt"
    with note.open("a") as fh:
        fh.write(f"Callback to {planted.values['email']} after 5pm.\n")

    def types() -> set[str]:
        rows = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
        return {r["entity_type"] for r in rows if r["location"] == str(note)}

    assert types() == {"CREDIT_CARD", "US_SSN"}
    only = _scan(cli, client_ws, str(planted.root), "--entity", "EMAIL_ADDRESS", "-f", "jsonl")
    assert {r["entity_type"] for r in _jsonl(only.out) if r["location"] == str(note)} == {
        "CREDIT_CARD", "US_SSN", "EMAIL_ADDRESS"
    }  # fmt: skip
    assert types() == {"CREDIT_CARD", "US_SSN", "EMAIL_ADDRESS"}
    full = _scan(cli, client_ws, str(planted.root))  # the partial scan left the file "changed"
    assert "scanned 1 files" in full.err, full.err
    assert types() == {"CREDIT_CARD", "US_SSN", "EMAIL_ADDRESS"}


def test_what_the_walk_cannot_read_is_recorded_with_its_reason(
    cli, client_ws: Path, planted, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(f"SSN {planted.values['ssn']}\n")
    (planted.root / "link-out.txt").symlink_to(outside)
    os.mkfifo(planted.root / "queue.fifo")
    result = _scan(cli, client_ws, str(planted.root), "-f", "json")
    assert result.code == 0, result
    skipped = {
        Path(r["location"]).name: r["reason"]
        for r in json.loads(result.out)["skipped"]
        if not r["member"]
    }
    assert skipped["link-out.txt"] == "symlink points outside the scanned folder"
    assert skipped["queue.fifo"] == "not a regular file"
    # A file read before and unreadable now keeps what was found in it, and says why.
    before = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
    had = {r["entity_type"] for r in before if r["location"].endswith("/notes.txt")}
    assert "CREDIT_CARD" in had
    note = planted.root / "notes.txt"
    kept = note.read_text()
    note.unlink()
    note.symlink_to(outside)
    again = _scan(cli, client_ws, str(planted.root), "-f", "json")
    assert again.code == 0, again
    skipped = {Path(r["location"]).name: r["reason"] for r in json.loads(again.out)["skipped"]}
    assert skipped["notes.txt"] == "symlink points outside the scanned folder"
    inv = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
    assert {r["entity_type"] for r in inv if r["location"].endswith("/notes.txt")} == had
    # Readable again with the same bytes: read in full (not taken as unchanged), skip cleared.
    note.unlink()
    note.write_text(kept)
    third = _scan(cli, client_ws, str(planted.root), "-f", "json")
    assert third.code == 0, third
    names = {Path(r["location"]).name for r in json.loads(third.out)["skipped"]}
    assert "notes.txt" not in names
    assert "link-out.txt" in names
    inv = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
    assert {r["entity_type"] for r in inv if r["location"].endswith("/notes.txt")} == had


def _scan_without_root_reads(ws: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    """Run a real `dataward scan` that file modes bind: as root, without DAC override caps."""
    cmd = [str(Path(sys.executable).parent / "dataward"), "-w", str(ws), "scan", str(folder)]
    cmd += ["--client", "acme", "-j", "1", "-f", "json"]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: chmod cannot deny reads")
        cmd = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *cmd]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)


def test_a_folder_that_becomes_unreadable_keeps_its_files_findings(
    cli, client_ws: Path, planted
) -> None:
    locked = planted.root / "restricted"
    locked.mkdir(exist_ok=True)
    (locked / "cards-copy.csv").write_text((planted.root / "cards.csv").read_text())
    (locked / "unread.txt").write_text("nothing here\n")
    assert _scan(cli, client_ws, str(planted.root)).code == 0
    (locked / "unread.txt").chmod(0)
    locked.chmod(0)
    try:
        result = _scan_without_root_reads(client_ws, planted.root)
    finally:
        locked.chmod(0o755)
        (locked / "unread.txt").chmod(0o644)
    assert result.returncode == 0, result.stderr
    skipped = {Path(r["location"]).name: r["reason"] for r in json.loads(result.stdout)["skipped"]}
    assert skipped["restricted"] == "permission denied (folder not readable)"
    assert "unread.txt" not in skipped  # inside the locked folder: the walk never saw it
    inv = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
    assert any(r["location"].endswith("restricted/cards-copy.csv") for r in inv)
    # Unlocked, with one file in it still unreadable: the folder's skip is over, the file's named.
    locked.chmod(0o755)
    (locked / "unread.txt").chmod(0)
    try:
        result = _scan_without_root_reads(client_ws, planted.root)
    finally:
        (locked / "unread.txt").chmod(0o644)
    assert result.returncode == 0, result.stderr
    skipped = {Path(r["location"]).name: r["reason"] for r in json.loads(result.stdout)["skipped"]}
    assert skipped["unread.txt"] == "permission denied (file not readable)"
    assert "restricted" not in skipped
    inv = json.loads(cli("inventory", "-c", "acme", "-f", "json", "-w", str(client_ws)).out)
    assert any(r["location"].endswith("restricted/cards-copy.csv") for r in inv)
