"""Hostile input at the extractor level, where the limits can be made small to keep tests fast."""

from __future__ import annotations

import io

from dataward.discovery.engine.extractors import extract_stream
from dataward.discovery.engine.types import Limits, Segment, Skipped, Table, Where

from .conftest import EMAIL, docx_bomb, encrypted_office, zip_bytes


def _parts(name: str, data: bytes, limits: Limits) -> list[object]:
    out: list[object] = []
    for part in extract_stream(name, io.BytesIO(data), size=len(data), limits=limits):
        out.append((part, list(part.rows)) if isinstance(part, Table) else part)
    return out


def test_a_csv_line_longer_than_a_chunk_is_read_in_pieces() -> None:
    limits = Limits(chunk_chars=4096)
    data = b"id,note\n" + b"x" * 200_000 + b"," + EMAIL.encode() + b"\n7,done\n"
    ((table, rows),) = _parts("long.csv", data, limits)  # type: ignore[misc]
    assert any(EMAIL in cell for row in rows for cell in row)
    assert rows[-1] == ["7", "done"]
    # past the dialect sample (32 KB), the long line came in pieces of at most a chunk
    assert len(rows) > 30
    assert max(len(cell) for row in rows[1:] for cell in row) <= 4096


def test_office_part_limits_apply_before_the_library_unpacks() -> None:
    small = Limits(max_member_bytes=512 * 1024)
    bomb = docx_bomb(2 * 1024**2)
    assert _parts("b.docx", bomb, Limits()) == [Skipped(Where(), "suspicious compression ratio")]
    assert _parts("b.docx", bomb, small) == [Skipped(Where(), "document part larger than limit")]
    total = Limits(max_total_unpacked=1024)
    plain = zip_bytes({"[Content_Types].xml": b"<Types/>" * 200}, method=0)
    assert _parts("c.xlsx", plain, total) == [Skipped(Where(), "unpacked total over limit")]


def test_encrypted_office_file_is_named_as_such_whatever_its_suffix() -> None:
    data = encrypted_office()
    for name in ("a.xlsx", "a.docx", "a.msg", "a"):
        parts = _parts(name, data, Limits())
        assert parts == [Skipped(Where(), "password-protected (encrypted) office document")]


def test_a_text_suffix_does_not_hide_a_zip() -> None:
    data = zip_bytes({"inner.txt": f"contact {EMAIL}\n".encode()})
    parts = _parts("notes.txt", data, Limits())
    assert [p.where.member for p in parts if isinstance(p, Segment)] == ["inner.txt"]


def test_an_email_message_over_the_member_limit_is_skipped_unread() -> None:
    body = f"From: a@example.org\nSubject: x\n\nreach me at {EMAIL}\n".encode()
    big = body + b"padding line\n" * 5_000
    small = Limits(max_member_bytes=len(body) + 10)
    reason = "e-mail message larger than the member limit (parsed whole, so not read)"
    assert _parts("big.eml", big, small) == [Skipped(Where(), reason)]
    # the same when the size is not known up front (a member read from a stream)
    parts = list(extract_stream("big.eml", io.BytesIO(big), size=None, limits=small))
    assert parts == [Skipped(Where(), reason)]
    found = [p for p in _parts("small.eml", body, small) if isinstance(p, Segment)]
    assert any(EMAIL in p.text for p in found)
