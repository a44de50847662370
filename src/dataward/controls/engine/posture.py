"""The posture score: how much of what applies to a client is in place, per area and overall.

Formula (docs/controls.md repeats it):

- Each control in scope gets a score in [0, 1]. Its checks' latest results give the worst of:
  pass 1, excepted 0.5 (a known, approved gap still open), warning 0.5, fail 0, error 0;
  not-applicable and never-assessed checks are left out. A control that asks for an
  attestation scores 1 with a current attestation and 0 without one (or when it expired). A
  control with both takes the lower of the two. A control with nothing to score is left out.
- Each control weighs by its most severe check (low 1, medium 2, high 3, critical 4); an
  attestation-only control weighs 2.
- An area's score, and the client's, is 100 x sum(weight x score) / sum(weight) over the scored
  controls, rounded to one decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dataward.controls.engine.catalog import Control

STATUS_SCORE = {"pass": 1.0, "excepted": 0.5, "warning": 0.5, "fail": 0.0, "error": 0.0}
SEVERITY_WEIGHT = {"low": 1, "medium": 2, "high": 3, "critical": 4}
ATTESTATION_WEIGHT = 2


@dataclass(frozen=True)
class ControlScore:
    """One control's score and weight (score None: nothing to score yet)."""

    control: str
    area: str
    score: float | None
    weight: int


def score_control(
    control: Control,
    statuses: Mapping[str, str],
    severities: Mapping[str, str],
    attested: bool,
) -> ControlScore:
    """Return a control's score from its checks' worst statuses and its attestation."""
    parts: list[float] = []
    checked = [STATUS_SCORE[statuses[c]] for c in control.checks if statuses.get(c) in STATUS_SCORE]
    if checked:
        parts.append(min(checked))
    if control.attestation:
        parts.append(1.0 if attested else 0.0)
    weights = [SEVERITY_WEIGHT.get(severities.get(c, ""), 0) for c in control.checks]
    weight = max(weights, default=0) or ATTESTATION_WEIGHT
    return ControlScore(control.id, control.area, min(parts) if parts else None, weight)


def summarize(scores: Iterable[ControlScore]) -> dict[str, object]:
    """Return the overall score and each area's score (None when nothing in it is scored)."""
    by_area: dict[str, list[ControlScore]] = {}
    scored = [s for s in scores]
    for s in scored:
        by_area.setdefault(s.area, []).append(s)

    def pct(items: list[ControlScore]) -> float | None:
        items = [i for i in items if i.score is not None]
        total = sum(i.weight for i in items)
        if not total:
            return None
        return round(100 * sum(i.weight * (i.score or 0.0) for i in items) / total, 1)

    return {
        "overall": pct(scored),
        "areas": {area: pct(items) for area, items in by_area.items()},
        "scored": sum(s.score is not None for s in scored),
        "in_scope": len(scored),
    }


def changes(
    before: Mapping[tuple[str, str], str], after: Mapping[tuple[str, str], str]
) -> dict[str, list[tuple[str, str]]]:
    """Return (check, subject) pairs newly failing and fixed between two assessments.

    An excepted failure still counts as failing: waiving a problem does not fix it.
    """
    bad = ("fail", "excepted")
    failing_now = {k for k, v in after.items() if v in bad}
    failing_then = {k for k, v in before.items() if v in bad}
    return {
        "newly_failing": sorted(failing_now - failing_then),
        "fixed": sorted(failing_then - failing_now),
    }
