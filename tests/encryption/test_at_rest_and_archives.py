"""At-rest register and archives: the engine's matching, then real scans judged by the checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataward.encryption.engine.archives import MemberHit, archive_of, open_archives
from dataward.encryption.engine.at_rest import AtRestEntry, state_of
from encryption.shares import customers_csv, write_share
from helpers import assert_one_line_error

AT_REST = "encryption_sensitive_data_at_rest_encrypted"
ARCHIVES = "encryption_no_sensitive_files_in_unencrypted_archives"

ENTRIES = [
    AtRestEntry("/srv/shares", "encrypted"),
    AtRestEntry("/srv/shares/legacy", "unencrypted"),
    AtRestEntry("shares/acme/tmp", "unknown"),
    AtRestEntry("postgresql://db.acme.test:5432/claims", "encrypted"),
    AtRestEntry("s3://acme-exports/raw", "unencrypted"),
    AtRestEntry("C:\\Data\\Exports", "unencrypted"),
]
LOCATIONS = [
    ("/srv/shares/acme/a.csv", "encrypted"),
    ("/srv/shares/legacy/old.csv", "unencrypted"),
    ("/srv/shares/legacy2/x.csv", "encrypted"),  # a sibling folder, not under legacy
    ("/mnt/x/shares/acme/tmp/y.csv", "unknown"),
    ("/home/u/notes.txt", None),
    ("postgresql+psycopg://svc:***@DB.acme.test:5432/claims#public.members", "encrypted"),
    ("postgresql://db.acme.test:5432/claimsdw#public.t", None),
    ("s3://acme-exports/raw/2026/file.csv", "unencrypted"),
    ("c:/data/exports/f.csv", None),  # folder names keep their case on purpose
    ("C:/Data/Exports/f.csv", "unencrypted"),
]


@pytest.mark.parametrize(("location", "state"), LOCATIONS)
def test_the_most_specific_entry_decides(location: str, state: str | None) -> None:
    entry = state_of(location, ENTRIES)
    assert (entry.state if entry else None) == state


def test_equally_specific_entries_that_disagree_count_as_unencrypted() -> None:
    entries = [AtRestEntry("/srv/a", "encrypted"), AtRestEntry("srv/a", "unencrypted")]
    found = state_of("/srv/a/f.csv", entries)
    assert found is not None
    assert found.state == "unencrypted"


@pytest.mark.parametrize(
    ("location", "member", "expected"),
    [
        ("/s/x.zip", "a.csv", ("/s/x.zip", "a.csv")),
        ("/s/x.zip", "in.zip/a.csv", ("/s/x.zip", "in.zip/a.csv")),
        ("/s/m.eml", "att.zip/a.csv", ("/s/m.eml!att.zip", "a.csv")),
        ("/s/m.eml", "note.txt", None),
        ("/s/book.xlsx", "", None),
    ],
)
def test_archives_are_named_by_their_outermost_zip(location, member, expected) -> None:  # type: ignore[no-untyped-def]
    assert archive_of(location, member) == expected


def test_hits_group_per_archive_with_encrypted_members_counted() -> None:
    hits = [
        MemberHit("/s/x.zip", "a.csv", "EMAIL_ADDRESS", "PII", 3),
        MemberHit("/s/x.zip", "a.csv", "CREDIT_CARD", "PCI", 2),
        MemberHit("/s/x.zip", "b.csv", "EMAIL_ADDRESS", "PII", 1),
        MemberHit("/s/plain.csv", "", "EMAIL_ADDRESS", "PII", 9),
    ]
    [found] = open_archives(hits, {"/s/x.zip": 2})
    assert found.archive == "/s/x.zip"
    assert found.values == 6
    assert found.encrypted_members == 2
    assert found.categories == {"PII", "PCI"}
    assert set(found.members) == {"a.csv", "b.csv"}


@pytest.fixture
def scanned_ws(cli, ws_root: Path, tmp_path: Path) -> tuple[str, Path]:  # type: ignore[no-untyped-def]
    """A workspace with client acme whose share was scanned."""
    w = str(ws_root)
    assert cli("clients", "add", "acme", "--name", "Acme", "-w", w).code == 0
    share = write_share(tmp_path / "share")
    done = cli("scan", str(share), "--client", "acme", "-j", "1", "-f", "json", "-w", w)
    assert done.code == 0, done
    return w, share


def _results(cli, w: str, check: str) -> dict[str, dict]:  # type: ignore[no-untyped-def, type-arg]
    out = cli("assess", "--client", "acme", "-f", "json", "-w", w)
    assert out.code in (0, 1), out
    rows = json.loads(out.out)["results"]
    return {r["subject"]: r for r in rows if r["check"] == check}


def test_not_scanned_is_not_applicable(cli, ws_root: Path) -> None:  # type: ignore[no-untyped-def]
    w = str(ws_root)
    assert cli("clients", "add", "acme", "--name", "Acme", "-w", w).code == 0
    for check in (AT_REST, ARCHIVES):
        [only] = _results(cli, w, check).values()
        assert only["status"] == "not_applicable"
        assert "dataward scan" in only["summary"]


def test_unregistered_storage_warns_then_the_register_decides(cli, scanned_ws) -> None:  # type: ignore[no-untyped-def]
    w, share = scanned_ws
    [only] = _results(cli, w, AT_REST).values()
    assert only["status"] == "warning"
    assert "have no at-rest record" in only["summary"]
    base = ("encryption", "locations", "set")
    assert cli(*base, str(share), "--at-rest", "encrypted", "--client", "acme", "-w", w).code == 0
    archive = str(share / "archive") + "/"
    set_bad = cli(
        *base, archive, "--at-rest", "unencrypted", "--client", "acme", "--method", "none", "-w", w
    )
    assert set_bad.code == 0, set_bad
    results = _results(cli, w, AT_REST)
    failing = {s for s, r in results.items() if r["status"] == "fail"}
    assert failing == {str(share / "archive" / "export.zip")}
    assert results["acme"]["status"] == "pass"  # the other locations are encrypted
    listed = json.loads(cli("encryption", "locations", "list", "-f", "json", "-w", w).out)
    assert {(r["path"], r["at_rest"]) for r in listed} == {
        (str(share), "encrypted"),
        (str(share / "archive"), "unencrypted"),  # stored without the trailing slash
    }


def test_archives_with_readable_sensitive_members_fail(cli, scanned_ws) -> None:  # type: ignore[no-untyped-def]
    w, share = scanned_ws
    results = _results(cli, w, ARCHIVES)
    zipped, mailed = str(share / "archive" / "export.zip"), f"{share / 'mail.eml'}!att.zip"
    assert set(results) == {zipped, mailed}  # clean.zip and plain.csv are not archives at fault
    assert all(r["status"] == "fail" for r in results.values())
    assert "PCI, PII" in results[zipped]["summary"]
    assert "1 other member(s) are encrypted" in results[zipped]["summary"]
    assert [e["member"] for e in results[mailed]["evidence"]] == ["customers.csv"]
    text = json.dumps(list(results.values()))  # counts and types only, never a value
    cards = [line.rsplit(",", 1)[1] for line in customers_csv().splitlines()[1:]]
    assert "@example.org" not in text
    assert not any(c in text for c in cards)


def test_location_register_import_and_bad_input(cli, ws_root: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = str(ws_root)
    for slug in ("acme", "zenith"):
        assert cli("clients", "add", slug, "--name", slug, "-w", w).code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("client,path,at_rest\nacme,/srv/a,encrypted\nacme,/srv/b,maybe\n")
    assert_one_line_error(
        cli("encryption", "locations", "import", str(bad), "--client", "acme", "-w", w),
        "bad.csv row 3",
        "'at_rest'",
    )
    assert json.loads(cli("encryption", "locations", "list", "-f", "json", "-w", w).out) == []
    good = tmp_path / "good.csv"
    good.write_text("client,path,at_rest,method\nacme,/srv/a,yes,LUKS\nzenith,/srv/z,no,\n")
    out = cli(
        "encryption", "locations", "import", str(good), "--client", "acme", "-f", "json", "-w", w
    )
    row = json.loads(out.out)[0]
    assert (row["changed"], row["other_clients"]) == (1, "zenith 1")
    again = cli(
        "encryption", "locations", "import", str(good), "--client", "acme", "-f", "json", "-w", w
    )
    assert json.loads(again.out)[0]["unchanged"] == 1
    wrong = cli(
        "encryption", "locations", "set", "/x", "--at-rest", "sort-of", "--client", "acme", "-w", w
    )
    assert_one_line_error(wrong, "no state 'sort-of'")
    assert cli("users", "add", "zed", "--role", "analyst", "--client", "zenith", "-w", w).code == 0
    denied = cli(
        "encryption",
        "locations",
        "set",
        "/x",
        "--at-rest",
        "encrypted",
        "--client",
        "acme",
        "-w",
        w,
        DATAWARD_USER="zed",
    )
    assert denied.code == 2
    seen = cli("encryption", "locations", "list", "-f", "json", "-w", w, DATAWARD_USER="zed")
    assert json.loads(seen.out) == []
    actions = [e["action"] for e in json.loads(cli("audit", "log", "-f", "json", "-w", w).out)]
    assert actions.count("at_rest.add") == 1
    assert actions.count("at_rest.import") == 2
