"""`dataward access` end to end on the demo estate's real exports, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from helpers import assert_one_line_error


@pytest.fixture
def access_ws(ws_root: Path, cli, estate: Path) -> Path:  # type: ignore[no-untyped-def]
    """A workspace with the estate's clients, roster, directory, matrices and entitlements."""
    w = str(ws_root)
    assert cli("clients", "import", str(estate / "clients.json"), "-w", w).code == 0
    assert cli("access", "import", "hr", str(estate / "hr/hr_roster.csv"), "-w", w).code == 0
    directory = str(estate / "directory/directory_users.csv")
    assert cli("access", "import", "directory", directory, "-w", w).code == 0
    for slug in ("northbank", "carewell", "telora"):
        matrix = str(estate / f"access/{slug}_role_matrix.yaml")
        assert cli("access", "matrix", matrix, "--client", slug, "-w", w).code == 0
        for export in sorted((estate / "entitlements").glob(f"{slug}_*.csv")):
            result = cli("access", "import", "entitlements", str(export), "--client", slug, "-w", w)
            assert result.code == 0, result
    return ws_root


def _json(result) -> list[dict]:  # type: ignore[no-untyped-def]
    assert result.code == 0, result
    return json.loads(result.out)


def test_imports_are_idempotent(cli, access_ws: Path, estate: Path) -> None:
    w = str(access_ws)
    roster = str(estate / "hr/hr_roster.csv")
    again = _json(cli("access", "import", "hr", roster, "-f", "json", "-w", w))
    assert again == [
        {
            "client": "operation",
            "kind": "hr",
            "source": "hr",
            "rows": 60,
            "replaced": 60,
            "unchanged": True,
        }
    ]
    people = _json(cli("access", "people", "-f", "json", "-w", w))
    assert len(people) == 60
    northbank = _json(cli("access", "people", "--client", "northbank", "-f", "json", "-w", w))
    assert 0 < len(northbank) < 60
    assert all("northbank" in p["clients"] for p in northbank)


def test_violations_name_exactly_the_planted_problems(cli, access_ws: Path) -> None:
    rows = _json(cli("access", "violations", "-f", "json", "-w", str(access_ws)))
    failed = {(r["client"], r["check"], r["subject"]) for r in rows if r["status"] == "fail"}
    assert failed == {
        ("operation", "access_privileged_accounts_have_mfa", "dsavant"),
        ("carewell", "access_leavers_have_no_active_accounts", "jsalazar"),
        ("carewell", "access_no_shared_accounts", "carewell.shared01"),
        ("telora", "access_client_system_accounts_have_mfa", "dsavant"),
        ("telora", "access_agents_limited_to_assigned_clients", "kdugar"),
        ("telora", "access_movers_lose_old_access", "mvarty"),
        ("northbank", "access_no_sod_conflicts", "adomingo"),
        ("northbank", "access_within_role", "adomingo"),
        ("northbank", "access_no_orphan_accounts", "jmorales.ext"),
        ("northbank", "access_reviews_current", "northbank"),
        ("carewell", "access_reviews_current", "carewell"),
        ("telora", "access_reviews_current", "telora"),
    }
    one = _json(
        cli(
            "access",
            "violations",
            "--client",
            "telora",
            "--rule",
            "access_agents_limited_to_assigned_clients",
            "-f",
            "json",
            "-w",
            str(access_ws),
        )
    )
    assert [r["subject"] for r in one] == ["kdugar"]
    assert "kdugar (E" in one[0]["summary"]


def test_assess_stores_access_results(cli, access_ws: Path) -> None:
    result = cli("assess", "--client", "telora", "-f", "json", "-w", str(access_ws))
    assert result.code in (0, 1), result
    doc = json.loads(result.out)
    rows = doc if isinstance(doc, list) else doc.get("results", doc)
    text = json.dumps(rows)
    assert "access_agents_limited_to_assigned_clients" in text
    assert "kdugar" in text


