"""Duplicates counted once per copy, honest certificates, policy files with odd keys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dataward.errors import ImportFileError
from dataward.retention.engine import policy
from dataward.retention.engine.certificate import Entry, _latin, to_csv, to_pdf
from dataward.retention.engine.overdue import Holding, duplicate_extracts

WHEN = datetime(2025, 1, 1, tzinfo=UTC)


def _h(path: str, sha: str, approved: bool = True) -> Holding:
    return Holding(path, path.rsplit("/", 1)[-1], "file", ("PCI",), 4, 10, WHEN, sha, approved)


def test_three_copies_of_one_extract_are_two_copies_not_three_pairs() -> None:
    found = [_h("/s/a.csv", "1" * 64), _h("/s/b.csv", "1" * 64), _h("/s/c.csv", "1" * 64, False)]
    fps = {h.location: {"f1", "f2", "f3", "f4"} for h in found}
    dups = duplicate_extracts(found, fps)
    assert [(d.original, d.copy, d.how, d.forgotten) for d in dups] == [
        ("/s/a.csv", "/s/b.csv", "same content", False),
        ("/s/a.csv", "/s/c.csv", "same content", True),
    ]


def test_a_resaved_copy_links_by_values_and_unrelated_files_stay_apart() -> None:
    found = [_h("/s/a.csv", "1" * 64), _h("/s/a.xlsx", "2" * 64), _h("/s/z.csv", "3" * 64)]
    values = {f"f{n}" for n in range(20)}
    fps = {"/s/a.csv": values, "/s/a.xlsx": set(values), "/s/z.csv": {"f99"}}
    dups = duplicate_extracts(found, fps)
    assert [(d.copy, d.how, d.shared) for d in dups] == [("/s/a.xlsx", "same sensitive values", 20)]


def _entry(path: str, method: str = "overwrite") -> Entry:
    return Entry("DP-0001", 1, "acme", path, 10, "a" * 64, method, "2026-01-01T00:00:00+00:00",
                 "ana", "max", f"{method}d; verified absent")  # fmt: skip


def test_the_pdf_shows_every_path_unambiguously() -> None:
    assert _latin("Zürich/报告\nx<y.csv") == "Zürich/<U+62A5><U+544A><U+000A>x<U+003C>y.csv"
    assert _latin("报告.csv") != _latin("审计.csv")  # never both "??.csv"
    pdf = to_pdf([_entry("/s/报告.csv")], "Certificate", "2026-01-01 00:00 UTC")
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("method", "level"),
    [("delete", "logical deletion (below Clear)"), ("overwrite", "Clear on magnetic disks only")],
)
def test_the_certificate_claims_no_more_than_the_method_reaches(method: str, level: str) -> None:
    text = to_csv([_entry("/s/a.csv", method)])
    assert level in text
    if method == "overwrite":
        assert "(Clear)" not in text


def test_a_policy_with_a_numeric_key_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("policies:\n  - {client: '*', category: PCI, keep_days: 1, 7: x, zz: y}\n")
    with pytest.raises(ImportFileError, match="unknown key '7'"):
        policy.load(path, {"acme"})


def test_the_pdf_preamble_is_printed_as_written() -> None:
    import io

    from pypdf import PdfReader

    from dataward.retention.engine.certificate import Entry, to_pdf

    entry = Entry("DP-0001", 1, "acme", "/srv/a.csv", 10, "0" * 64, "delete", "2026-11-29", "ana",
                  "max", "deleted; verified absent")  # fmt: skip
    text = PdfReader(io.BytesIO(to_pdf([entry], "Certificate", "2026-11-29 10:00 UTC"))).pages[0]
    words = text.extract_text()
    assert "<U+XXXX>" in words
    assert "<U+003C>" not in words
