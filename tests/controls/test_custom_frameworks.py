"""A client's own frameworks: YAML, CSV and XLSX, row-level errors, and their use in checklists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dataward.controls.engine.custom import parse
from dataward.errors import ImportFileError
from helpers import assert_one_line_error

KNOWN = {"AC-01", "AC-03", "TR-01", "DA-03"}


def test_yaml_csv_and_xlsx_forms(tmp_path: Path) -> None:
    doc = {
        "framework": {"id": "ACME_SUPPLIER", "title": "Acme"},
        "requirements": [{"id": "S-1", "title": "Vetting", "controls": ["AC-03", "tr-01"]}],
    }
    y = tmp_path / "acme.yaml"
    y.write_text(yaml.safe_dump(doc))
    fw = parse(y, KNOWN)
    assert (fw.id, fw.title, fw.requirements[0].controls) == (
        "ACME_SUPPLIER",
        "Acme",
        ("AC-03", "TR-01"),
    )
    assert fw.by_control() == {"AC-03": ["S-1"], "TR-01": ["S-1"]}
    c = tmp_path / "acme.csv"
    c.write_text("Clause;Text;Baseline\nS-1;Vetting;AC-03, TR-01\nS-2;Zone;DA-03\n")
    fw = parse(c, KNOWN, "ACME", mapping={"id": "Clause"})
    assert [r.id for r in fw.requirements] == ["S-1", "S-2"]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "title", "controls"])
    sheet.append(["R-9", "Least privilege", "AC-01"])
    x = tmp_path / "acme.xlsx"
    book.save(x)
    assert parse(x, KNOWN, "ACME_X").requirements[0].controls == ("AC-01",)


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("id,title,controls\nS-1,a,AC-99\n", ["row 2", "unknown control 'AC-99'"]),
        ("id,title,controls\nS-1,a,AC-01\nS-1,b,AC-03\n", ["row 3", "'S-1' repeats row 2"]),
        ("id,title,controls\n,a,AC-01\n", ["row 2", "field 'id' is empty"]),
        ("id,title,controls\nS-1,a,\n", ["row 2", "field 'controls' is empty"]),
        ("title,controls\na,AC-01\n", ["has no 'id' column"]),
    ],
)
def test_row_level_errors(tmp_path: Path, text: str, needles: list[str]) -> None:
    path = tmp_path / "fw.csv"
    path.write_text(text)
    with pytest.raises(ImportFileError) as caught:
        parse(path, KNOWN, "ACME")
    for needle in needles:
        assert needle in str(caught.value)


def test_bad_framework_id(tmp_path: Path) -> None:
    path = tmp_path / "fw.csv"
    path.write_text("id,title,controls\nS-1,a,AC-01\n")
    with pytest.raises(ImportFileError, match="is not like ACME_SUPPLIER"):
        parse(path, KNOWN, "acme supplier")


def test_cli_import_and_checklist(cli, ws_root: Path, tmp_path: Path) -> None:
    w = str(ws_root)
    assert (
        cli("clients", "add", "acme", "--name", "Acme Bank", "--category", "PCI", "-w", w).code == 0
    )
    good = tmp_path / "acme.csv"
    good.write_text("id,title,controls\nS-1,Vetting,AC-03;TR-01\nS-2,Zone,DA-03\n")
    done = cli(
        "frameworks", "import", str(good), "--client", "acme", "--id", "acme_supplier", "-w", w
    )
    assert done.code == 0, done
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,controls\nS-1,Vetting,AC-03\nS-3,Oops,ZZ-01\n")
    failed = cli(
        "frameworks", "import", str(bad), "--client", "acme", "--id", "ACME_SUPPLIER", "-w", w
    )
    assert_one_line_error(failed, "row 3", "ZZ-01")
    listed = json.loads(cli("frameworks", "list", "--client", "acme", "-f", "json", "-w", w).out)
    assert [(f["framework"], f["requirements"]) for f in listed] == [
        ("ACME_SUPPLIER", 2)
    ]  # unchanged
    rows = json.loads(
        cli(
            "checklist",
            "build",
            "--client",
            "acme",
            "--framework",
            "acme_supplier",
            "-f",
            "json",
            "-w",
            w,
        ).out
    )
    assert [r["control"] for r in rows] == ["DA-03", "AC-03", "TR-01"]
    assert all("ACME_SUPPLIER S-" in r["requirements"] for r in rows)
    builtin = cli(
        "frameworks", "import", str(good), "--client", "acme", "--id", "PCI_DSS_4", "-w", w
    )
    assert_one_line_error(builtin, "built-in")


def test_bad_yaml_shapes_and_required_controls_outside_scope(
    cli, ws_root: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "fw.yaml"
    bad.write_text("framework: ACME\nrequirements: []\n")
    with pytest.raises(ImportFileError, match="'framework' is not a mapping"):
        parse(bad, KNOWN)
    bad.write_text("framework: {id: ACME}\nrequirements: 5\n")
    with pytest.raises(ImportFileError, match="'requirements' is not a list"):
        parse(bad, KNOWN)
    w = str(ws_root)
    assert (
        cli(
            "clients",
            "add",
            "care",
            "--name",
            "Care",
            "--category",
            "PHI",
            "--framework",
            "HIPAA",
            "-w",
            w,
        ).code
        == 0
    )
    own = tmp_path / "own.csv"
    own.write_text("id,title,controls\nR1,Card zone,DA-03\nR2,No secrets,DA-04\n")
    assert (
        cli("frameworks", "import", str(own), "--client", "care", "--id", "CARE_OWN", "-w", w).code
        == 0
    )
    only = {
        r["control"]: r
        for r in json.loads(
            cli(
                "checklist",
                "build",
                "--client",
                "care",
                "--framework",
                "CARE_OWN",
                "-f",
                "json",
                "-w",
                w,
            ).out
        )
    }
    assert set(only) == {"DA-03", "DA-04"}  # DA-03 listed although Care holds no card data
    assert only["DA-03"]["applies_because"] == "required by CARE_OWN R1"
    both = {
        r["control"]
        for r in json.loads(
            cli(
                "checklist",
                "build",
                "--client",
                "care",
                "--framework",
                "CARE_OWN",
                "--framework",
                "HIPAA",
                "-f",
                "json",
                "-w",
                w,
            ).out
        )
    }
    assert {"DA-03", "DA-04"} <= both
    assert len(both) > 2
