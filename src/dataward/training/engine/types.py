"""The plain records training reads and judges: courses, requirements, completions, phishing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from dataward.access.engine.types import Person

AFTER = ("hire", "assignment")
TEAM_BY = ("department", "manager")
_SPACE = re.compile(r"\s+")
_ROLE_GAP = re.compile(r"[\s_-]+")


def course_key(name: str) -> str:
    """Return a course name reduced for matching: lower case, single spaces."""
    return _SPACE.sub(" ", name.strip().lower())


def role_key(name: str) -> str:
    """Return a job role reduced for matching: 'Team Lead', 'team-lead' and team_lead agree."""
    return _ROLE_GAP.sub("_", name.strip().lower())


@dataclass(frozen=True)
class Course:
    """One course: a stable code, the title the LMS shows, and other titles it goes by."""

    code: str
    title: str
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        """Return every matching key an LMS export may use for this course."""
        return tuple(dict.fromkeys(course_key(n) for n in (self.code, self.title, *self.aliases)))


@dataclass(frozen=True)
class Requirement:
    """Who must take a course, how often, and by when.

    ``client`` None makes it workforce-wide; ``roles`` empty means every job role. The first
    completion is due ``within_days`` after hire (``after="hire"``) or after assignment to the
    client (``after="assignment"``: the roster's last role change, else the start date).
    ``every_days`` None means once. ``before_access`` asks for completion before any access to
    the client's systems.
    """

    course: str  # course code
    client: str | None = None
    roles: tuple[str, ...] = ()
    every_days: int | None = 365
    within_days: int = 30
    after: str = "hire"
    before_access: bool = False

    def applies(self, person: Person) -> bool:
        """Return whether the person must take this course (client and job role)."""
        if self.client is not None and self.client not in person.clients:
            return False
        return self.takes(person.job_role)

    def takes(self, job_role: str) -> bool:
        """Return whether the requirement covers this job role (every role when none named)."""
        return not self.roles or role_key(job_role) in {role_key(r) for r in self.roles}


@dataclass(frozen=True)
class PhishingPolicy:
    """How phishing-simulation results are judged."""

    click_rate_threshold: float = 20.0  # percent; a team above it fails
    min_sample: int = 30  # simulated emails a team must have received to be judged
    team: str = "department"  # department or manager
    window_days: int = 365  # campaigns sent this many days back count


@dataclass(frozen=True)
class Policy:
    """The training requirements file: courses, requirements and the judging settings."""

    courses: tuple[Course, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    phishing: PhishingPolicy = field(default_factory=PhishingPolicy)
    due_soon_days: int = 14
    joiner_days: int = 90

    def course(self, code: str) -> Course:
        """Return a course by code (the policy validated that it exists)."""
        return next(c for c in self.courses if c.code == code)

    def for_client(self, client: str | None) -> Policy:
        """Return the policy with the workforce-wide requirements and one client's only."""
        keep = tuple(r for r in self.requirements if r.client in (None, client))
        return Policy(self.courses, keep, self.phishing, self.due_soon_days, self.joiner_days)


@dataclass(frozen=True)
class Completion:
    """One LMS row: a course completed (``completed_on``) or assigned and open (``due_on``)."""

    course: str  # as the export names it
    employee_id: str = ""
    email: str = ""
    completed_on: date | None = None
    due_on: date | None = None
    score: float | None = None
    row: int = 0


@dataclass(frozen=True)
class PhishingResult:
    """One simulated phishing email sent to one person, and what they did with it."""

    campaign: str
    employee_id: str = ""
    email: str = ""
    sent_on: date | None = None
    clicked: bool = False
    reported: bool = False
    row: int = 0


@dataclass(frozen=True)
class Holding:
    """One permission a person holds on one of a client's systems (from the access imports)."""

    employee_id: str
    system: str
    account: str
    permission: str
    granted_date: date | None = None


@dataclass(frozen=True)
class TrainingData:
    """Everything the training rules read for one client (``client`` None: the operation)."""

    client: str | None
    today: date
    people: tuple[Person, ...] = ()
    policy: Policy | None = None
    completions: tuple[Completion, ...] = ()
    phishing: tuple[PhishingResult, ...] = ()
    completions_imported: bool = False
    phishing_imported: bool = False
