"""Name the workspace's state files; put a backup's in place: staged, swapped in, or put back."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from dataward.core.engine.backup_format import DAMAGED, DAMAGED_HINT, Archive, BackupError

STATE_ENTRIES = ("evidence", "reports", "rules", "playbooks", "monitoring.yaml",
                 "incident_rules.yaml")  # fmt: skip
"""What a workspace keeps beside its database: attestation evidence (controls/attestations.py),
reports and disposal certificates (reports/, retention/demo.py), Sigma rules and monitoring
settings (monitoring/settings.py), incident rules and playbooks (incidents/library.py). Never the
key, the config (it may hold a database password), the database file or the audit anchor
(rebuilt from the restored chain)."""


FILE_ENTRIES = frozenset(name for name in STATE_ENTRIES if name.endswith(".yaml"))


def check_state_path(rel: str, where: str) -> PurePosixPath:
    """Return a state file's relative path, refusing one that could escape its folder.

    A path names a file in one of the state folders, or is one of the state files itself; no
    part may be empty, ``.``, ``..``, hidden, or hold a NUL.
    """
    path = PurePosixPath(rel)
    parts = path.parts
    if (
        "\x00" in rel
        or path.is_absolute()
        or not parts
        or parts[0] not in STATE_ENTRIES
        or (parts[0] in FILE_ENTRIES) != (len(parts) == 1)
        or any(p in ("", ".", "..") or p.startswith(".") for p in parts)
        or rel != path.as_posix()
    ):
        raise BackupError(f"the backup names a file outside the workspace state ({rel!r})", where,
                          DAMAGED_HINT)  # fmt: skip
    return path


def check_state_paths(rels: list[str], where: str) -> list[PurePosixPath]:
    """Check every path, and that no path repeats or is the folder of another."""
    paths = [check_state_path(rel, where) for rel in rels]
    seen = set(paths)
    if len(seen) != len(paths) or any(p in seen for path in paths for p in path.parents):
        raise BackupError(DAMAGED + " (a state file is named twice)", where, DAMAGED_HINT)
    return paths


def state_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Yield (relative path, path) of every regular state file, in a stable order.

    Symbolic links are skipped (never followed out of the workspace), as are hidden and
    temporary files (uploads in progress, atomic-write leftovers).
    """
    for entry in STATE_ENTRIES:
        top = root / entry
        if top.is_symlink():
            continue
        if entry in FILE_ENTRIES:
            if top.is_file():
                yield entry, top
            continue
        if not top.is_dir():
            continue
        for folder, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(n for n in names if not n.startswith(".")):
                path = Path(folder) / name
                if path.is_file() and not path.is_symlink():
                    yield _utf8(path.relative_to(root).as_posix(), path), path


def _utf8(rel: str, path: Path) -> str:
    """Refuse a file name the archive cannot carry (not UTF-8): rename it rather than lose it."""
    try:
        rel.encode()
    except UnicodeEncodeError:
        shown = os.fsencode(path).decode(errors="replace")
        raise BackupError("the file name is not valid UTF-8, so a backup cannot carry it", shown,
                          "rename the file and back up again") from None  # fmt: skip
    return rel


def present(root: Path) -> list[str]:
    """Return the state entries the workspace folder holds."""
    return [name for name in STATE_ENTRIES if (root / name).exists() or (root / name).is_symlink()]


class StateFiles:
    """Stage the backup's files in a hidden folder of the workspace, then swap whole entries.

    Every rename is journaled, so ``undo`` puts the workspace's own files back exactly as they
    were if the database transaction fails after the swap. Each rename is atomic; the folder is
    on the workspace's file system, so no copy is ever half visible.
    """

    def __init__(self, root: Path) -> None:
        token = secrets.token_hex(4)
        self.root = root
        self.new = root / f".restore-{token}"
        self.old = root / f".restore-{token}-old"
        self.journal: list[tuple[Path, Path]] = []

    def stage(self, archive: Archive) -> int:
        """Extract and re-check every state file into the staging folder; return how many."""
        rels = check_state_paths([str(e["path"]) for e in archive.files], str(archive.path))
        self.new.mkdir(mode=0o700)
        for entry, rel in zip(archive.files, rels, strict=True):
            target = self.new.joinpath(*rel.parts)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                for chunk in archive.chunks(str(entry["member"]), int(entry["bytes"])):
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if size != int(entry["bytes"]) or digest.hexdigest() != entry["sha256"]:
                raise BackupError(
                    DAMAGED + f" ({entry['member']} changed while it was read)",
                    str(archive.path),
                    DAMAGED_HINT,
                )
        return len(archive.files)

    def swap(self) -> None:
        """Move the workspace's entries aside and the staged ones into place."""
        self.old.mkdir(mode=0o700)
        for name in STATE_ENTRIES:
            current, staged = self.root / name, self.new / name
            if current.exists() or current.is_symlink():
                self._move(current, self.old / name)
            if staged.exists():
                self._move(staged, current)
        _sync(self.root)

    def _move(self, src: Path, dst: Path) -> None:
        os.rename(src, dst)
        self.journal.append((src, dst))

    def undo(self) -> None:
        """Reverse every rename made so far, newest first."""
        for src, dst in reversed(self.journal):
            os.rename(dst, src)
        self.journal.clear()
        _sync(self.root)

    def cleanup(self) -> None:
        """Remove the staging folder and the replaced files."""
        for folder in (self.new, self.old):
            shutil.rmtree(folder, ignore_errors=True)


def _sync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
