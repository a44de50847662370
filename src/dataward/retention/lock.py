"""Let one process at a time execute a disposal plan."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

ADVISORY_BASE = 0x6477_5244_0000  # "dwRD": retention disposal, beside discovery's "dwSC"


@contextmanager
def one_execution(ws: Workspace, plan_pk: int, ref: str) -> Iterator[None]:
    """Refuse a second concurrent execution of the same plan.

    A lock file in the workspace folder covers every process on this machine; on PostgreSQL a
    session advisory lock also covers runs started from other machines. Both end with the
    process, so a killed run never blocks its resumption.
    """
    busy = DatawardError(
        f"another process is executing {ref}",
        ref,
        "wait for it to finish (or stop it), then rerun to resume",
    )
    with open(ws.paths.root / f".dispose-{plan_pk}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        key = ADVISORY_BASE + plan_pk
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
