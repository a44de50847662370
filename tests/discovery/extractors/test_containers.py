"""ZIP archives within limits, Parquet tables, and formats told apart by content alone."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from dataward.discovery.engine.types import Limits, Where


def _zip(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _nest(levels: int) -> bytes:
    data = _zip({"deep.txt": b"bottom ana@example.org\n"})
    for level in range(levels, 0, -1):
        data = _zip({f"level{level}.zip": data, f"note{level}.txt": b"n\n"})
    return data


def test_zip_in_zip_member_paths(run_bytes) -> None:
    inner = _zip({"report.csv": b"name,email\nAna,ana@example.org\n", "dir/": b""})
    outer = _zip({"inner.zip": inner, "top/readme.txt": b"hello\n"}, zipfile.ZIP_STORED)
    assert run_bytes("bundle.zip", outer) == [
        (
            "table",
            Where(member="inner.zip/report.csv"),
            (["name", "email"], [["Ana", "ana@example.org"]]),
        ),
        ("seg", Where(member="top/readme.txt", line=1), ("hello\n", "")),
    ]


@pytest.mark.parametrize(
    ("max_depth", "deepest"),
    [(4, "level1.zip/level2.zip/level3.zip/deep.txt"), (2, "level1.zip/note2.txt")],
)
def test_zip_depth_limit(run_bytes, max_depth: int, deepest: str) -> None:
    parts = run_bytes("nest.zip", _nest(3), Limits(max_depth=max_depth))
    read = [w.member for kind, w, _ in parts if kind == "seg"]
    assert max(read, key=len) == deepest
    skipped = [(w.member, reason) for kind, w, reason in parts if kind == "skip"]
    if max_depth == 2:
        assert skipped == [("level1.zip/level2.zip", "nested deeper than limit")]
    else:
        assert skipped == []


def test_zip_bomb_member_is_skipped_by_ratio(run_bytes) -> None:
    bomb = _zip({"zeros.txt": bytes(20 * 1024**2), "ok.txt": b"fine\n"})
    assert len(bomb) < 100_000
    assert run_bytes("bomb.zip", bomb) == [
        ("skip", Where(member="zeros.txt"), "suspicious compression ratio"),
        ("seg", Where(member="ok.txt", line=1), ("fine\n", "")),
    ]


@pytest.mark.parametrize(
    ("limits", "expected_skip"),
    [
        (Limits(max_members=3), ("f3.txt", "more members than limit")),
        (Limits(max_total_unpacked=25), ("f2.txt", "unpacked total over limit")),
        (Limits(max_member_bytes=5), ("f0.txt", "member larger than limit")),
    ],
)
def test_zip_count_and_size_limits(
    run_bytes, limits: Limits, expected_skip: tuple[str, str]
) -> None:
    data = _zip({f"f{i}.txt": f"member {i}\n".encode() for i in range(6)})
    parts = run_bytes("many.zip", data, limits)
    skips = [(w.member, reason) for kind, w, reason in parts if kind == "skip"]
    assert skips[0] == expected_skip
    if expected_skip[1] != "member larger than limit":
        assert parts[-1][0] == "skip"  # reading stops at the limit


def test_member_count_is_shared_across_nested_zips(run_bytes) -> None:
    parts = run_bytes("nest.zip", _nest(3), Limits(max_members=4))
    assert [p for p in parts if p[0] == "skip"] == [
        ("skip", Where(member="level1.zip/level2.zip/note3.txt"), "more members than limit")
    ]
    assert [w.member for kind, w, _ in parts if kind == "seg"] == [
        "level1.zip/level2.zip/level3.zip/deep.txt"
    ]


def test_encrypted_member_is_skipped(run_bytes) -> None:
    data = bytearray(_zip({"secret.txt": b"marked as encrypted", "open.txt": b"plain\n"}))
    for magic, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        data[data.index(magic) + offset] |= 0x1
    assert run_bytes("locked.zip", bytes(data)) == [
        ("skip", Where(member="secret.txt"), "encrypted member"),
        ("seg", Where(member="open.txt", line=1), ("plain\n", "")),
    ]


def test_parquet_table(tmp_path: Path, run_path) -> None:
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "name": ["Ana", None, "Cy"] * 3000,
        "dob": [dt.date(1980, 1, 2)] * 9000,
        "amount": [1.5, 2.0, None] * 3000,
        "card": [4111111111111111, 2, 3] * 3000,
    })  # fmt: skip
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=1000)
    [(kind, where, (header, rows))] = run_path(path)
    assert (kind, where, header) == ("table", Where(), ["name", "dob", "amount", "card"])
    assert len(rows) == 9000
    assert rows[:3] == [["Ana", "1980-01-02", "1.5", "4111111111111111"],
                        ["", "1980-01-02", "2", "2"], ["Cy", "1980-01-02", "", "3"]]  # fmt: skip


def _formats(tmp: Path) -> dict[str, bytes]:
    from docx import Document
    from fpdf import FPDF
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["k", "v"])
    book.active.append(["a", "b"])
    book.save(tmp / "b.xlsx")
    doc = Document()
    doc.add_paragraph("docx body")
    doc.save(tmp / "d.docx")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="pdf body")
    pdf.output(str(tmp / "p.pdf"))
    return {
        "xlsx": (tmp / "b.xlsx").read_bytes(),
        "docx": (tmp / "d.docx").read_bytes(),
        "pdf": (tmp / "p.pdf").read_bytes(),
        "zip": _zip({"x.txt": b"zip body\n"}),
    }


def test_formats_are_sniffed_without_suffix_also_inside_zip(tmp_path: Path, run_bytes) -> None:
    formats = _formats(tmp_path)
    expected = {
        "xlsx": ("table", Where(sheet="Sheet"), (["k", "v"], [["a", "b"]])),
        "docx": ("seg", Where(line=1), ("docx body", "")),
        "pdf": ("seg", Where(page=1, line=1), ("pdf body", "")),
        "zip": ("seg", Where(member="x.txt", line=1), ("zip body\n", "")),
    }
    for kind, data in formats.items():
        assert run_bytes(f"blob_{kind}", data) == [expected[kind]], kind
    nested = run_bytes("all.zip", _zip({f"f_{k}": v for k, v in formats.items()}))
    assert [w.member for _, w, _ in nested] == ["f_xlsx", "f_docx", "f_pdf", "f_zip/x.txt"]
