"""The training rules the checks run: required courses, phishing click rates, early access.

Each rule returns findings with a status (fail, pass, not_applicable), a subject and a one-line
summary naming it; evidence names employee ids, courses and dates, never names or emails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from dataward.training.engine import phishing as ph
from dataward.training.engine.joiners import EarlyAccess, early_access
from dataward.training.engine.status import (
    DUE_SOON,
    NOT_YET_DUE,
    OVERDUE,
    CompletionIndex,
    CourseStatus,
    statuses,
)
from dataward.training.engine.types import Holding, PhishingPolicy, Policy, TrainingData

FAIL, PASS, NA = "fail", "pass", "not_applicable"
NO_POLICY = "no training requirements loaded: run dataward training requirements load FILE"
NO_ROSTER = "no HR roster imported: run dataward access import hr ROSTER"
NO_COMPLETIONS = "no LMS completions imported: run dataward training import completions FILE"
NO_PHISHING = "no phishing results imported: run dataward training import phishing FILE"


@dataclass(frozen=True)
class Finding:
    """What a rule says about one subject."""

    status: str
    subject: str
    summary: str
    evidence: tuple[dict[str, Any], ...] = ()


def _many(n: int, word: str, plural: str = "") -> str:
    """Return a count with its noun, e.g. 1 joiner, 2 joiners."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _iso(day: date | None) -> str:
    """Return a date as stored evidence holds it (text), or ''."""
    return day.isoformat() if day else ""


def _account(name: str) -> str:
    """Return an account fit for evidence: of an e-mail address, its first letter and domain."""
    local, at, domain = name.partition("@")
    return f"{local[:1]}***@{domain}" if at else name


def _missing_inputs(data: TrainingData) -> str:
    """Return why the course rules cannot judge yet, or ''."""
    if data.policy is None:
        return NO_POLICY
    if not data.people:
        return NO_ROSTER
    return "" if data.completions_imported else NO_COMPLETIONS


def _late(s: CourseStatus, data: TrainingData) -> str:
    """Describe one overdue course."""
    if s.due is None:
        return f"{s.title} never completed (the roster gives no start date)"
    return f"{s.title} overdue since {s.due} ({(data.today - s.due).days} days)"


def required_courses(data: TrainingData, unassigned: bool = False) -> list[Finding]:
    """Fail each person with an overdue required course; pass with the counts otherwise."""
    why = _missing_inputs(data)
    scope = data.client or "operation"
    if why or data.policy is None:
        return [Finding(NA, scope, why)]
    index = CompletionIndex(data.people, data.completions, data.policy)
    rows = statuses(data.people, data.policy, index, data.today, data.client, unassigned)
    if not rows:
        who = f"assigned to {data.client}" if data.client else "without a client assignment"
        return [Finding(NA, scope, f"no current staff {who} must take a required course")]
    by_person: dict[str, list[CourseStatus]] = defaultdict(list)
    for s in rows:
        by_person[s.person.employee_id].append(s)
    found = []
    for eid, courses in sorted(by_person.items()):
        late = [s for s in courses if s.state == OVERDUE]
        if not late:
            continue
        role = late[0].person.job_role
        summary = f"{eid} ({role}): " + "; ".join(_late(s, data) for s in late)
        evidence = tuple(
            {
                "employee_id": eid, "job_role": role, "course": s.course, "title": s.title,
                "due": _iso(s.due), "last_completed": _iso(s.last_completed),
                "client": s.client or "",
            }
            for s in late
        )  # fmt: skip
        found.append(Finding(FAIL, eid, summary, evidence))
    if found:
        return found
    counts = {state: sum(s.state == state for s in rows) for state in (DUE_SOON, NOT_YET_DUE)}
    summary = (
        f"{_many(len(by_person), 'person', 'people')}, "
        f"{_many(len(rows), 'required course')}: none overdue ({counts[DUE_SOON]} due soon, "
        f"{counts[NOT_YET_DUE]} not yet completed but inside the grace period)"
    )
    return [Finding(PASS, scope, summary)]


