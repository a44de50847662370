"""Dispose of one planned file safely: inside its root, never through a symlink, only if unchanged.

Every step walks from ``/`` to the planned root and on to the file's folder one directory at a
time with ``O_NOFOLLOW`` and works on the final name relative to its parent's descriptor
(``openat``/``unlinkat``), so a symlink placed anywhere in the path (the root included), before
planning or between the check and the deletion, is refused rather than followed. The file is
opened without following links and without blocking (a FIFO swapped in never hangs the run), and
must be the very inode that was checked. The file's size and SHA-256 are read through the same
descriptor and compared with the plan's before anything is removed. A file with other hard links
is refused: overwriting it would destroy the data under its other names, and unlinking one name
would not remove the data.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

CHUNK = 1 << 20
METHODS = ("delete", "overwrite")
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
_FILE = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY


class RefusedError(Exception):
    """Disposal of an item was refused, with the reason (the item is left untouched)."""


class GoneError(RefusedError):
    """The planned file (or a folder on its path) no longer exists."""


class FailedError(RefusedError):
    """Removal failed after the file's content had been touched (the reason says how far)."""


@dataclass(frozen=True)
class Target:
    """A planned file: its root (the scanned folder, an absolute path) and its path below it."""

    root: str
    rel: str

    def parts(self) -> list[str]:
        """Return the path below the root as safe components (no '..', no absolute parts)."""
        rel = PurePosixPath(self.rel)
        parts = list(rel.parts)
        if rel.is_absolute() or not parts or any(p in ("", ".", "..") for p in self.rel.split("/")):
            raise RefusedError("the path leaves its planned root")
        return parts


def _step(part: str, fd: int, what: str) -> int:
    """Open one folder below a descriptor without following a symlink."""
    try:
        return os.open(part, _DIR, dir_fd=fd)
    except FileNotFoundError:
        raise GoneError(f"the file is gone ({what} {part!r} no longer exists)") from None
    except OSError as exc:
        reason = "a symlink" if _is_link(part, fd) else exc.strerror
        raise RefusedError(f"{what} {part!r} on the path is {reason}") from None


@contextmanager
def _parent(target: Target) -> Iterator[tuple[int, str]]:
    """Yield a descriptor of the file's directory (reached without symlinks) and its name."""
    parts = target.parts()
    root = PurePosixPath(target.root)
    if not root.is_absolute() or ".." in root.parts:
        raise RefusedError("the planned root is not an absolute path")
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    try:
        for what, names in (("the planned root's folder", root.parts[1:]), ("folder", parts[:-1])):
            for part in names:
                nxt = _step(part, fd, what)
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
    """Return the file's own stat; refuse a missing file, a symlink, a non-file or hard links."""
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        raise GoneError("the file is gone") from None
    except OSError as exc:
        raise RefusedError(f"the file cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise RefusedError("the file is a symlink")
    if not stat.S_ISREG(st.st_mode):
        raise RefusedError("not a regular file")
    if st.st_nlink > 1:
        raise RefusedError(
            f"the file has {st.st_nlink} hard links (its data lives on under the other names)"
        )
    return st


def _open(name: str, dir_fd: int, st: os.stat_result, flags: int) -> int:
    """Open the checked file itself; refuse if another file took its name meanwhile."""
    try:
        fd = os.open(name, flags | _FILE, dir_fd=dir_fd)
    except OSError as exc:
        raise RefusedError(f"the file cannot be opened ({exc.strerror})") from None
    now = os.fstat(fd)
    if not stat.S_ISREG(now.st_mode) or (now.st_ino, now.st_dev) != (st.st_ino, st.st_dev):
        os.close(fd)
        raise RefusedError("the file was replaced while it was checked")
    return fd


def _digest(fd: int) -> tuple[int, str]:
    """Return the size and SHA-256 of what an open file holds."""
    digest = hashlib.sha256()
    size = 0
    try:
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
            size += len(chunk)
    except OSError as exc:
        raise RefusedError(f"the file cannot be read ({exc.strerror})") from None
    return size, digest.hexdigest()


def measure(target: Target) -> tuple[int, str]:
    """Return the file's size and SHA-256, read without following any symlink."""
    with _parent(target) as (dir_fd, name):
        fd = _open(name, dir_fd, _regular(name, dir_fd), os.O_RDONLY)
        try:
            return _digest(fd)
        finally:
            os.close(fd)


def gone(target: Target) -> bool:
    """Return whether the planned file is absent (not merely hidden behind a symlink)."""
    try:
        with _parent(target) as (dir_fd, name):
            os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            return False
    except (GoneError, FileNotFoundError):
        return True
    except (RefusedError, OSError):
        return False


def identity(st: os.stat_result) -> str:
    """Return the device and inode of a file as one string."""
    return f"{st.st_dev}:{st.st_ino}"


def dispose(
    target: Target,
    size: int,
    sha256: str,
    method: str,
    before_destroy: Callable[[str], None] | None = None,
) -> None:
    """Remove the file if it is unchanged since planning; overwrite it first if asked.

    Raises RefusedError (and touches nothing) when the file changed, moved behind a symlink,
    or is not a regular file. ``before_destroy`` receives the file's identity once everything
    is verified and before the first byte is touched (the caller records it, for resuming).
    """
    if method not in METHODS:
        raise RefusedError(f"unknown method {method!r}")
    with _parent(target) as (dir_fd, name):
        st = _regular(name, dir_fd)
        fd = _open(name, dir_fd, st, os.O_RDWR if method == "overwrite" else os.O_RDONLY)
        try:
            if _digest(fd) != (size, sha256):
                raise RefusedError("the file changed since the plan was made (size or SHA-256)")
            if before_destroy is not None:
                before_destroy(identity(st))
            _destroy(fd, name, dir_fd, st, method)
        finally:
            os.close(fd)


def finish(target: Target, ident: str, size: int, method: str) -> bool:
    """Finish an interrupted removal of the same file (same inode and size); False if absent."""
    if method not in METHODS:
        raise RefusedError(f"unknown method {method!r}")
    with _parent(target) as (dir_fd, name):
        try:
            st = _regular(name, dir_fd)
        except GoneError:
            return False
        if identity(st) != ident or st.st_size != size:
            raise RefusedError("the file was replaced since the interrupted run")
        fd = _open(name, dir_fd, st, os.O_RDWR if method == "overwrite" else os.O_RDONLY)
        try:
            _destroy(fd, name, dir_fd, st, method)
        finally:
            os.close(fd)
    return True


def _destroy(fd: int, name: str, dir_fd: int, st: os.stat_result, method: str) -> None:
    """Overwrite (if asked) the open file, then unlink its name if it is still that file."""
    done = "overwritten, " if method == "overwrite" else ""
    try:
        if method == "overwrite":
            _overwrite(fd, st.st_size)
        again = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if identity(again) != identity(st):
            raise FailedError(f"{done}but another file took its name; nothing else was removed")
        os.unlink(name, dir_fd=dir_fd)
    except OSError as exc:
        raise FailedError(f"{done}not removed ({exc.strerror})") from None


def _overwrite(fd: int, size: int) -> None:
    """Write zeros over the file's bytes in place and flush them to the device."""
    os.lseek(fd, 0, os.SEEK_SET)
    zeros = bytes(CHUNK)
    left = size
    while left > 0:
        n = os.write(fd, zeros[: min(CHUNK, left)])
        left -= n
    os.fsync(fd)
