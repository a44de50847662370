"""Walk a local folder or mounted share, yielding its regular files in a stable order.

The walk is iterative (a stack of directory listings), so deep trees never hit Python's
recursion limit. Files come out sorted by their POSIX path relative to the root, exactly as
``sorted(rel for ...)`` would order them. Nothing here raises for a single unreadable entry: it
becomes a :class:`~dataward.discovery.engine.types.Skipped` with a reason instead.

Glob patterns (``include``/``exclude``) are matched, case-sensitively, against that relative path:
``*`` and ``?`` stay inside one path segment, ``**`` spans any number of segments (also none), and
a pattern without a ``/`` (other than a trailing one) matches the name at any depth (``*.tmp``
is ``**/*.tmp``, as in ``.gitignore``); a leading ``/`` anchors it to the root (``/*.tmp``). A
pattern ending in ``/`` or ``/**`` names a folder and everything below it. ``exclude`` wins over
``include``; an empty ``include`` means every file. Excluded folders are not entered at all.

Symbolic links: a link whose target resolves outside the root is never followed and is reported
as skipped; a link to a folder inside the root is not followed either (its target is walked
anyway, and this keeps link loops harmless); a link to a file inside the root is read.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from dataward.discovery.engine.types import Skipped, Where
from dataward.errors import DatawardError

OUTSIDE = "symlink points outside the scanned folder"
NOT_REGULAR = "not a regular file"
BROKEN = "broken symlink (its target is missing or loops)"


@dataclass(frozen=True, slots=True)
class FileRef:
    """A regular file found by the walk: path, POSIX path relative to the root, size, mtime."""

    path: Path
    rel: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class _Filter:
    include: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]

    def wants_file(self, rel: str) -> bool:
        if any(p.fullmatch(rel) for p in self.exclude):
            return False
        return not self.include or any(p.fullmatch(rel) for p in self.include)

    def prunes_dir(self, rel: str) -> bool:
        return any(p.fullmatch(rel) for p in self.exclude)


def walk(
    root: Path, *, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Iterator[FileRef | Skipped]:
    """Yield every regular file under ``root`` sorted by relative path, or a skip with its reason.

    Raises:
        DatawardError: ``root`` does not exist.
    """
    root = Path(root)
    filt = _Filter(tuple(map(compile_glob, include)), tuple(map(compile_glob, exclude)))
    try:
        info = os.stat(root)
    except FileNotFoundError:
        raise DatawardError(
            "no such file or folder",
            where=str(root),
            hint="check the path and that the share is mounted",
        ) from None
    except OSError as exc:
        yield Skipped(Where(member=root.name or "."), _os_reason(exc))
        return
    if not stat.S_ISDIR(info.st_mode):
        if filt.wants_file(root.name):
            yield _file_or_skip(root, root.name, info)
        return
    yield from _walk_dir(root, os.path.realpath(root), filt)


def _walk_dir(root: Path, real_root: str, filt: _Filter) -> Iterator[FileRef | Skipped]:
    prefix = os.path.join(real_root, "")
    stack: list[Iterator[tuple[str, str, os.DirEntry[str]]]] = []
    listed = _listing(str(root), "")
    if isinstance(listed, Skipped):
        yield Skipped(Where(member="."), listed.reason)
        return
    stack.append(iter(listed))
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        rel, kind, entry = item
        if kind == "dir":
            if filt.prunes_dir(rel):
                continue
            listed = _listing(entry.path, rel + "/")
            if isinstance(listed, Skipped):
                yield listed
            else:
                stack.append(iter(listed))
        elif kind == "link":
            found = _symlink(entry, rel, prefix, filt)
            if found is not None:
                yield found
        elif filt.wants_file(rel):
            yield _entry(entry, rel)


def _listing(path: str, rel_dir: str) -> list[tuple[str, str, os.DirEntry[str]]] | Skipped:
    """List one folder as ``(rel, kind, entry)``, sorted so a depth-first walk is in rel order."""
    try:
        with os.scandir(path) as it:
            entries = [(_kind(e), e) for e in it]
    except OSError as exc:
        return Skipped(Where(member=rel_dir.rstrip("/") or "."), _os_reason(exc, "folder"))
    # A folder's children all start with "name/", so sorting folders as "name/" keeps the
    # concatenated walk in plain string order (e.g. "a-b.txt" < "a/x" because "-" < "/").
    entries.sort(key=lambda ke: ke[1].name + "/" if ke[0] == "dir" else ke[1].name)
    return [(rel_dir + e.name, kind, e) for kind, e in entries]


def _kind(entry: os.DirEntry[str]) -> str:
    """Return ``dir``, ``link`` or ``other`` without following links (``other`` if unknown)."""
    try:
        if entry.is_symlink():
            return "link"
        return "dir" if entry.is_dir(follow_symlinks=False) else "other"
    except OSError:
        return "other"  # _entry's own stat call reports the error


def _symlink(
    entry: os.DirEntry[str], rel: str, prefix: str, filt: _Filter
) -> FileRef | Skipped | None:
    target = os.path.realpath(entry.path)
    inside = target.startswith(prefix) or target == prefix.rstrip(os.sep)
    try:
        info = os.stat(entry.path)
    except OSError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        # Links to folders are never followed: inside the root the target is walked anyway.
        if inside or filt.prunes_dir(rel):
            return None
        return Skipped(Where(member=rel), OUTSIDE)
    if not filt.wants_file(rel):
        return None
    if not inside:
        return Skipped(Where(member=rel), OUTSIDE)
    if info is None:
        return Skipped(Where(member=rel), BROKEN)
    return _file_or_skip(Path(entry.path), rel, info)


def _entry(entry: os.DirEntry[str], rel: str) -> FileRef | Skipped:
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError as exc:
        return Skipped(Where(member=rel), _os_reason(exc))
    return _file_or_skip(Path(entry.path), rel, info)


def _file_or_skip(path: Path, rel: str, info: os.stat_result) -> FileRef | Skipped:
    if not stat.S_ISREG(info.st_mode):
        return Skipped(Where(member=rel), NOT_REGULAR)
    if not os.access(path, os.R_OK):
        return Skipped(Where(member=rel), "permission denied (file not readable)")
    return FileRef(path, rel, info.st_size, info.st_mtime_ns)


def _os_reason(exc: OSError, what: str = "file") -> str:
    if isinstance(exc, PermissionError):
        return f"permission denied ({what} not readable)"
    return f"could not read the {what} ({exc.strerror or type(exc).__name__})"


def compile_glob(pattern: str) -> re.Pattern[str]:
    """Compile a ``**``-aware glob over POSIX relative paths into a full-match regex."""
    pat = pattern.replace("\\", "/").strip()
    while pat.startswith("./"):
        pat = pat[2:]
    anchored = "/" in pat.rstrip("/")
    pat = pat.lstrip("/")
    if pat.endswith("/"):
        pat += "**"
    if not anchored:
        pat = "**/" + pat
    out: list[str] = []
    i = 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("/**", i) and i + 3 == len(pat):
            out.append("(?:/.*)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            piece, i = _one(pat, i)
            out.append(piece)
    return re.compile("".join(out), re.DOTALL)


def _one(pat: str, i: int) -> tuple[str, int]:
    char = pat[i]
    if char == "*":
        return "[^/]*", i + 1
    if char == "?":
        return "[^/]", i + 1
    if char == "[":
        end = pat.find("]", i + 2)
        if end != -1:
            body = pat[i + 1 : end]
            negate = body[:1] in ("!", "^")
            body = re.escape(body[1:] if negate else body).replace("\\-", "-")
            return ("[^/" if negate else "[") + body + "]", end + 1
    return re.escape(char), i + 1
