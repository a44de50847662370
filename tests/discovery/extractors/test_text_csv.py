"""Text and delimited files: encodings, line numbers, dialects and headers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from dataward.discovery.engine.types import Limits, Where

SAMPLE = "Caseworker: José Müller\nCard ending 4242 — “urgent”\nNaïve façade at the café\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_text_encodings_decode(tmp_path: Path, run_path, encoding: str) -> None:
    data = SAMPLE.encode(encoding)
    if encoding == "utf-16-le":  # no BOM: charset detection must find it
        data = (SAMPLE * 20).encode(encoding)
    path = tmp_path / "notes.txt"
    path.write_bytes(data)
    parts = run_path(path)
    text = "".join(p[2][0] for p in parts if p[0] == "seg")
    assert text.startswith(SAMPLE)
    assert parts[0][1] == Where(line=1)


def test_latin1_without_suffix_is_sniffed_as_text(tmp_path: Path, run_path) -> None:
    path = tmp_path / "README"
    path.write_bytes("Straße 12, Ærøskøbing - señor Núñez\n".encode("latin-1"))
    [(kind, _, (text, _))] = run_path(path)
    assert (kind, text) == ("seg", "Straße 12, Ærøskøbing - señor Núñez\n")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_chunks_cut_at_newlines_and_keep_line_numbers(
    tmp_path: Path, run_path, newline: str
) -> None:
    lines = [f"line {i} value-{i:05d}" for i in range(1, 3001)]
    path = tmp_path / "app.log"
    path.write_bytes(newline.join(lines).encode() + newline.encode())
    parts = run_path(path, Limits(chunk_chars=1000))
    assert len(parts) > 50
    for kind, where, (text, _) in parts:
        assert kind == "seg"
        assert len(text) <= 1000
        assert text.endswith("\n")
        first = text.split("\n", 1)[0]
        assert first == f"line {where.line} value-{where.line:05d}"  # type: ignore[attr-defined]
    assert "".join(p[2][0] for p in parts).splitlines() == lines


def test_a_line_longer_than_a_chunk_is_split(tmp_path: Path, run_path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("x" * 2500 + "\nnext\n")
    parts = run_path(path, Limits(chunk_chars=1000))
    assert [len(p[2][0]) for p in parts] == [1000, 1000, 506]
    assert [p[1].line for p in parts] == [1, 1, 1]


ROWS = [
    ["customer_name", "email", "note"],
    ["Ana Reyes", "ana.reyes@example.org", 'said "call me; later", ok'],
    ["Bo Lind", "bo|lind@example.com", "two\nlines"],
    ["Cy Tan", "cy@example.net", "tab\there"],
]


@pytest.mark.parametrize(
    ("suffix", "delimiter", "encoding"),
    [
        (".csv", ",", "utf-8"),
        (".csv", ";", "cp1252"),
        (".tsv", "\t", "utf-16"),
        (".csv", "|", "utf-8-sig"),
        (".csv", ",", "utf-16"),
        (".csv", "\t", "cp1252"),
    ],
)
def test_csv_dialects_and_encodings(
    tmp_path: Path, run_path, suffix: str, delimiter: str, encoding: str
) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
    writer.writerows(ROWS + [["Dé Müller", "d@example.org", "€5"]])
    path = tmp_path / f"export{suffix}"
    path.write_bytes(buf.getvalue().encode(encoding))
    [(kind, where, (header, rows))] = run_path(path)
    assert kind == "table"
    assert where == Where()
    assert header == ROWS[0]
    assert rows == ROWS[1:] + [["Dé Müller", "d@example.org", "€5"]]


@pytest.mark.parametrize(
    ("content", "header", "first_row"),
    [
        (
            "Ana Reyes,ana@example.org\nBo Lind,bo@example.com\n",
            ["col1", "col2"],
            ["Ana Reyes", "ana@example.org"],
        ),
        ("id,amount\n1,20.5\n2,31\n", ["id", "amount"], ["1", "20.5"]),
        (
            "name,email\nAna Reyes,ana@example.org\n",
            ["name", "email"],
            ["Ana Reyes", "ana@example.org"],
        ),
        ("4111111111111111\n5500000000000004\n", ["col1"], ["4111111111111111"]),
        ("a,b,c\n1,2\n", ["a", "b", "c"], ["1", "2"]),
    ],
)
def test_csv_header_detection(
    tmp_path: Path, run_path, content: str, header: list[str], first_row: list[str]
) -> None:
    path = tmp_path / "x.csv"
    path.write_text(content)
    [(_, _, (got_header, rows))] = run_path(path)
    assert got_header == header
    assert rows[0] == first_row


def test_csv_without_suffix_is_read_as_text(tmp_path: Path, run_path) -> None:
    path = tmp_path / "export"
    path.write_text("a,b\n1,2\n")
    assert [p[0] for p in run_path(path)] == ["seg"]


def test_empty_files_yield_nothing(tmp_path: Path, run_path) -> None:
    for name in ("empty.txt", "empty.csv", "empty.jsonl"):
        (tmp_path / name).write_bytes(b"")
        assert run_path(tmp_path / name) == []
