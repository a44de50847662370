"""Decide which status moves an incident may make, and what each move needs.

The statuses follow the usual incident-handling phases:

    reported -> triage -> contained -> eradicated -> recovered -> closed

* Forward moves may skip phases (a false alarm goes from triage straight to closed).
* Moving back between open phases (say contained -> triage when the scope turns out wider)
  is allowed with a note saying why.
* Closing needs lessons-learned text and every notification clock settled (notified, or
  recorded as not required) and every task done or skipped.
* A closed incident is reopened only by an admin, with a note; it goes back to any open phase.
"""

from __future__ import annotations

from collections.abc import Sequence

from dataward.errors import DatawardError

STATUSES = ("reported", "triage", "contained", "eradicated", "recovered", "closed")
OPEN = STATUSES[:-1]
CLOSED = "closed"
MIN_LESSONS = 20  # characters: enough to refuse "n/a" or "none"


class WorkflowError(DatawardError):
    """Report a status move the workflow does not allow."""


def move_kind(
    current: str,
    new: str,
    *,
    where: str,
    note: str = "",
    lessons: str = "",
    admin: bool = False,
    unsettled: Sequence[str] = (),
) -> str:
    """Return ``forward``, ``back``, ``close`` or ``reopen``, or raise a one-line WorkflowError.

    Args:
        current: the incident's status now.
        new: the status asked for.
        where: the incident's reference, named in errors.
        note: the reason given with the move.
        lessons: lessons-learned text (needed to close).
        admin: whether the acting user is an admin (needed to reopen).
        unsettled: what still blocks closing (open clocks and tasks), described one by one.
    """
    if new not in STATUSES:
        raise WorkflowError(f"unknown status {new!r}", where, f"use {', '.join(STATUSES)}")
    if new == current:
        raise WorkflowError(f"the incident is already {current}", where, "choose another status")
    if current == CLOSED:
        if not admin:
            raise WorkflowError(
                "only an admin may reopen a closed incident", where, "ask an admin to reopen it"
            )
        if not note.strip():
            raise WorkflowError("reopening needs a reason", where, "add --note 'why'")
        return "reopen"
    if new == CLOSED:
        if len(lessons.strip()) < MIN_LESSONS:
            raise WorkflowError(
                "closing needs lessons learned",
                where,
                f"add --lessons with at least {MIN_LESSONS} characters on what will change",
            )
        if unsettled:
            more = f" and {len(unsettled) - 1} more" if len(unsettled) > 1 else ""
            raise WorkflowError(
                f"cannot close while {unsettled[0]} is open{more}",
                where,
                "record each notification (or that it is not required) and finish or skip "
                "each task first",
            )
        return "close"
    if STATUSES.index(new) > STATUSES.index(current):
        return "forward"
    if not note.strip():
        raise WorkflowError(
            f"moving back from {current} to {new} needs a reason", where, "add --note 'why'"
        )
    return "back"