def phishing_rates(data: TrainingData) -> list[Finding]:
    """Judge each team's click rate over the window; small teams are reported, not judged."""
    if not data.phishing_imported:
        return [Finding(NA, "operation", NO_PHISHING)]
    policy = data.policy.phishing if data.policy else PhishingPolicy()
    recent = ph.in_window(data.phishing, data.today, policy.window_days)
    if not recent:
        return [
            Finding(
                NA, "operation", f"no phishing campaign sent in the last {policy.window_days} days"
            )
        ]
    campaigns = {(r.campaign, r.team): r for r in ph.rates(data.people, recent, policy.team, True)}
    found = []
    for rate in ph.rates(data.people, recent, policy.team):
        evidence = tuple(
            {
                "campaign": c.campaign, "sent": c.sent, "clicked": c.clicked,
                "reported": c.reported, "click_rate": c.rate,
            }
            for (_, team), c in sorted(campaigns.items())
            if team == rate.team
        )  # fmt: skip
        what = (
            f"{rate.team}: {rate.clicked} of {rate.sent} simulated phishing emails clicked "
            f"({rate.rate}%) in the last {policy.window_days} days"
        )
        if not rate.judged(policy):
            reason = (
                "people not on the HR roster are not judged"
                if rate.team in (ph.NOT_ON_ROSTER, ph.NO_TEAM)
                else f"fewer than the {policy.min_sample} needed to judge a click rate"
            )
            found.append(Finding(NA, rate.team, f"{what}; {reason}", evidence))
        elif rate.over(policy):
            summary = f"{what}, above the {policy.click_rate_threshold:g}% threshold"
            found.append(Finding(FAIL, rate.team, summary, evidence))
        else:
            summary = f"{what}, within the {policy.click_rate_threshold:g}% threshold"
            found.append(Finding(PASS, rate.team, summary, evidence))
    return found


def _early(e: EarlyAccess, policy: Policy) -> Finding:
    """Return the failure of one joiner who got access before the client's required courses."""
    p = e.person
    systems = ", ".join(sorted({h.system for h in e.holdings}))
    since = f" since {e.first_granted}" if e.first_granted else ""
    parts = [
        f"completed {policy.course(code).title} on {done}, after access was granted"
        if done
        else f"has not completed {policy.course(code).title}"
        for code, done in e.missing
    ]
    summary = (
        f"{p.employee_id} ({p.job_role}, started {p.start_date}) holds access to "
        f"{systems}{since} but {'; '.join(parts)}"
    )
    evidence = tuple(
        {
            "employee_id": p.employee_id, "system": h.system, "account": _account(h.account),
            "permission": h.permission, "granted_date": _iso(h.granted_date),
        }
        for h in e.holdings
    ) + tuple(
        {"employee_id": p.employee_id, "course": code, "completed_on": _iso(done)}
        for code, done in e.missing
    )  # fmt: skip
    return Finding(FAIL, p.employee_id, summary, evidence)


def access_before_training(data: TrainingData, holdings: Iterable[Holding] | None) -> list[Finding]:
    """Fail each joiner holding access to the client's systems before its required courses."""
    client = data.client or ""
    why = _missing_inputs(data)
    if why or data.policy is None:
        return [Finding(NA, client, why)]
    policy = data.policy
    if not any(r.before_access for r in policy.for_client(client).requirements):
        return [
            Finding(
                NA,
                client,
                f"no course is required before access to {client}'s systems "
                "(before_access: true in the requirements)",
            )
        ]
    if holdings is None:
        return [Finding(NA, client, f"no entitlements imported for {client}'s systems")]
    index = CompletionIndex(data.people, data.completions, policy)
    found, judged = early_access(data.people, holdings, policy, index, client, data.today)
    if not judged:
        return [
            Finding(
                NA,
                client,
                f"no joiner (started in the last {policy.joiner_days} days) holds access to "
                f"{client}'s systems",
            )
        ]
    results = [_early(e, policy) for e in found]
    if results:
        return results
    gates = policy.for_client(client).requirements
    titles = ", ".join(sorted({policy.course(r.course).title for r in gates if r.before_access}))
    summary = (
        f"1 joiner holds access to {client}'s systems and completed {titles} first"
        if judged == 1
        else f"{judged} joiners hold access to {client}'s systems; each completed {titles} first"
    )
    return [Finding(PASS, client, summary)]
