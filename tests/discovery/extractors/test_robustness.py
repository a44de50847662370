"""Corrupt, hostile and huge inputs: extraction skips with a reason and never raises."""

from __future__ import annotations

import io
import json
import random
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataward.demo.engine.msgfile import write_msg
from dataward.discovery.engine.extractors import extract_path, extract_stream, suffixes
from dataward.discovery.engine.types import Limits, Skipped, Table, Where

from .conftest import flatten


def _good_files(tmp: Path) -> dict[str, bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq
    from docx import Document
    from fpdf import FPDF
    from openpyxl import Workbook

    book = Workbook()
    for i in range(200):
        book.active.append([f"row{i}", f"user{i}@example.org"])
    book.save(tmp / "a.xlsx")
    doc = Document()
    doc.add_paragraph("hello " * 200)
    doc.save(tmp / "a.docx")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(w=0, text="pdf text " * 300)
    pdf.output(str(tmp / "a.pdf"))
    pq.write_table(pa.table({"a": list(range(5000))}), tmp / "a.parquet")
    write_msg(tmp / "a.msg", subject="s", sender="a@example.org", to="b@example.org",
              body="body " * 2000, attachments=[("x.txt", b"x" * 9000)])  # fmt: skip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", "zip text " * 2000)
    return {
        ".xlsx": (tmp / "a.xlsx").read_bytes(), ".docx": (tmp / "a.docx").read_bytes(),
        ".pdf": (tmp / "a.pdf").read_bytes(), ".parquet": (tmp / "a.parquet").read_bytes(),
        ".msg": (tmp / "a.msg").read_bytes(), ".zip": buf.getvalue(),
    }  # fmt: skip


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf", ".parquet", ".msg", ".zip"])
@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_files_are_skipped_not_raised(tmp_path: Path, suffix: str, keep: float) -> None:
    data = _good_files(tmp_path)[suffix]
    cut = data[: int(len(data) * keep)]
    parts = flatten(extract_stream(f"t{suffix}", io.BytesIO(cut), size=len(cut), limits=Limits()))
    skips = [reason for kind, _, reason in parts if kind == "skip"]
    assert skips, parts
    assert all(isinstance(r, str) and len(r) < 80 for r in skips)


def test_rows_that_break_midway_end_with_a_skip(tmp_path: Path) -> None:
    data = _good_files(tmp_path)[".xlsx"]
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]
            dst.writestr(info.filename, body)
    parts = extract_stream("half.xlsx", io.BytesIO(out.getvalue()), size=None, limits=Limits())
    table = next(parts)
    assert isinstance(table, Table)
    rows = list(table.rows)  # rows are read before the next part is asked for
    assert 10 < len(rows) < 200
    assert list(parts) == [Skipped(Where(sheet="Sheet"), f"corrupt xlsx after row {len(rows)}")]


SUFFIXES = sorted(suffixes()) + ["", ".bin", ".dat"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_random_bytes_with_each_suffix(suffix: str) -> None:
    rng = random.Random(suffix)
    for size in (0, 1, 7, 600, 5000):
        data = bytes(rng.randrange(256) for _ in range(size))
        for prefix in (
            b"",
            b"PK\x03\x04",
            b"%PDF-1.7\n",
            bytes.fromhex("D0CF11E0A1B11AE1"),
            b"PAR1",
        ):
            blob = prefix + data
            list(extract_stream(f"x{suffix}", io.BytesIO(blob), size=len(blob), limits=Limits()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    suffix=st.sampled_from(SUFFIXES),
    data=st.binary(max_size=2048),
    prefix=st.sampled_from(
        [
            b"",
            b"PK\x03\x04",
            b"%PDF-",
            b"PAR1",
            b"From: a\nTo: b\n",
            bytes.fromhex("D0CF11E0A1B11AE1"),
            b'{"a": ',
            b"\xef\xbb\xbf",
        ]
    ),
)
def test_arbitrary_bytes_never_raise(suffix: str, data: bytes, prefix: bytes) -> None:
    blob = prefix + data
    for part in extract_stream(f"f{suffix}", io.BytesIO(blob), size=len(blob), limits=Limits()):
        if isinstance(part, Table):
            list(part.rows)


def test_files_over_the_size_limit_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 1000)
    parts = list(extract_path(path, Limits(max_file_bytes=999)))
    assert parts == [Skipped(Where(), "larger than limit")]


def test_unreadable_path_is_skipped(tmp_path: Path) -> None:
    assert list(extract_path(tmp_path / "missing.txt")) == [Skipped(Where(), "unreadable file")]


def test_binary_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 64)
    assert list(extract_path(path)) == [Skipped(Where(), "binary")]


def test_big_text_file_streams_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    with path.open("w") as fh:
        number = 0
        while fh.tell() < 50 * 1024**2:
            fh.write("".join(f"{n} event id={n * 7} user=u{n}@example.org\n"
                             for n in range(number + 1, number + 10_001)))  # fmt: skip
            number += 10_000
    limit = 1 << 20
    tracemalloc.start()
    segments = 0
    try:
        for part in extract_path(path, Limits(chunk_chars=limit)):
            assert not isinstance(part, Skipped | Table)
            assert len(part.text) <= limit
            assert part.text.endswith("\n")
            assert part.text[: part.text.index(" ")] == str(part.where.line)
            segments += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert segments >= 50
    assert peak < 16 * 1024**2, peak


def test_large_json_falls_back_to_text(tmp_path: Path) -> None:
    from dataward.discovery.engine.extractors import json_files

    doc = {"rows": [{"email": f"u{i}@example.org"} for i in range(2000)]}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc, indent=1))
    small_limit = json_files.MAX_PARSE_BYTES
    json_files.MAX_PARSE_BYTES = 1000
    try:
        parts = list(extract_path(path, Limits(chunk_chars=4096)))
    finally:
        json_files.MAX_PARSE_BYTES = small_limit
    assert all(p.where.column is None for p in parts if not isinstance(p, Table))
    assert (
        sum(p.text.count("@example.org") for p in parts if not isinstance(p, Skipped | Table))
        == 2000
    )


@pytest.mark.parametrize("name", ["bad.xlsx", "bad.txt", "bad"])
def test_member_with_bad_crc_is_skipped(name: str) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(name, b"PK\x03\x04" + b"member text " * 100)
    data = bytearray(buf.getvalue())
    data[data.index(b"member text") + 5] ^= 0xFF  # flip a byte: the CRC no longer matches
    parts = flatten(extract_stream("c.zip", io.BytesIO(bytes(data)), size=None, limits=Limits()))
    assert parts[-1][0] == "skip"
    assert parts[-1][1] == Where(member=name)
