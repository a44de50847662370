"""A frozen, Django-free copy of one assessment: what reports are rendered from.

The service layer reads an ``Assessment`` and its ``CheckResult`` rows into these dataclasses;
every report format (OSCAL, documents, spreadsheets) then works from the snapshot alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dataward.controls.engine.registry import Status

#: The statuses a result row may carry (the registry's, plus ``excepted``).
STATUSES = tuple(s.value for s in Status)


@dataclass(frozen=True)
class ResultRow:
    """One check's result on one subject, with the ids of the controls it evidences.

    ``summary`` is already free of sensitive values; ``evidence`` rows may not be, so reports
    only ever count them.
    """

    check_id: str
    title: str
    severity: str
    status: str
    subject: str
    summary: str
    controls: tuple[str, ...]
    evidence: tuple[dict[str, Any], ...] = ()

    def __post_init__(self) -> None:
        """Refuse a status no check can produce."""
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {', '.join(STATUSES)}")


@dataclass(frozen=True)
class AssessmentSnapshot:
    """One finished (or running) assessment of a client with its results and posture.

    ``posture`` is the posture summary kept with the assessment:
    ``{"overall": float | None, "areas": {area_id: float | None}, ...}``.
    """

    client_slug: str
    client_name: str
    assessment_id: int
    started_at: datetime
    finished_at: datetime | None
    actor: str
    results: tuple[ResultRow, ...]
    posture: dict[str, Any]
