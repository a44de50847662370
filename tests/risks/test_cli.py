"""The risks commands as a security lead uses them: import a register, list, map, export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from helpers import assert_one_line_error

REGISTER = "\n".join(
    (
        "Risk ID,Risk,Category,Probability,Consequence,Owner,Response,Action plan,Target date,"
        "Status,Approver,Accepted until",
        "R-01,Call recordings kept past contract,Regulatory,Likely,Major,olga,Mitigate,"
        "Purge job,2027-01-15,Open,,",
        "R-02,Single ISP at Manila site,Service continuity,2,5,mona,Transfer,Second link,"
        "2027-03-01,In progress,,",
        "R-03,Agents use personal phones,Client trust,possible,moderate,olga,Accept,,,"
        "Accepted,olga,2027-06-30",
        "",
    )
)


@pytest.fixture
def w(cli, ws_root: Path) -> str:  # type: ignore[no-untyped-def]
    root = str(ws_root)
    assert cli("clients", "add", "acme", "--name", "Acme", "-w", root).code == 0
    for user in ("mona", "olga"):
        assert cli("users", "add", user, "--role", "manager", "-w", root).code == 0
    return root


def _register(tmp_path: Path, text: str = REGISTER, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_maps_columns_and_words_and_reimport_is_idempotent(cli, w, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _register(tmp_path)
    args = ("risks", "import", str(path), "--client", "acme", "-f", "json", "-w", w)
    first = cli(*args, "--map", "plan=Action plan")
    assert first.code == 0, first
    assert json.loads(first.out)[0] | {"file": ""} == {
        "client": "acme", "file": "", "rows": 3, "added": 3, "updated": 0, "unchanged": 0,
    }  # fmt: skip
    again = json.loads(cli(*args).out)[0]
    assert (again["added"], again["unchanged"]) == (0, 3)
    rows = json.loads(cli("risks", "list", "-f", "json", "-w", w).out)
    by_title = {r["title"]: r for r in rows}
    recordings = by_title["Call recordings kept past contract"]
    assert (recordings["likelihood"], recordings["impact"], recordings["rating"]) == (4, 4, "high")
    isp = by_title["Single ISP at Manila site"]
    assert (isp["category"], isp["treatment"], isp["status"]) == (
        "service_continuity", "transfer", "open",
    )  # fmt: skip
    _register(tmp_path, REGISTER.replace("Likely,Major", "Rare,Major"))
    changed = json.loads(cli(*args).out)[0]
    assert (changed["updated"], changed["unchanged"]) == (1, 2)
    imports = [
        e
        for e in json.loads(cli("audit", "log", "-f", "json", "-w", w).out)
        if e["action"] == "risk.import"
    ]
    assert len(imports) == 2  # the unchanged re-import changed nothing and recorded nothing
    # The imported acceptance by its own owner is flagged by the check, not hidden.
    result = cli("assess", "--client", "acme", "-f", "json", "-w", w)
    flagged = [
        r for r in json.loads(result.out)["results"] if r["check"] == "risks_acceptances_current"
    ]
    assert [r["status"] for r in flagged] == ["fail"]
    assert "own owner" in flagged[0]["summary"]


def test_bad_rows_fail_in_one_line_and_store_nothing(cli, w, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = _register(tmp_path, REGISTER.replace("2,5,mona", "2,9,mona"))
    result = cli("risks", "import", str(bad), "--client", "acme", "-w", w)
    assert_one_line_error(result, "row 3", "impact", "not 1-5")
    dup = _register(tmp_path, REGISTER.replace("R-02", "R-01"), "dup.csv")
    assert_one_line_error(cli("risks", "import", str(dup), "-c", "acme", "-w", w), "repeats row 2")
    nohead = _register(tmp_path, "Name,Owner\nx,y\n", "nohead.csv")
    assert_one_line_error(cli("risks", "import", str(nohead), "-c", "acme", "-w", w), "has no")
    assert json.loads(cli("risks", "list", "--all", "-f", "json", "-w", w).out) == []
    for option, typo in (("--status", "opne"), ("--rating", "severe")):  # not an empty register
        assert_one_line_error(cli("risks", "list", option, typo, "-w", w), f"unknown {option[2:]}")


def _big(last: str) -> str:
    rows = [f"R-{n:05d},Risk {n},2,3,olga,," for n in range(1, 3001)]
    return "\n".join(["id,risk,likelihood,impact,owner,approver,status", *rows, last, ""])


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        (b"", ("is empty",)),
        (bytes(range(256)) * 40, ("is not text",)),
        (_big("R-09999,Bad owner,2,3," + "o" * 300 + ",,").encode(), ("row 3002", "'owner'")),
        (_big("R-09999,Bad approver,2,3,olga," + "a" * 200 + ",Accepted").encode(),
         ("row 3002", "'accepted_by'", "longer than 150")),
    ],
    ids=["empty", "binary", "owner-too-long-on-the-last-row", "approver-too-long"],
)  # fmt: skip
def test_any_bad_file_fails_in_one_line_and_stores_nothing(  # type: ignore[no-untyped-def]
    cli, w, tmp_path, content: bytes, needles: tuple[str, ...]
) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(content)
    assert_one_line_error(cli("risks", "import", str(path), "-c", "acme", "-w", w), *needles)
    assert json.loads(cli("risks", "list", "--all", "-f", "json", "-w", w).out) == []


def test_xlsx_import_export_heatmap_and_show(cli, w, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    sheet = book.active
    for line in csv.reader(io.StringIO(REGISTER)):
        sheet.append(line)
    book.save(tmp_path / "register.xlsx")
    result = cli("risks", "import", str(tmp_path / "register.xlsx"), "-c", "acme", "-w", w)
    assert result.code == 0, result
    heat = json.loads(cli("risks", "heatmap", "-f", "json", "-w", w).out)
    assert len(heat) == 25
    assert {(c["likelihood"], c["impact"]): c["count"] for c in heat if c["count"]} == {
        (4, 4): 1, (2, 5): 1, (3, 3): 1,
    }  # fmt: skip
    out = tmp_path / "out.xlsx"
    assert cli("risks", "export", "-o", str(out), "-w", w).code == 0
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("ref", "client", "title")
    assert len(rows) == 4
    assert cli("risks", "export", "-o", str(tmp_path / "out.csv"), "-w", w).code == 0
    exported = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert {r["external_ref"] for r in exported} == {"R-01", "R-02", "R-03"}
    ref = exported[0]["ref"]
    shown = json.loads(cli("risks", "show", ref, "-f", "json", "-w", w).out)
    assert shown["ref"] == ref
    assert [h["kind"] for h in shown["history"]] == ["imported"]
    assert_one_line_error(cli("risks", "export", "-o", str(tmp_path / "x.pdf"), "-w", w), ".csv")


def test_add_update_link_accept_close_from_the_command_line(cli, w) -> None:  # type: ignore[no-untyped-def]
    added = cli(
        *("risks", "add", "--title", "Shared QA login", "--likelihood", "4", "--impact", "3"),
        *("--client", "acme", "--owner", "olga", "--due", "2027-02-01", "-w", w),
    )
    assert added.code == 0, added
    ref = added.out.strip()
    assert ref.startswith("RISK-")
    linked = cli("risks", "link", ref, "--incident", "inc-0002", "--control", "ip-03", "-w", w)
    assert linked.code == 0
    assert_one_line_error(cli("risks", "update", ref, "--impact", "7", "-w", w), "impact")
    accept = ("risks", "accept", ref, "--expires", "2027-01-31", "--reason", "tool migration")
    assert_one_line_error(cli(*accept, "--approved-by", "olga", "-w", w), "owner")
    assert cli(*accept, "--approved-by", "mona", "-w", w).code == 0
    shown = json.loads(cli("risks", "show", ref, "-f", "json", "-w", w).out)
    assert (shown["status"], shown["incidents"], shown["controls"]) == (
        "accepted", "INC-0002", "IP-03",
    )  # fmt: skip
    assert cli("risks", "close", ref, "--note", "login split per agent", "-w", w).code == 0
    assert json.loads(cli("risks", "list", "-f", "json", "-w", w).out) == []
    closed = json.loads(cli("risks", "list", "--all", "-f", "json", "-w", w).out)
    assert closed[0]["status"] == "closed"
    events = json.loads(cli("audit", "log", "-f", "json", "-w", w).out)
    assert {"risk.add", "risk.linked", "risk.accepted", "risk.closed"} <= {
        e["action"] for e in events
    }