def test_bad_roster_changes_nothing_and_names_row_and_field(
    cli, access_ws: Path, tmp_path: Path, estate: Path
) -> None:
    lines = (estate / "hr/hr_roster.csv").read_text().splitlines()
    cells = lines[3].split(",")
    cells[4] = "31/02/2026"
    lines[3] = ",".join(cells)
    bad = tmp_path / "roster.csv"
    bad.write_text("\n".join(lines[:5]) + "\n")
    result = cli("access", "import", "hr", str(bad), "-w", str(access_ws))
    assert_one_line_error(result, str(bad), "row 4", "'start_date'", "YYYY-MM-DD")
    assert len(_json(cli("access", "people", "-f", "json", "-w", str(access_ws)))) == 60


def test_directory_and_entitlement_errors(cli, access_ws: Path, tmp_path: Path) -> None:
    w = str(access_ws)
    bad = tmp_path / "users.csv"
    bad.write_text("username,enabled\nalice,true\nbob,perhaps\n")
    assert_one_line_error(
        cli("access", "import", "directory", str(bad), "-w", w), "row 3", "'enabled'"
    )
    ents = tmp_path / "crm.csv"
    ents.write_text("user,role\nalice,view\n")
    no_client = cli("access", "import", "entitlements", str(ents), "-w", w)
    assert_one_line_error(no_client, "--client")
    nope = tmp_path / "nope.csv"
    nope.write_text("login,entitlement,granted\nalice,view,yesterday\n")
    assert_one_line_error(
        cli("access", "import", "entitlements", str(nope), "--client", "telora", "-w", w),
        "row 2",
        "'granted_date'",
    )
    assert_one_line_error(
        cli("access", "import", "hr", str(ents), "--client", "telora", "-w", w), "--client"
    )
    assert_one_line_error(cli("access", "import", "pigeons", str(ents), "-w", w), "KIND")


def test_mapped_columns(cli, access_ws: Path, tmp_path: Path) -> None:
    ents = tmp_path / "legacy_crm.csv"
    ents.write_text("Login Name,Access Right\nkdugar,view\n")
    result = cli(
        "access",
        "import",
        "entitlements",
        str(ents),
        "--client",
        "telora",
        "--map",
        "account=Login Name",
        "--map",
        "permission=Access Right",
        "-f",
        "json",
        "-w",
        str(access_ws),
    )
    assert _json(result)[0]["source"] == "legacy_crm"
    rows = _json(
        cli("access", "violations", "--client", "telora", "-f", "json", "-w", str(access_ws))
    )
    assert ("access_agents_limited_to_assigned_clients", "kdugar") in {
        (r["check"], r["subject"]) for r in rows
    }


def _revoke_flow(cli, w: str, estate: Path, tmp_path: Path) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    started = cli(
        "access", "review", "start", "--client", "carewell", "--due", "2026-12-15", "-w", w
    )
    assert started.code == 0, started
    camp = int(started.out.strip())
    items = _json(
        cli("access", "review", "items", str(camp), "--client", "carewell", "-f", "json", "-w", w)
    )
    exports = sorted((estate / "entitlements").glob("carewell_*.csv"))
    assert len(items) == sum(len(p.read_text().splitlines()) - 1 for p in exports)
    flagged = [i for i in items if i["flags"]]
    assert {i["account"] for i in flagged} == {"jsalazar", "carewell.shared01"}
    numbers = [str(i["number"]) for i in flagged]
    assert_one_line_error(
        cli(
            "access",
            "review",
            "decide",
            str(camp),
            *numbers,
            "--client",
            "carewell",
            "--revoke",
            "-w",
            w,
        ),
        "--comment",
    )
    done = cli(
        "access",
        "review",
        "decide",
        str(camp),
        *numbers,
        "--client",
        "carewell",
        "--revoke",
        "--comment",
        "left or shared",
        "-w",
        w,
    )
    assert done.code == 0, done
    managers = {i["manager_id"] for i in items if not i["flags"]}
    for manager in managers:
        bulk = cli(
            "access",
            "review",
            "decide",
            str(camp),
            "--client",
            "carewell",
            "--certify",
            "--manager",
            manager,
            "-w",
            w,
        )
        assert bulk.code == 0, bulk
    pending = _json(
        cli(
            "access",
            "review",
            "items",
            str(camp),
            "--client",
            "carewell",
            "--pending",
            "-f",
            "json",
            "-w",
            w,
        )
    )
    assert pending == []
    assert cli("access", "review", "close", str(camp), "--client", "carewell", "-w", w).code == 0
    return camp, flagged


