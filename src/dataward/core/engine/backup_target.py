"""Decide where a backup may be written; publish it there in one step, or leave nothing."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from dataward.core.engine.backup_crypto import BackupError

EXISTS_HINT = "choose another name or pass --force"


def check_destination(dest: Path, workspace: Path, force: bool) -> None:
    """Refuse a destination the backup must not be written to, before any work is done.

    A symbolic link is refused even with ``--force`` (replacing the link or writing through it
    would both surprise someone); so is any name inside the workspace, where the next backup
    would copy the archive into itself and the archive would travel with the workspace.
    """
    where = str(dest)
    if not dest.parent.is_dir():
        raise BackupError("no such folder", str(dest.parent), "create it or choose another")
    if dest.is_symlink():
        raise BackupError("the name is a symbolic link", where, "name the file itself")
    real = dest.parent.resolve() / dest.name
    root = workspace.resolve()
    if real == root or root in real.parents:
        raise BackupError(
            "a backup must not be written inside the workspace (it would be copied into the "
            "next backup and leave with the workspace)",
            where,
            f"write it outside {root}, for example under /var/backups/dataward/",
        )
    try:
        mode = dest.stat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        raise BackupError("is a folder", where, "name a file in it")
    if not stat.S_ISREG(mode):
        raise BackupError("is not a regular file", where, "name a regular file")
    if not force:
        raise BackupError("the file exists", where, EXISTS_HINT)


def temporary_name(dest: Path) -> Path:
    """Return a hidden name beside ``dest`` that names this process (see ``clear_leftovers``)."""
    return dest.with_name(f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def clear_leftovers(dest: Path) -> list[Path]:
    """Remove temporary files of earlier backups to ``dest`` whose process has ended.

    Ctrl-C and SIGTERM remove their own; these are left by a kill -9 or a power cut (their
    content is encrypted, but it is a partial archive nobody should keep).
    """
    prefix, removed = f".{dest.name}.", []
    with contextlib.suppress(OSError), os.scandir(dest.parent) as entries:
        for entry in entries:
            rest = entry.name.removeprefix(prefix)
            parts = rest.split(".")
            if rest == entry.name or len(parts) != 3 or parts[2] != "tmp":
                continue
            if not parts[0].isdigit() or len(parts[1]) != 8 or _alive(int(parts[0])):
                continue
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def publish(tmp: Path, dest: Path, force: bool) -> None:
    """Move a complete, flushed archive to its name in one step; never replace one unless told.

    Without ``force`` a hard link claims the name (it fails if the name was taken meanwhile);
    on file systems without hard links (vfat, some network shares) the name is checked, then
    renamed to.
    """
    if force:
        os.replace(tmp, dest)
    else:
        try:
            os.link(tmp, dest)
        except FileExistsError:
            raise BackupError("the file exists", str(dest), EXISTS_HINT) from None
        except OSError:
            if os.path.lexists(dest):
                raise BackupError("the file exists", str(dest), EXISTS_HINT) from None
            os.rename(tmp, dest)
        else:
            tmp.unlink()
    sync_folder(dest.parent)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries, so a rename survives a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
