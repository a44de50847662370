"""Write real Outlook .msg files: [MS-OXMSG] properties in a version 3 [MS-CFB] compound file."""

from __future__ import annotations

import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

SECTOR, MINI_SECTOR, MINI_CUTOFF = 512, 64, 4096
ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
#: The class id Outlook gives the root storage of a message file.
MESSAGE_CLSID = uuid.UUID("00020D0B-0000-0000-C000-000000000046").bytes_le
PT_LONG, PT_UNICODE, PT_BINARY = 0x0003, 0x001F, 0x0102
STORE_UNICODE_OK = 0x00040000


@dataclass
class Node:
    """A storage (``data`` None) or stream of a compound file."""

    name: str
    data: bytes | None = None
    children: list[Node] = field(default_factory=list)
    sid: int = 0
    start: int = ENDOFCHAIN
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    black: bool = True


def write_msg(
    path: Path,
    *,
    subject: str,
    sender: str,
    to: Sequence[str] | str,
    body: str,
    attachments: Sequence[tuple[str, bytes]] = (),
) -> None:
    """Write an Outlook message with a subject, sender, recipients, plain body and attachments."""
    recipients = [to] if isinstance(to, str) else list(to)
    name, address = parseaddr(sender)
    props: list[tuple[int, int, object]] = [
        (0x001A, PT_UNICODE, "IPM.Note"),
        (0x0037, PT_UNICODE, subject),
        (0x1000, PT_UNICODE, body),
        (0x0C1A, PT_UNICODE, name or address),
        (0x0C1E, PT_UNICODE, "SMTP"),
        (0x0C1F, PT_UNICODE, address),
        (0x5D01, PT_UNICODE, address),
        (0x0E04, PT_UNICODE, "; ".join(parseaddr(r)[0] or parseaddr(r)[1] for r in recipients)),
        (0x0E07, PT_LONG, 0x1),
        (0x340D, PT_LONG, STORE_UNICODE_OK),
    ]
    counts = (len(recipients), len(attachments))
    head = struct.pack("<8xIIII8x", *counts, *counts)
    root = Node("Root Entry", children=_props(props, head))
    nameid = Node("__nameid_version1.0")
    nameid.children = [Node(f"__substg1.0_000{i}0102", b"") for i in (2, 3, 4)]
    root.children.append(nameid)
    for i, recipient in enumerate(recipients):
        rname, raddr = parseaddr(recipient)
        rprops = [
            (0x3000, PT_LONG, i), (0x0C15, PT_LONG, 1), (0x3001, PT_UNICODE, rname or raddr),
            (0x3002, PT_UNICODE, "SMTP"), (0x3003, PT_UNICODE, raddr), (0x39FE, PT_UNICODE, raddr),
        ]  # fmt: skip
        root.children.append(Node(f"__recip_version1.0_#{i:08X}", children=_props(rprops)))
    for i, (filename, data) in enumerate(attachments):
        aprops = [
            (0x0E21, PT_LONG, i), (0x3705, PT_LONG, 1), (0x370B, PT_LONG, 0xFFFFFFFF),
            (0x0E20, PT_LONG, len(data)), (0x3701, PT_BINARY, data),
            (0x3704, PT_UNICODE, filename[:255]), (0x3707, PT_UNICODE, filename),
        ]  # fmt: skip
        root.children.append(Node(f"__attach_version1.0_#{i:08X}", children=_props(aprops)))
    path.write_bytes(compound_file(root, MESSAGE_CLSID))


def _props(props: Sequence[tuple[int, int, object]], head: bytes = bytes(8)) -> list[Node]:
    entries, streams = [head], []
    for pid, ptype, value in props:
        tag = pid << 16 | ptype
        if ptype == PT_LONG:
            entries.append(struct.pack("<IIII", tag, 6, int(value), 0))  # type: ignore[call-overload]
            continue
        data = str(value).encode("utf-16-le") if ptype == PT_UNICODE else bytes(value)  # type: ignore[call-overload]
        size = len(data) + 2 if ptype == PT_UNICODE else len(data)
        entries.append(struct.pack("<IIII", tag, 6, size, 0))
        streams.append(Node(f"__substg1.0_{tag:08X}", data))
    return [Node("__properties_version1.0", b"".join(entries)), *streams]


