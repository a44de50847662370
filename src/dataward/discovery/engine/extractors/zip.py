"""Read ZIP archives member by member, in memory, within depth, count, size and ratio limits."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
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
    if info.flag_bits & 0x1:
        src.budget.members += 1
        return "encrypted member" if src.budget.members <= src.limits.max_members else TOO_MANY
    ratio = info.file_size / info.compress_size if info.compress_size else float(info.file_size)
    if info.file_size > 1024 and ratio > src.limits.max_ratio:
        src.budget.members += 1
        return "suspicious compression ratio"
    return src.admit(info.file_size)
