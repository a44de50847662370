"""Dispose of one planned file safely: inside its root, never through a symlink, only if unchanged.

Every step walks from the planned root one directory at a time with ``O_NOFOLLOW`` and works on
the final name relative to its parent's descriptor (``openat``/``unlinkat``), so a symlink placed
anywhere in the path, before planning or between the check and the deletion, is refused rather
than followed. The file's size and SHA-256 are read through the same descriptors and compared
with the plan's before anything is removed.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

CHUNK = 1 << 20
METHODS = ("delete", "overwrite")


class RefusedError(Exception):
    """Disposal of an item was refused, with the reason (the item is left untouched)."""


@dataclass(frozen=True)
class Target:
    """A planned file: its root (the scanned folder) and its path below it."""

    root: str
    rel: str

    def parts(self) -> list[str]:
        """Return the path below the root as safe components (no '..', no absolute parts)."""
        rel = PurePosixPath(self.rel.replace("\\", "/"))
        parts = list(rel.parts)
        if rel.is_absolute() or not parts or any(p in ("", ".", "..") for p in parts):
            raise RefusedError("the path leaves its planned root")
        return parts


@contextmanager
def _parent(target: Target) -> Iterator[tuple[int, str]]:
    """Yield a descriptor of the file's directory (reached without symlinks) and its name."""
    parts = target.parts()
    try:
        fd = os.open(target.root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise RefusedError(f"the planned root cannot be opened ({exc.strerror})") from None
    try:
        for part in parts[:-1]:
            try:
                nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                reason = "a symlink" if _is_link(part, fd) else exc.strerror
                raise RefusedError(f"folder {part!r} on the path is {reason}") from None
            os.close(fd)
            fd = nxt
        yield fd, parts[-1]
    finally:
        os.close(fd)


def _is_link(name: str, dir_fd: int) -> bool:
    """Return whether a name in a directory is a symlink."""
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _regular(name: str, dir_fd: int) -> os.stat_result:
    """Return the file's own stat; refuse a missing file, a symlink or anything not regular."""
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        raise RefusedError("the file is gone") from None
    except OSError as exc:
        raise RefusedError(f"the file cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise RefusedError("the file is a symlink")
    if not stat.S_ISREG(st.st_mode):
        raise RefusedError("not a regular file")
    return st


def measure(target: Target) -> tuple[int, str]:
    """Return the file's size and SHA-256, read without following any symlink."""
    with _parent(target) as (dir_fd, name):
        _regular(name, dir_fd)
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dir_fd)
        try:
            digest = hashlib.sha256()
            size = 0
            while chunk := os.read(fd, CHUNK):
                digest.update(chunk)
                size += len(chunk)
            return size, digest.hexdigest()
        finally:
            os.close(fd)


def exists(target: Target) -> bool:
    """Return whether the planned file is still there (as a regular file)."""
    try:
        with _parent(target) as (dir_fd, name):
            _regular(name, dir_fd)
            return True
    except RefusedError:
        return False


def dispose(target: Target, size: int, sha256: str, method: str) -> None:
    """Remove the file if it is unchanged since planning; overwrite it first if asked.

    Raises RefusedError (and touches nothing) when the file changed, moved behind a symlink,
    or is not a regular file.
    """
    if method not in METHODS:
        raise RefusedError(f"unknown method {method!r}")
    with _parent(target) as (dir_fd, name):
        st = _regular(name, dir_fd)
        flags = (os.O_RDWR if method == "overwrite" else os.O_RDONLY) | os.O_NOFOLLOW
        fd = os.open(name, flags, dir_fd=dir_fd)
        try:
            now = os.fstat(fd)
            if (now.st_ino, now.st_dev) != (st.st_ino, st.st_dev):
                raise RefusedError("the file was replaced while it was checked")
            digest = hashlib.sha256()
            seen = 0
            while chunk := os.read(fd, CHUNK):
                digest.update(chunk)
                seen += len(chunk)
            if seen != size or digest.hexdigest() != sha256:
                raise RefusedError("the file changed since the plan was made (size or SHA-256)")
            if method == "overwrite":
                _overwrite(fd, seen)
        finally:
            os.close(fd)
        os.unlink(name, dir_fd=dir_fd)


def _overwrite(fd: int, size: int) -> None:
    """Write zeros over the file's bytes in place and flush them to the device."""
    os.lseek(fd, 0, os.SEEK_SET)
    zeros = bytes(CHUNK)
    left = size
    while left > 0:
        n = os.write(fd, zeros[: min(CHUNK, left)])
        left -= n
    os.fsync(fd)
