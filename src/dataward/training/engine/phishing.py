"""Phishing-simulation click rates per team (department or manager) and per campaign.

A team is judged only once it received ``min_sample`` simulated emails within the window, so
one click in a team of three does not fail it; smaller teams are reported, not judged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from dataward.access.engine.types import Person
from dataward.training.engine.types import PhishingPolicy, PhishingResult

NOT_ON_ROSTER = "(not on the roster)"
NO_TEAM = "(no team)"


@dataclass(frozen=True)
class TeamRate:
    """Simulated emails, clicks and reports of one team (in one campaign, or all in the window)."""

    team: str
    campaign: str  # '' for every campaign in the window
    sent: int
    clicked: int
    reported: int
    people: int

    @property
    def rate(self) -> float:
        """Return the click rate in percent."""
        return round(100.0 * self.clicked / self.sent, 1) if self.sent else 0.0

    @property
    def report_rate(self) -> float:
        """Return the report rate in percent."""
        return round(100.0 * self.reported / self.sent, 1) if self.sent else 0.0

    def judged(self, policy: PhishingPolicy) -> bool:
        """Return whether the sample is large enough to judge (never for unknown people)."""
        return self.sent >= policy.min_sample and self.team not in (NOT_ON_ROSTER, NO_TEAM)

    def over(self, policy: PhishingPolicy) -> bool:
        """Return whether the team is judged and clicks more than the threshold allows.

        Compared exactly, not on the rounded ``rate``: 201 clicks of 1003 (20.04%) is above 20%.
        """
        limit = policy.click_rate_threshold * self.sent
        return self.judged(policy) and self.clicked * 100 > limit


def team_of(person: Person | None, by: str) -> str:
    """Return the team a person counts in: their department, or their manager's employee id."""
    if person is None:
        return NOT_ON_ROSTER
    if by == "manager":
        return f"manager {person.manager_id}" if person.manager_id else NO_TEAM
    return person.department or NO_TEAM


def in_window(results: Iterable[PhishingResult], today: date, days: int) -> list[PhishingResult]:
    """Return the results of campaigns sent within the window (undated ones count)."""
    start = today - timedelta(days=days)
    return [r for r in results if r.sent_on is None or r.sent_on >= start]


def rates(
    people: Iterable[Person],
    results: Iterable[PhishingResult],
    by: str = "department",
    per_campaign: bool = False,
) -> list[TeamRate]:
    """Return one rate per team (and per campaign when asked), sorted by campaign and team."""
    roster = list(people)
    by_id = {p.employee_id.lower(): p for p in roster}
    by_mail = {p.email.lower(): p for p in roster if p.email}
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in results:
        person = by_id.get(r.employee_id.lower()) if r.employee_id else None
        person = person or (by_mail.get(r.email.lower()) if r.email else None)
        key = (r.campaign if per_campaign else "", team_of(person, by))
        tally = counts[key]
        tally[0] += 1
        tally[1] += r.clicked
        tally[2] += r.reported
        members[key].add((r.employee_id or r.email).lower())
    return [
        TeamRate(team, campaign, sent, clicked, reported, len(members[(campaign, team)]))
        for (campaign, team), (sent, clicked, reported) in sorted(counts.items())
    ]
