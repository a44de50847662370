"""Let one process at a time execute a disposal plan."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dataward.core.locks import exclusive
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

ADVISORY_BASE = 0x6477_5244_0000  # "dwRD": retention disposal, beside discovery's "dwSC"


@contextmanager
def one_execution(ws: Workspace, plan_pk: int, ref: str) -> Iterator[None]:
    """Refuse a second concurrent execution of the same plan.

    See dataward.core.locks: this machine and, on PostgreSQL, every machine; a killed run never
    blocks its resumption.
    """
    busy = DatawardError(
        f"another process is executing {ref}",
        ref,
        "wait for it to finish (or stop it), then rerun to resume",
    )
    with exclusive(ws, f"dispose-{plan_pk}", ADVISORY_BASE + plan_pk, busy):
        yield
