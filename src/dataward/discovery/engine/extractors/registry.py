"""Pick an extractor by suffix or content, guard it, and stream text, tables and skips out of it."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

from dataward.discovery.engine.extractors._sniff import OLE_MAGIC, ole_reason, sniff
from dataward.discovery.engine.types import Limits, Segment, Skipped, Table, Where

Part = Segment | Table | Skipped
#: Keep at most this much of a spooled container member in memory; the rest goes to a temp file.
SPOOL_MEMORY = 8 * 1024**2
TOO_MANY = "more members than limit"
TOO_BIG = "unpacked total over limit"
#: Kinds a suffix may claim for content that is plainly another format (a PDF named .csv).
_TEXT_KINDS = frozenset({"csv", "json", "jsonl", "text", "eml"})
_BINARY_MAGIC = (b"%PDF-", b"PK\x03\x04", OLE_MAGIC)


@dataclass(slots=True)
class Budget:
    """Members and unpacked bytes counted across one file's whole tree of containers."""

    members: int = 0
    unpacked: int = 0
    exhausted: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    """One file or container member handed to an extractor, with its place in the tree."""

    name: str
    stream: BinaryIO
    size: int | None
    limits: Limits
    member: str = ""
    depth: int = 0
    budget: Budget = field(default_factory=Budget)

    def where(self, **fields: int | str | None) -> Where:
        """Return a location inside this source (its member path unless given, plus fields)."""
        fields.setdefault("member", self.member)
        return Where(**fields)  # type: ignore[arg-type]

    def suffix(self) -> str:
        """Return the lower-case suffix of the source's name (``""`` when it has none)."""
        return PurePosixPath(self.name).suffix.lower()

    def child(self, name: str) -> str:
        """Return the member path of something named ``name`` inside this source."""
        return f"{self.member}/{name}" if self.member else name

    def admit(self, size: int) -> str | None:
        """Count one member of ``size`` bytes against the limits; return why not, or None."""
        budget, limits = self.budget, self.limits
        budget.members += 1
        if budget.members > limits.max_members:
            return TOO_MANY
        if size > limits.max_member_bytes:
            return "member larger than limit"
        if budget.unpacked + size > limits.max_total_unpacked:
            return TOO_BIG
        budget.unpacked += size
        return None

    def nested(self, name: str, stream: BinaryIO, size: int | None) -> Iterator[Part]:
        """Extract a member of this container one level deeper, sharing the budget."""
        return extract_stream(
            PurePosixPath(name).name or name, stream, size=size, limits=self.limits,
            member=self.child(name), depth=self.depth + 1, budget=self.budget,
        )  # fmt: skip


Extract = Callable[[Source], Iterator[Part]]


@dataclass(frozen=True, slots=True)
class Extractor:
    """A registered extractor: its kind, the suffixes it claims, and whether it needs seeking."""

    kind: str
    suffixes: tuple[str, ...]
    random_access: bool
    run: Extract


_BY_KIND: dict[str, Extractor] = {}
_BY_SUFFIX: dict[str, str] = {}


def extractor(
    *, suffixes: tuple[str, ...], kind: str | None = None, random_access: bool = False
) -> Callable[[Extract], Extract]:
    """Register a generator as the extractor of a format (its kind defaults to the suffix)."""

    def register(fn: Extract) -> Extract:
        name = kind or suffixes[0].lstrip(".")
        _BY_KIND[name] = Extractor(name, suffixes, random_access, fn)
        for suffix in suffixes:
            _BY_SUFFIX[suffix.lower()] = name
        return fn

    return register


@cache
def load() -> dict[str, Extractor]:
    """Import every extractor module in this folder (no hand-kept list) and return the registry."""
    import dataward.discovery.engine.extractors as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{pkg.__name__}.{info.name}")
    return _BY_KIND


def suffixes() -> dict[str, str]:
    """Return the registered suffixes and the kind of extractor each selects."""
    load()
    return dict(_BY_SUFFIX)


def extract_path(path: Path, limits: Limits = Limits()) -> Iterator[Part]:  # noqa: B008
    """Stream the text, tables and skips of one file on disk."""
    try:
        size = path.stat().st_size
    except OSError:
        yield Skipped(Where(), "unreadable file")
        return
    if size > limits.max_file_bytes:
        yield Skipped(Where(), "larger than limit")
        return
    try:
        fh = path.open("rb")
    except OSError:
        yield Skipped(Where(), "unreadable file")
        return
    with fh:
        yield from extract_stream(path.name, fh, size=size, limits=limits)


