"""Hostile import files: every importer fails in one line naming the file (and row), no crash."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from dataward.access.engine.connectors.directory_csv import read_directory_csv
from dataward.access.engine.connectors.entitlements import read_entitlements
from dataward.access.engine.connectors.entra import read_entra
from dataward.access.engine.connectors.hr import read_roster
from dataward.access.engine.connectors.scim import read_scim
from dataward.devices.engine.connectors.collector import read_collector
from dataward.devices.engine.connectors.jamf import read_jamf
from dataward.devices.engine.connectors.mdm_csv import read_mdm_csv
from dataward.devices.engine.connectors.osquery import read_osquery
from dataward.errors import DatawardError

from .conftest import (
    EMAIL,
    MIB,
    deep_json,
    encrypted_office,
    pdf_bytes,
    utf16_odd,
    xlsx_broken_mid_rows,
    zip_bytes,
)

TABULAR: dict[str, Callable[[Path], object]] = {
    "hr": read_roster,
    "entitlements": read_entitlements,
    "directory": read_directory_csv,
    "mdm": read_mdm_csv,
}
HEADER = "employee_id,name,status,job_role,account,permission,username,device name"


def _row(n: int) -> str:
    return f"E{n},Person {n},active,agent,u{n},read,u{n},PC-{n}"


def _failure(read: Callable[[Path], object], path: Path) -> DatawardError:
    with pytest.raises(DatawardError) as info:
        read(path)
    line = info.value.line()
    assert "\n" not in line, line
    assert "Traceback" not in line
    assert str(path) in line, line
    assert EMAIL not in line
    return info.value


@cache
def _sheet_bomb() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet>" + b" " * (8 * MIB) + b"</worksheet>",
        }
    )


HOSTILE: list[tuple[str, Callable[[], bytes], str, str]] = [
    # (file name, content, words of the error, where: "" for the file, else "row N")
    ("bom.csv", lambda: utf16_odd("\n".join([HEADER, _row(1), _row(2), ""])), "UTF-16", "row 4"),
    ("locked.xlsx", encrypted_office, "password-protected", ""),
    ("locked.csv", encrypted_office, "password-protected", ""),
    ("report.csv", lambda: pdf_bytes("SSN 536-22-8754"), "is a PDF document", ""),
    ("workbook.csv", lambda: zip_bytes({"a": b"b"}), "is a ZIP or XLSX file", ""),
    ("long.csv", lambda: (HEADER + "\n" + "x" * MIB + "\n").encode(), "not valid CSV", "row 2"),
    ("bomb.xlsx", _sheet_bomb, "zip bomb", ""),
    ("fake.xlsx", lambda: b"not a workbook", "not a readable XLSX file", ""),
]


@pytest.mark.parametrize("importer", sorted(TABULAR))
@pytest.mark.parametrize(
    ("name", "content", "words", "where"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_tabular_file_is_one_line(
    tmp_path: Path,
    importer: str,
    name: str,
    content: Callable[[], bytes],
    words: str,
    where: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content())
    error = _failure(TABULAR[importer], path)
    assert words in error.line()
    assert error.where == (f"{path} {where}" if where else str(path))


def test_xlsx_breaking_mid_rows_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx_broken_mid_rows())
    error = _failure(read_roster, path)
    assert "breaks after row" in error.what
    row = int(error.where.rsplit(" ", 1)[-1]) if error.where else 0
    assert 10 < row < 200, error.line()


@pytest.mark.parametrize("importer", sorted(TABULAR))
def test_nul_bytes_never_crash(tmp_path: Path, importer: str) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(("\n".join([HEADER, _row(1), ""]) + "\x00,\x00\n").encode())
    line = ""
    try:
        TABULAR[importer](path)
    except DatawardError as exc:
        line = exc.line()
    assert "\n" not in line
    assert "\x00" not in line


JSON_IMPORTERS: dict[str, Callable[[Path], object]] = {
    "scim": lambda p: read_scim([p]),
    "entra": lambda p: read_entra([p]),
    "jamf": read_jamf,
    "osquery": read_osquery,
    "collector": read_collector,
}


@pytest.mark.parametrize("importer", sorted(JSON_IMPORTERS))
@pytest.mark.parametrize(
    "content",
    [
        deep_json(100_000, "x"),
        b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
        b'{"schemas": 5, "Resources": 7, "value": 3, "computers": 2}',
        b"\xff\xfe{\x00",
        b"[1, 2, 3]",
    ],
    ids=["deep-array", "deep-object", "wrong-types", "broken-utf16", "bare-list"],
)
def test_hostile_json_is_one_line(tmp_path: Path, importer: str, content: bytes) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(content)
    _failure(JSON_IMPORTERS[importer], path)


def test_a_scan_earlier_in_the_process_does_not_loosen_the_cell_limit(tmp_path: Path) -> None:
    """The discovery extractor raises the csv module's process-wide limit; imports keep theirs."""
    import csv

    from dataward.access.engine.connectors.hr import read_roster
    from dataward.errors import DatawardError

    before = csv.field_size_limit()
    csv.field_size_limit(16 * MIB)  # as a scan of a CSV share in the same process leaves it
    try:
        path = tmp_path / "long.csv"
        path.write_text(HEADER + "\n" + "x" * MIB + "\n")
        with pytest.raises(DatawardError) as caught:
            read_roster(path)
        assert "not valid CSV (field larger than field limit (131072))" in caught.value.line()
        assert "row 2" in caught.value.line()
    finally:
        csv.field_size_limit(before)
