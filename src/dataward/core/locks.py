"""One process at a time: an exclusive lock on this machine and, on PostgreSQL, across machines.

A lock file in the workspace folder (``flock``) covers every process on this machine; on
PostgreSQL a session advisory lock also covers processes on other machines sharing the
database. Both end with the process, so a killed run never blocks its own resumption.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from dataward.core.workspace import Workspace
from dataward.errors import DatawardError


@contextmanager
def exclusive(ws: Workspace, name: str, key: int, busy: DatawardError) -> Iterator[None]:
    """Hold the lock ``name`` (file ``.NAME.lock``, advisory ``key``) or raise ``busy``."""
    with open(ws.paths.root / f".{name}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                row = cursor.fetchone()
                if not row or not row[0]:
                    raise busy
        try:
            yield
        finally:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
