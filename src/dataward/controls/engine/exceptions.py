"""Time-boxed exceptions: an approved, dated waiver of one check's failures for a client.

While in force, a failure or warning of the named check (on the named subject, or on every
subject with '*') is stored as ``excepted`` with the exception's reference, so it neither counts
against the posture nor raises a risk. The day after it ends the result comes back loudly: a
failure (even one that was only a warning) that names the lapsed exception, so a temporary
exception cannot quietly become permanent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from dataward.controls.engine.registry import Status
from dataward.controls.engine.runner import Outcome

WAIVABLE = (Status.FAIL, Status.WARNING)


@dataclass(frozen=True)
class CheckException:
    """An approved exception for one check (and subject) between two dates."""

    ref: str
    check_id: str
    subject: str  # '*' for every subject
    starts: date
    ends: date
    approved_by: str = ""

    def matches(self, outcome: Outcome) -> bool:
        """Return whether the exception was written for this failure or warning."""
        return (
            outcome.status in WAIVABLE
            and outcome.check_id == self.check_id
            and self.subject in ("*", outcome.subject)
        )

    def covers(self, outcome: Outcome, today: date) -> bool:
        """Return whether this exception, in force today, covers the outcome."""
        return self.starts <= today <= self.ends and self.matches(outcome)


def apply(
    outcomes: Iterable[Outcome], exceptions: Iterable[CheckException], today: date
) -> Iterator[tuple[Outcome, str]]:
    """Yield each outcome (excepted when an exception covers it) and the exception's ref."""
    every = list(exceptions)
    active = [e for e in every if e.starts <= today <= e.ends]
    lapsed = sorted((e for e in every if e.ends < today), key=lambda e: e.ends, reverse=True)
    for outcome in outcomes:
        match = next((e for e in active if e.covers(outcome, today)), None)
        if match is None:
            old = next((e for e in lapsed if e.matches(outcome)), None)
            if old is None:
                yield outcome, ""
                continue
            summary = (
                f"{outcome.summary} (exception {old.ref} expired on {old.ends}: "
                "fix it or renew the exception)"
            )
            yield replace(outcome, status=Status.FAIL, summary=summary), ""
            continue
        summary = f"{outcome.summary} (excepted by {match.ref} until {match.ends})"
        yield replace(outcome, status=Status.EXCEPTED, summary=summary), match.ref
