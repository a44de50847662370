"""Work out each person's status per required course: current, due soon, overdue, not yet due.

The due date follows the requirements, not the LMS: the last completion plus ``every_days``, or,
for a course never completed, the hire (or client assignment) date plus ``within_days``. An open
LMS assignment with an earlier due date brings it forward. A course never completed whose first
due date has not come is ``not yet due`` (a joiner inside the grace period). People on leave are
``on leave`` rather than due or overdue; leavers are not judged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dataward.access.engine.types import Person
from dataward.training.engine.types import Completion, Policy, Requirement, course_key

CURRENT, DUE_SOON, OVERDUE, NOT_YET_DUE, ON_LEAVE = (
    "current", "due soon", "overdue", "not yet due", "on leave",
)  # fmt: skip
STATES = (OVERDUE, DUE_SOON, NOT_YET_DUE, ON_LEAVE, CURRENT)


@dataclass(frozen=True)
class CourseStatus:
    """One person's standing on one required course."""

    person: Person
    course: str  # course code
    title: str
    client: str | None  # the client whose requirement set the due date (None: workforce-wide)
    state: str
    due: date | None
    last_completed: date | None
    before_access: bool = False

    def days(self, today: date) -> int | None:
        """Return days until due (negative: days overdue), or None without a due date."""
        return (self.due - today).days if self.due else None


class CompletionIndex:
    """Completions by person and course code, resolving people by employee id, then email."""

    def __init__(
        self, people: Iterable[Person], completions: Iterable[Completion], policy: Policy
    ) -> None:
        by_id = {p.employee_id.lower(): p.employee_id for p in people}
        by_mail = {p.email.lower(): p.employee_id for p in people if p.email}
        codes = {name: c.code for c in policy.courses for name in c.names()}
        self.done: dict[tuple[str, str], list[date]] = defaultdict(list)
        self.open: dict[tuple[str, str], list[date]] = defaultdict(list)
        self.unknown_people = 0
        self.unknown_courses = 0
        for c in completions:
            eid = by_id.get(c.employee_id.lower()) if c.employee_id else None
            eid = eid or (by_mail.get(c.email.lower()) if c.email else None)
            code = codes.get(course_key(c.course))
            self.unknown_people += eid is None
            self.unknown_courses += code is None
            if eid is None or code is None:
                continue
            if c.completed_on is not None:
                self.done[(eid, code)].append(c.completed_on)
            elif c.due_on is not None:
                self.open[(eid, code)].append(c.due_on)

    def last(self, eid: str, code: str) -> date | None:
        """Return the latest completion date of a course by a person."""
        dates = self.done.get((eid, code))
        return max(dates) if dates else None

    def completions(self, eid: str, code: str) -> list[date]:
        """Return every completion date of a course by a person."""
        return sorted(self.done.get((eid, code), []))

    def open_due(self, eid: str, code: str, after: date | None) -> date | None:
        """Return the earliest due date of an open assignment set after the last completion."""
        dates = [d for d in self.open.get((eid, code), []) if after is None or d > after]
        return min(dates) if dates else None


def _due(person: Person, req: Requirement, last: date | None) -> date | None:
    """Return the requirement's due date for the person (None: completed once, or no date)."""
    if last is not None:
        return last + timedelta(days=req.every_days) if req.every_days else None
    anchor = person.start_date
    if req.after == "assignment" and person.last_role_change is not None:
        anchor = max(anchor, person.last_role_change) if anchor else person.last_role_change
    return anchor + timedelta(days=req.within_days) if anchor else None


def _state(person: Person, due: date | None, last: date | None, today: date, soon: int) -> str:
    """Return the state of one course for one person."""
    if due is None:
        return CURRENT if last is not None else OVERDUE  # never done, nothing says when it was due
    if person.status == "leave" and due <= today + timedelta(days=soon):
        return ON_LEAVE
    if due < today:
        return OVERDUE
    if last is None:
        return NOT_YET_DUE
    return DUE_SOON if due <= today + timedelta(days=soon) else CURRENT


def person_status(
    person: Person, policy: Policy, index: CompletionIndex, today: date
) -> list[CourseStatus]:
    """Return the person's status on every course the policy requires of them.

    Several requirements for one course (workforce-wide and a client's) merge into the one with
    the earliest due date.
    """
    chosen: dict[str, CourseStatus] = {}
    for req in policy.requirements:
        if not req.applies(person):
            continue
        last = index.last(person.employee_id, req.course)
        due = _due(person, req, last)
        early = index.open_due(person.employee_id, req.course, last)
        if early is not None and (due is None or early < due):
            due = early
        state = _state(person, due, last, today, policy.due_soon_days)
        status = CourseStatus(
            person, req.course, policy.course(req.course).title, req.client, state, due, last,
            req.before_access,
        )  # fmt: skip
        known = chosen.get(req.course)
        if known is None or _earlier(status, known):
            chosen[req.course] = status
    return sorted(chosen.values(), key=lambda s: s.course)


def _earlier(a: CourseStatus, b: CourseStatus) -> bool:
    """Return whether ``a`` is stricter than ``b`` (overdue without a date counts as earliest)."""
    if a.due is None or b.due is None:
        return a.due is None and a.state == OVERDUE and b.state != OVERDUE
    return a.due < b.due


def statuses(
    people: Iterable[Person],
    policy: Policy,
    index: CompletionIndex,
    today: date,
    client: str | None = None,
    unassigned: bool = False,
) -> list[CourseStatus]:
    """Return the status rows of everyone judged in one view.

    ``client`` limits to people assigned to that client and its and workforce-wide
    requirements; ``unassigned`` to people with no client assignment (the operation's view).
    Leavers are never judged.
    """
    scoped = policy.for_client(client) if client else policy
    if unassigned:
        scoped = policy.for_client(None)
    rows: list[CourseStatus] = []
    for person in people:
        if person.status == "terminated":
            continue
        if client and client not in person.clients:
            continue
        if unassigned and person.clients:
            continue
        rows += person_status(person, scoped, index, today)
    return rows
