"""Read ZIP archives member by member, in memory, within depth, count, size and ratio limits."""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import BinaryIO, cast

from dataward.discovery.engine.extractors.registry import (
    TOO_BIG,
    TOO_MANY,
    Part,
    Source,
    extractor,
)
from dataward.discovery.engine.types import Skipped


@extractor(suffixes=(".zip",), random_access=True)
def extract_zip(src: Source) -> Iterator[Part]:
    """Yield each member's parts with its path as ``member``; unsafe members are skipped."""
    if src.depth + 1 > src.limits.max_depth:
        yield Skipped(src.where(), "nested deeper than limit")
        return
    with zipfile.ZipFile(src.stream) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if src.budget.exhausted:
                return
            where = src.where(member=src.child(info.filename))
            reason = _refuse(src, info)
            if reason is not None:
                yield Skipped(where, reason)
                if reason in (TOO_MANY, TOO_BIG):
                    src.budget.exhausted = True
                    return
                continue
            try:
                member = archive.open(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
                yield Skipped(where, "corrupt zip member")
                continue
            with member:
                yield from src.nested(info.filename, cast(BinaryIO, member), info.file_size)


def _refuse(src: Source, info: zipfile.ZipInfo) -> str | None:
    ratio = info.file_size / info.compress_size if info.compress_size else float(info.file_size)
    reason = _unsafe(info)
    if reason is None and info.flag_bits & 0x1:
        reason = "encrypted member"
    if reason is None and info.file_size > 1024 and ratio > src.limits.max_ratio:
        reason = "suspicious compression ratio"
    if reason is None:
        return src.admit(info.file_size)
    src.budget.members += 1  # refused members count too, so their skips stay bounded
    return reason if src.budget.members <= src.limits.max_members else TOO_MANY


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    """Return why a member's name or type is unsafe to follow (zip-slip, links, devices)."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or ".." in PurePosixPath(name).parts or name[1:3] == ":/":
        return "unsafe member path (absolute or with ..), not read"
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):
        return "symbolic link member, not followed"
    if info.create_system == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        return "special member (device, socket or fifo), not read"
    return None


def package_refusal(src: Source) -> str | None:
    """Return why an Office package (XLSX, DOCX) must not be handed to its library, or None.

    openpyxl and python-docx unpack parts whole; the same limits as for archive members keep a
    zip bomb dressed as a document out of memory. The stream is left at its start.
    """
    try:
        with zipfile.ZipFile(src.stream) as archive:
            infos = archive.infolist()
    except Exception:  # noqa: BLE001 - the format's own reader reports the broken file
        return None
    finally:
        src.stream.seek(0)
    limits = src.limits
    for info in infos:
        if info.file_size > limits.max_member_bytes:
            return "document part larger than limit"
        if info.file_size > 1024**2 and info.file_size > limits.max_ratio * info.compress_size:
            return "suspicious compression ratio"
    if sum(info.file_size for info in infos) > limits.max_total_unpacked:
        return TOO_BIG
    return None