def test_review_campaign_decisions_export_and_verification(
    cli, access_ws: Path, estate: Path, tmp_path: Path
) -> None:
    w = str(access_ws)
    camp, flagged = _revoke_flow(cli, w, estate, tmp_path)
    out = tmp_path / "revocations.csv"
    assert (
        cli(
            "access", "review", "export", str(camp), "--client", "carewell", "-o", str(out), "-w", w
        ).code
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {(r["account"], r["action"]) for r in rows} == {
        (i["account"], "revoke") for i in flagged
    }
    xlsx = tmp_path / "revocations.xlsx"
    assert (
        cli(
            "access",
            "review",
            "export",
            str(camp),
            "--client",
            "carewell",
            "-o",
            str(xlsx),
            "-w",
            w,
        ).code
        == 0
    )
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    assert sheet is not None
    assert sheet.max_row == len(rows) + 1
    # The identity team removes the leaver's claims-portal access but forgets the CRM.
    portal = estate / "entitlements/carewell_claims_portal.csv"
    kept = [
        line
        for line in portal.read_text().splitlines()
        if not line.startswith(("jsalazar,", "carewell.shared01,"))
    ]
    fixed = tmp_path / "carewell_claims_portal.csv"
    fixed.write_text("\n".join(kept) + "\n")
    result = cli(
        "access",
        "import",
        "entitlements",
        str(fixed),
        "--client",
        "carewell",
        "-f",
        "json",
        "-w",
        w,
    )
    assert _json(result)[0]["rows"] == len(kept) - 1
    crm = estate / "entitlements/carewell_member_crm.csv"
    assert (
        cli("access", "import", "entitlements", str(crm), "--client", "carewell", "-w", w).code == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    verified = {
        (i["system"], i["account"], i["verified"])
        for i in _json(
            cli(
                "access",
                "review",
                "items",
                str(camp),
                "--client",
                "carewell",
                "-f",
                "json",
                "-w",
                w,
            )
        )
        if i["decision"] == "revoke"
    }
    assert verified == {
        ("carewell_claims_portal", "jsalazar", True),
        ("carewell_claims_portal", "carewell.shared01", True),
        ("carewell_member_crm", "jsalazar", False),
        ("carewell_member_crm", "carewell.shared01", False),
    }
    checks = _json(
        cli(
            "access",
            "violations",
            "--client",
            "carewell",
            "--rule",
            "access_reviews_current",
            "-f",
            "json",
            "-w",
            w,
        )
    )
    assert {r["subject"] for r in checks} == {"jsalazar", "carewell.shared01"}
    assert all("not carried out" in r["summary"] for r in checks)
    log = _json(cli("audit", "log", "--client", "carewell", "-f", "json", "-w", w))
    actions = [e["action"] for e in log]
    assert actions.count("access.review.revoke") == len(flagged)
    assert "access.review.certify" in actions
    assert "access.review.close" in actions
    assert cli("audit", "verify", "-w", w).code == 0


def test_review_needs_the_right_role(cli, access_ws: Path) -> None:
    w = str(access_ws)
    assert cli("users", "add", "ana", "--role", "analyst", "-w", w).code == 0
    denied = cli("access", "review", "start", "--client", "telora", "-w", w, DATAWARD_USER="ana")
    assert_one_line_error(denied, "may not review-access")
    assert (
        cli("users", "add", "tv", "--role", "client-viewer", "--client", "telora", "-w", w).code
        == 0
    )
    hidden = cli("access", "violations", "--client", "carewell", "-w", w, DATAWARD_USER="tv")
    assert hidden.code == 2


def test_exceptions_are_approved_by_someone_else_and_time_boxed(cli, access_ws: Path) -> None:
    w = str(access_ws)
    assert cli("users", "add", "mona", "--role", "manager", "--client", "telora", "-w", w).code == 0
    base = [
        "access",
        "exception",
        "add",
        "--client",
        "telora",
        "--account",
        "kdugar",
        "--system",
        "telora_subscriber_crm",
        "--permission",
        "view",
        "--reason",
        "cover",
    ]
    assert_one_line_error(
        cli(*base, "--ends", "2027-12-31", "--approved-by", "mona", "-w", w), "366 days"
    )
    assert_one_line_error(
        cli(*base, "--ends", "2026-12-31", "--approved-by", "nobody", "-w", w), "nobody"
    )
    ok = cli(
        *base, "--ends", "2026-12-31", "--approved-by", "mona", "--starts", "2026-11-20", "-w", w
    )
    assert ok.code == 0, ok
    listed = _json(cli("access", "exception", "list", "--client", "telora", "-f", "json", "-w", w))
    assert [(e["ref"], e["state"]) for e in listed] == [("AX-0001", "in force")]
    rows = _json(cli("access", "violations", "--client", "telora", "-f", "json", "-w", w))
    assert "kdugar" not in {
        r["subject"] for r in rows if r["check"] == "access_agents_limited_to_assigned_clients"
    }


def test_modify_decision_and_link_confirmation(
    cli, access_ws: Path, tmp_path: Path, estate: Path
) -> None:
    w = str(access_ws)
    camp = cli("access", "review", "start", "--client", "northbank", "-w", w).out.strip()
    items = _json(
        cli("access", "review", "items", camp, "--client", "northbank", "-f", "json", "-w", w)
    )
    lead = next(i for i in items if i["permission"] == "edit" and i["job_role"] == "team_lead")
    no_to = cli(
        "access",
        "review",
        "decide",
        camp,
        str(lead["number"]),
        "--client",
        "northbank",
        "--modify-to",
        "",
        "--comment",
        "x",
        "-w",
        w,
    )
    assert no_to.code == 2
    done = cli(
        "access",
        "review",
        "decide",
        camp,
        str(lead["number"]),
        "--client",
        "northbank",
        "--modify-to",
        "view",
        "--comment",
        "reads only now",
        "-w",
        w,
    )
    assert done.code == 0, done
    out = tmp_path / "changes.csv"
    assert (
        cli(
            "access", "review", "export", camp, "--client", "northbank", "-o", str(out), "-w", w
        ).code
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["account"], r["action"]) for r in rows] == [(lead["account"], "change to view")]
    # An unknown account whose display name resembles a person: suggested, then confirmed.
    users = tmp_path / "extra.csv"
    users.write_text("username,display_name\nold-login,Kevin Lawrence\n")
    assert cli("access", "import", "directory", str(users), "--source", "legacy", "-w", w).code == 0
    pending = _json(cli("access", "link", "list", "--pending", "-f", "json", "-w", w))
    assert [(r["username"], r["suggested"]) for r in pending] == [("old-login", "E10115")]
    assert cli("access", "link", "confirm", "old-login", "E10115", "-w", w).code == 0
    assert _json(cli("access", "link", "list", "--pending", "-f", "json", "-w", w)) == []
    bad = cli("access", "link", "confirm", "old-login", "E00000", "-w", w)
    assert_one_line_error(bad, "E00000")


def test_closed_campaign_stays_closed_and_views_stay_scoped(cli, access_ws: Path) -> None:
    w = str(access_ws)
    camp = cli("access", "review", "start", "--client", "telora", "-w", w).out.strip()
    for manager in {
        i["manager_id"]
        for i in _json(
            cli("access", "review", "items", camp, "--client", "telora", "-f", "json", "-w", w)
        )
    }:
        cli(
            "access",
            "review",
            "decide",
            camp,
            "--client",
            "telora",
            "--certify",
            "--manager",
            manager,
            "-w",
            w,
        )
    assert cli("access", "review", "close", camp, "--client", "telora", "-w", w).code == 0
    again = cli("access", "review", "close", camp, "--client", "telora", "-w", w)
    assert_one_line_error(again, "already closed")
    assert (
        cli("users", "add", "tv2", "--role", "client-viewer", "--client", "telora", "-w", w).code
        == 0
    )
    people = json.loads(
        cli(
            "access", "people", "--client", "telora", "-f", "json", "-w", w, DATAWARD_USER="tv2"
        ).out
    )
    assert people
    assert {c for p in people for c in p["clients"]} == {"telora"}
    mine = cli("access", "violations", "-f", "json", "-w", w, DATAWARD_USER="tv2")
    assert mine.code == 0, mine
    assert {r["client"] for r in json.loads(mine.out)} == {"telora"}
