"""Find joiners who hold access to a client's systems before completing its required training.

A joiner started within ``joiner_days`` of today. For each course the client requires
``before_access``, a joiner holding access must have completed it on or before the day the
first access was granted (any completion, when the export gives no grant date). Longer-serving
staff are judged by the required-courses check: an LMS export that keeps only the latest
completion cannot show whether their first completion came before their access.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dataward.access.engine.types import Person
from dataward.training.engine.status import CompletionIndex
from dataward.training.engine.types import Holding, Policy, Requirement


@dataclass(frozen=True)
class EarlyAccess:
    """A joiner's access to a client's systems that came before a required course."""

    person: Person
    first_granted: date | None
    holdings: tuple[Holding, ...]
    missing: tuple[tuple[str, date | None], ...]  # (course code, completed on, if after access)


def gated(policy: Policy, client: str, person: Person) -> list[Requirement]:
    """Return the courses the person must complete before any access to the client's systems."""
    # Holders need not be assigned to the client by HR: holding the access is what counts.
    return [
        r
        for r in policy.for_client(client).requirements
        if r.before_access and r.takes(person.job_role)
    ]


def joiners_with_access(
    people: Iterable[Person], holdings: Iterable[Holding], today: date, joiner_days: int
) -> list[tuple[Person, list[Holding]]]:
    """Return each current joiner who holds access, with what they hold."""
    held: dict[str, list[Holding]] = defaultdict(list)
    for h in holdings:
        held[h.employee_id].append(h)
    since = today - timedelta(days=joiner_days)
    return [
        (p, held[p.employee_id])
        for p in people
        if p.status != "terminated"
        and p.start_date is not None
        and p.start_date >= since
        and held.get(p.employee_id)
    ]


def early_access(
    people: Iterable[Person],
    holdings: Iterable[Holding],
    policy: Policy,
    index: CompletionIndex,
    client: str,
    today: date,
) -> tuple[list[EarlyAccess], int]:
    """Return the joiners whose access came before training, and how many joiners were judged."""
    found: list[EarlyAccess] = []
    judged = 0
    for person, held in joiners_with_access(people, holdings, today, policy.joiner_days):
        reqs = gated(policy, client, person)
        if not reqs:
            continue
        judged += 1
        dated = [h.granted_date for h in held if h.granted_date is not None]
        first = min(dated) if dated else None
        missing: list[tuple[str, date | None]] = []
        for req in dict((r.course, r) for r in reqs).values():
            done = index.completions(person.employee_id, req.course)
            if any(first is None or d <= first for d in done):
                continue
            missing.append((req.course, done[0] if done else None))
        if missing:
            found.append(EarlyAccess(person, first, tuple(held), tuple(missing)))
    return found, judged
