"""Run every registered check for one client and keep going when a check raises."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dataward.controls.engine.registry import RegisteredCheck, Result, Status, WorkspaceView
from dataward.errors import DatawardError


@dataclass(frozen=True)
class Outcome:
    """One result of one check for one client, ready to be stored."""

    check_id: str
    title: str
    severity: str
    status: Status
    subject: str
    summary: str
    evidence: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def run_checks(
    checks: list[RegisteredCheck],
    view: WorkspaceView,
    on_done: Callable[[str], None] | None = None,
) -> Iterator[Outcome]:
    """Yield the outcomes of each check on the view; a raising check yields one error."""
    for registered in checks:
        meta = registered.meta
        try:
            results = list(registered.fn(view))
        except Exception as exc:  # noqa: BLE001 - a failing check must not stop the run
            results = [Result(Status.ERROR, view.client.slug, _reason(exc))]
        if not results:
            results = [Result(Status.NOT_APPLICABLE, view.client.slug, "nothing to check")]
        for res in results:
            yield Outcome(
                meta.id,
                meta.title,
                meta.severity,
                res.status,
                res.subject,
                res.summary,
                tuple(res.evidence),
            )
        if on_done is not None:
            on_done(meta.id)


def _reason(exc: Exception) -> str:
    """Describe an exception without its message text, which could quote a value."""
    if isinstance(exc, DatawardError):
        return f"check raised an error: {exc.line()}"
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"check raised {type(exc).__name__}{where}"
