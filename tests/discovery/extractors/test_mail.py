"""E-mail (EML) and Outlook (MSG) messages, their attachments, and the project's MSG writer."""

from __future__ import annotations

import io
import struct
import zipfile
from email.message import EmailMessage
from pathlib import Path

import olefile
import pytest

from dataward.demo.engine.msgfile import write_msg
from dataward.discovery.engine.types import Where


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _eml() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Ana Reyes <ana@example.org>"
    msg["To"] = "bo@example.com, Cy Tan <cy@example.net>"
    msg["Subject"] = "Refund for card ending 4242"
    msg["Message-ID"] = "<abc@example.org>"
    msg.set_content("Hello Bo,\nthe SSN is on file.\n")
    msg.add_alternative(
        "<p>Hello <b>Bo</b></p><script>var x=1;</script><p>second</p>", subtype="html"
    )
    inner = _zip({"claims/list.csv": b"name,email\nDee,dee@example.org\n"})
    msg.add_attachment(inner, maintype="application", subtype="zip", filename="claims.zip")
    msg.add_attachment(b"note in a file\n", maintype="text", subtype="plain", filename="note.txt")
    return msg.as_bytes()


def test_eml_headers_bodies_and_nested_attachments(run_bytes) -> None:
    parts = run_bytes("mail.eml", _eml())
    headers = [(ctx, text) for kind, w, (text, ctx) in parts if kind == "seg" and w.line is None]
    assert headers == [
        ("From", "Ana Reyes <ana@example.org>"),
        ("To", "bo@example.com, Cy Tan <cy@example.net>"),
        ("Subject", "Refund for card ending 4242"),
    ]
    bodies = [text for kind, w, (text, ctx) in parts if ctx == "body"]
    assert bodies == ["Hello Bo,\nthe SSN is on file.\n", "\nHello Bo\nsecond\n"]
    assert ("table", Where(member="claims.zip/claims/list.csv"),
            (["name", "email"], [["Dee", "dee@example.org"]])) in parts  # fmt: skip
    assert ("seg", Where(member="note.txt", line=1), ("note in a file\n", "")) in parts


def test_eml_sniffed_without_suffix_and_inside_zip(run_bytes) -> None:
    outer = _zip({"mail/saved": _eml()})
    parts = run_bytes("export.zip", outer)
    members = {w.member for _, w, _ in parts}
    assert members == {"mail/saved", "mail/saved/claims.zip/claims/list.csv", "mail/saved/note.txt"}


def test_msg_fields_body_and_attachments(tmp_path: Path, run_path) -> None:
    path = tmp_path / "refund.msg"
    write_msg(
        path, subject="Refund — card 4242", sender="Ana Reyes <ana@example.org>",
        to=["Bo Lind <bo@example.com>", "cy@example.net"], body="Line one\nIBAN on line two\n",
        attachments=[("claims.zip", _zip({"a.csv": b"id,email\n1,dee@example.org\n"})),
                     ("big.txt", b"padding line\n" * 400)],
    )  # fmt: skip
    parts = run_path(path)
    fields = [(ctx, text) for kind, w, (text, ctx) in parts if kind == "seg" and not w.member]
    assert fields == [
        ("Subject", "Refund — card 4242"),
        ("Sender name", "Ana Reyes"),
        ("Sender address", "ana@example.org"),
        ("To", "Bo Lind; cy@example.net"),
        ("Recipient name", "Bo Lind"),
        ("Recipient address", "bo@example.com"),
        ("Recipient name", "cy@example.net"),
        ("body", "Line one\nIBAN on line two\n"),
    ]
    assert (
        "table",
        Where(member="claims.zip/a.csv"),
        (["id", "email"], [["1", "dee@example.org"]]),
    ) in parts
    big = [text for kind, w, (text, _) in parts if w.member == "big.txt"]
    assert "".join(big) == "padding line\n" * 400


def test_msg_sniffed_without_suffix(tmp_path: Path, run_path) -> None:
    path = tmp_path / "saved_item"
    write_msg(
        path, subject="s", sender="a@example.org", to="b@example.org", body="hi", attachments=[]
    )
    assert ("seg", Where(line=1), ("hi", "body")) in run_path(path)


def test_other_ole_files_are_skipped(tmp_path: Path, run_path) -> None:
    from dataward.demo.engine.msgfile import Node, compound_file

    path = tmp_path / "legacy.msg"
    path.write_bytes(
        compound_file(Node("Root Entry", children=[Node("WordDocument", b"x" * 5000)]))
    )
    assert run_path(path) == [("skip", Where(), "ole file is not an outlook message")]


@pytest.mark.parametrize("count", [1, 2, 3, 7, 20])
def test_msgfile_writes_a_strictly_valid_compound_file(tmp_path: Path, count: int) -> None:
    path = tmp_path / "m.msg"
    attachments = [(f"file{i}.bin", bytes([i]) * (i * 700)) for i in range(count)]
    write_msg(path, subject="s", sender="a@example.org", to=["b@example.org"] * count,
              body="b" * 3000 * count, attachments=attachments)  # fmt: skip
    ole = olefile.OleFileIO(str(path), raise_defects=olefile.DEFECT_INCORRECT)
    for i, (_, data) in enumerate(attachments):
        assert ole.openstream(f"__attach_version1.0_#{i:08X}/__substg1.0_37010102").read() == data
    props = ole.openstream("__properties_version1.0").read()
    assert struct.unpack_from("<IIII", props, 8) == (count, count, count, count)
    for entry in ole.direntries:
        if entry is not None and entry.kids:
            _check_red_black(entry)


def _check_red_black(storage: olefile.olefile.OleDirectoryEntry) -> None:
    by_sid = {kid.sid: kid for kid in storage.kids}

    def key(e: olefile.olefile.OleDirectoryEntry) -> tuple[int, str]:
        return (len(e.name), e.name.upper())

    def walk(sid: int, lo: object, hi: object, parent_red: bool) -> int:
        if sid == olefile.NOSTREAM:
            return 1
        node = by_sid[sid]
        red = node.color == 0
        assert not (red and parent_red)
        assert lo is None or key(node) > lo
        assert hi is None or key(node) < hi
        left = walk(node.sid_left, lo, key(node), red)
        right = walk(node.sid_right, key(node), hi, red)
        assert left == right
        return left + (0 if red else 1)

    root = by_sid[storage.sid_child]
    assert root.color == 1
    walk(storage.sid_child, None, None, False)


def test_msg_ansi_strings_and_html_body(tmp_path: Path, run_path) -> None:
    from dataward.demo.engine.msgfile import Node, compound_file

    root = Node("Root Entry", children=[
        Node("__properties_version1.0", bytes(32)),
        Node("__substg1.0_0037001E", "Café refund".encode("cp1252")),
        Node("__substg1.0_10130102", b"<html><p>Dear Ana,</p><p>IBAN below</p></html>"),
    ])  # fmt: skip
    path = tmp_path / "ansi.msg"
    path.write_bytes(compound_file(root))
    assert run_path(path) == [
        ("seg", Where(), ("Café refund", "Subject")),
        ("seg", Where(line=1), ("\nDear Ana,\nIBAN below", "body")),
    ]