def extract_stream(
    name: str,
    stream: BinaryIO,
    *,
    size: int | None,
    limits: Limits,
    member: str = "",
    depth: int = 0,
    budget: Budget | None = None,
) -> Iterator[Part]:
    """Stream the text, tables and skips of one file-like object (a file or a container member).

    A table's rows must be read before the next part is asked for: they stream from ``stream``.
    """
    where = Where(member=member)
    if size is not None and size > limits.max_file_bytes:
        yield Skipped(where, "larger than limit")
        return
    if depth > limits.max_depth:
        yield Skipped(where, "nested deeper than limit")
        return
    registry = load()
    with ExitStack() as stack:
        try:
            if not stream.seekable():
                stream = _spool(stream, stack)
            kind, stream = _choose(name, stream, stack)
            if kind is not None and registry[kind].random_access:
                stream = _seekable(stream, stack)
            refused = _ole_office(kind, stream)
        except Exception:  # noqa: BLE001 - a broken stream is a skip, not a crash
            yield Skipped(where, "unreadable stream")
            return
        if kind is None:
            yield Skipped(where, "binary")
            return
        if refused:
            yield Skipped(where, refused)
            return
        ext = registry[kind]
        src = Source(name, stream, size, limits, member, depth, budget or Budget())
        yield from _guarded(ext, src)


def _choose(name: str, stream: BinaryIO, stack: ExitStack) -> tuple[str | None, BinaryIO]:
    """Pick the kind by suffix; content decides when there is none or it is plainly binary."""
    kind = _BY_SUFFIX.get(PurePosixPath(name).suffix.lower())
    if kind is not None and kind not in _TEXT_KINDS:
        return kind, stream
    head = stream.read(8192)
    stream.seek(0)
    if kind is not None and not head.startswith(_BINARY_MAGIC):
        return kind, stream
    if head.startswith(b"PK"):
        stream = _seekable(stream, stack)
    return sniff(head, stream), stream


def _ole_office(kind: str | None, stream: BinaryIO) -> str | None:
    """Return why an XLSX or DOCX that is really an OLE file (encrypted, or .xls) is not read."""
    if kind not in ("xlsx", "docx"):
        return None
    head = stream.read(len(OLE_MAGIC))
    stream.seek(0)
    return ole_reason(stream) if head == OLE_MAGIC else None


def _seekable(stream: BinaryIO, stack: ExitStack) -> BinaryIO:
    """Return a stream cheap to seek in: a compressed ZIP member is spooled first."""
    return _spool(stream, stack) if isinstance(stream, zipfile.ZipExtFile) else stream


def _spool(stream: BinaryIO, stack: ExitStack) -> BinaryIO:
    spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY))  # noqa: SIM115
    shutil.copyfileobj(stream, spool, 1 << 20)
    spool.seek(0)
    return cast(BinaryIO, spool)


class _Rows:
    """Stream a table's rows, ending quietly on a format error and remembering it."""

    def __init__(self, rows: Iterator[object]) -> None:
        self.rows = rows
        self.count = 0
        self.failed = False

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> object:
        if self.failed:
            raise StopIteration
        try:
            row = next(self.rows)
        except StopIteration:
            raise
        except Exception:  # noqa: BLE001 - reported as a Skipped by _guarded
            self.failed = True
            raise StopIteration from None
        self.count += 1
        return row


def _guarded(ext: Extractor, src: Source) -> Iterator[Part]:
    pending: list[tuple[_Rows, Where]] = []

    def flush() -> Iterator[Part]:
        for rows, where in pending:
            if rows.failed:
                yield Skipped(where, f"corrupt {ext.kind} after row {rows.count}")
        pending.clear()

    try:
        for part in ext.run(src):
            yield from flush()
            if isinstance(part, Table):
                rows = _Rows(iter(part.rows))
                part.rows = cast(Iterator[list[str]], rows)
                pending.append((rows, part.where))
            yield part
    except Exception as exc:  # noqa: BLE001 - a corrupt file never raises out of extraction
        yield from flush()
        yield Skipped(src.where(), f"corrupt {ext.kind} ({type(exc).__name__})")
    yield from flush()