def compound_file(root: Node, clsid: bytes = bytes(16)) -> bytes:
    """Return the bytes of a version 3 compound file holding the storage tree under ``root``."""
    nodes = _number(root)
    small = [n for n in nodes if n.data is not None and 0 < len(n.data) < MINI_CUTOFF]
    big = [n for n in nodes if n.data is not None and len(n.data) >= MINI_CUTOFF]
    mini, minifat = bytearray(), []
    for node in small:
        assert node.data is not None
        count = -(-len(node.data) // MINI_SECTOR)
        node.start = len(mini) // MINI_SECTOR
        minifat += [node.start + k + 1 for k in range(count - 1)] + [ENDOFCHAIN]
        mini += node.data.ljust(count * MINI_SECTOR, b"\0")
    chains: list[bytes] = []
    for node in big:
        assert node.data is not None
        chains.append(node.data)
    chains.append(bytes(mini))
    minifat_bytes = b"".join(struct.pack("<I", v) for v in minifat)
    minifat_bytes += b"\xff" * (-len(minifat_bytes) % SECTOR)
    chains.append(minifat_bytes)
    fat: list[int] = []
    starts: list[int] = []
    body = bytearray()
    for data in chains:
        count = -(-len(data) // SECTOR)
        starts.append(len(fat) if count else ENDOFCHAIN)
        fat += [len(fat) + k + 1 for k in range(count - 1)] + ([ENDOFCHAIN] if count else [])
        body += data.ljust(count * SECTOR, b"\0")
    for node, start in zip(big, starts, strict=False):
        node.start = start
    root.start = starts[-2]
    directory = _directory(nodes, len(mini), clsid)
    dir_start = len(fat)
    count = len(directory) // SECTOR
    fat += [dir_start + k + 1 for k in range(count - 1)] + [ENDOFCHAIN]
    body += directory
    n_fat = 1
    while n_fat * (SECTOR // 4) < len(fat) + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for a writer without DIFAT sectors")
    fat_start = len(fat)
    fat += [FATSECT] * n_fat
    fat += [FREESECT] * (n_fat * SECTOR // 4 - len(fat))
    body += b"".join(struct.pack("<I", v) for v in fat)
    difat = [fat_start + k for k in range(n_fat)] + [FREESECT] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", SIGNATURE, bytes(16), 0x3E, 3, 0xFFFE, 9, 6, bytes(6),
        0, n_fat, dir_start, 0, MINI_CUTOFF, starts[-1], len(minifat_bytes) // SECTOR,
        ENDOFCHAIN, 0,
    ) + struct.pack("<109I", *difat)  # fmt: skip
    return header + bytes(body)


def _number(root: Node) -> list[Node]:
    nodes, queue = [root], [root]
    while queue:
        storage = queue.pop(0)
        kids = sorted(storage.children, key=lambda n: (len(n.name), n.name.upper()))
        for kid in kids:
            kid.sid = len(nodes)
            nodes.append(kid)
            if kid.data is None:
                queue.append(kid)
        depth = _depth(len(kids))
        storage.child = _tree(kids, 1, depth)
    return nodes


def _depth(count: int) -> int:
    return 0 if count == 0 else 1 + _depth((count - 1) // 2 + (count - 1) % 2)


def _tree(kids: list[Node], level: int, depth: int) -> int:
    """Arrange siblings as a balanced red-black tree, red only on its deepest level."""
    if not kids:
        return NOSTREAM
    mid = len(kids) // 2
    node = kids[mid]
    node.black = not (level == depth and level > 1)
    node.left = _tree(kids[:mid], level + 1, depth)
    node.right = _tree(kids[mid + 1 :], level + 1, depth)
    return node.sid


def _directory(nodes: list[Node], mini_size: int, clsid: bytes) -> bytes:
    out = bytearray()
    for node in nodes:
        name = node.name.encode("utf-16-le") + b"\0\0"
        kind = 5 if node.sid == 0 else (1 if node.data is None else 2)
        size = mini_size if node.sid == 0 else len(node.data or b"")
        start = node.start if (node.sid == 0 or size) else ENDOFCHAIN
        out += struct.pack(
            "<64sHBBIII16sIQQIQ", name, len(name), kind, int(node.black), node.left, node.right,
            node.child, clsid if node.sid == 0 else bytes(16), 0, 0, 0,
            start if kind != 1 else 0, size,
        )  # fmt: skip
    empty = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM,
                        bytes(16), 0, 0, 0, 0, 0)  # fmt: skip
    while len(out) % SECTOR:
        out += empty
    return bytes(out)
