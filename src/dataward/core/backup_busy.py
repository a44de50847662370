"""Tell what else uses a workspace now: the web server, a scan, processes or database sessions.

A restore replaces every record under running services, which would then act on sessions,
caches and clocks of a workspace that no longer exists; it asks for them to be stopped first.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

from dataward.core.workspace import Workspace

SERVE_LOCK = ".serve.lock"
TASK_LOCKS = {"scan-": "a scan", "dispose-": "a disposal"}
SQLITE_DMS = 128
"""The byte of a SQLite WAL database's ``-shm`` file on which every open connection holds a
read lock for as long as it is open (SQLite's os_unix.c, "deadman switch")."""


@contextlib.contextmanager
def serving(root: Path) -> Iterator[None]:
    """Mark the workspace as served while the block runs (a shared lock, shared by forks)."""
    with open(root / SERVE_LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        yield


def users(ws: Workspace) -> list[str]:
    """Return what besides this process uses the workspace: services, tasks, other sessions."""
    found = [what for name, what in _lock_files(ws.paths.root) if _held(name)]
    if connection.vendor == "postgresql":
        found += _postgres_sessions()
    elif ws.config.is_sqlite:
        database = Path(ws.config.database_url.removeprefix("sqlite:///"))
        found += [f"process {pid} has the database open" for pid in _sqlite_users(database)]
    return found


def _lock_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Yield the lock files long-running dataward processes hold, with what holds them."""
    if (root / SERVE_LOCK).exists():
        yield root / SERVE_LOCK, "the web server (dataward serve)"
    with contextlib.suppress(OSError), os.scandir(root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            for prefix, what in TASK_LOCKS.items():
                if entry.name.startswith("." + prefix) and entry.name.endswith(".lock"):
                    yield Path(entry.path), what


def _held(path: Path) -> bool:
    """Return True when another process holds the lock file (shared or exclusive)."""
    try:
        with open(path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def _postgres_sessions() -> list[str]:
    """Return the other sessions on this database, counted by application name."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT coalesce(nullif(application_name, ''), 'unnamed'), count(*) "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
            "GROUP BY 1 ORDER BY 1"
        )
        rows = cur.fetchall()
    return [f"{n} database session{'s' * (n > 1)} ({name})" for name, n in rows]


def _sqlite_users(database: Path) -> list[int]:
    """Return the other processes with the SQLite database open (Linux: from /proc/locks).

    Reading /proc/locks opens nothing of the database's: opening and closing its ``-shm`` file
    here would drop this process's own SQLite locks on it.
    """
    try:
        info = database.with_name(database.name + "-shm").stat()
        with open("/proc/locks") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    pids = set()
    for line in lines:
        parts = line.replace("->", "").split()
        if len(parts) < 8 or parts[1] != "POSIX" or parts[5].lower() != device:
            continue
        end = parts[7]
        if int(parts[6]) <= SQLITE_DMS and (end == "EOF" or int(end) >= SQLITE_DMS):
            pids.add(int(parts[4]))
    pids.discard(os.getpid())
    return sorted(pids)
