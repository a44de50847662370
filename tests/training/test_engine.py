"""The training rules as plain functions: course states, phishing samples, early access."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from dataward.access.engine.types import Person
from dataward.training.engine import rules
from dataward.training.engine.joiners import early_access
from dataward.training.engine.phishing import rates
from dataward.training.engine.status import CompletionIndex, person_status, statuses
from dataward.training.engine.types import (
    Completion,
    Course,
    Holding,
    PhishingPolicy,
    PhishingResult,
    Policy,
    Requirement,
    TrainingData,
)

TODAY = date(2026, 11, 28)
SAT = Course("sat", "Security Awareness")
PCI = Course("pci", "PCI DSS")
POLICY = Policy(
    courses=(SAT, PCI),
    requirements=(
        Requirement("sat", every_days=365, within_days=30),
        Requirement("pci", client="bank", within_days=30, after="assignment", before_access=True),
    ),
)


def person(eid: str = "E1", started: int = 400, **kw: object) -> Person:
    """Return an active bank agent who started ``started`` days ago."""
    start = TODAY - timedelta(days=started)
    fields: dict[str, object] = {
        "employee_id": eid, "name": eid, "email": f"{eid.lower()}@x.example", "status": "active",
        "start_date": start, "end_date": None, "department": "Operations", "job_role": "agent",
        "clients": ("bank",), "manager_id": "", "last_role_change": start,
    }  # fmt: skip
    fields.update(kw)
    return Person(**fields)  # type: ignore[arg-type]


def done(eid: str, course: str, days_ago: int | None, due_in: int | None = None) -> Completion:
    """Return an LMS row: completed ``days_ago`` (None: open, due in ``due_in`` days)."""
    return Completion(
        course,
        eid,
        completed_on=TODAY - timedelta(days=days_ago) if days_ago is not None else None,
        due_on=TODAY + timedelta(days=due_in) if due_in is not None else None,
    )


def sat_state(p: Person, *rows: Completion) -> tuple[str, date | None]:
    """Return the state and due date of the security-awareness course for one person."""
    index = CompletionIndex([p], rows, POLICY)
    status = {s.course: s for s in person_status(p, POLICY, index, TODAY)}["sat"]
    return status.state, status.due


@pytest.mark.parametrize(
    ("p", "rows", "state", "due_in"),
    [
        (person(), [done("E1", "Security Awareness", 100)], "current", 265),
        (person(), [done("E1", "security  awareness", 360)], "due soon", 5),
        (person(), [done("E1", "SAT", 380)], "overdue", -15),
        (person(), [done("E1", "SAT", 365)], "due soon", 0),  # due today: not overdue yet
        (person(), [done("E1", "SAT", 366)], "overdue", -1),  # the day after: overdue
        (person(started=30), [], "not yet due", 0),  # a joiner's last day of grace
        (person(started=31), [], "overdue", -1),
        (person(), [done("E1", "SAT", 380), done("E1", "SAT", 20)], "current", 345),
        (person(), [], "overdue", -370),  # never done, 30 days after hire long gone
        (person(started=10), [], "not yet due", 20),  # a joiner inside the grace period
        (person(started=10), [done("E1", "SAT", None, 5)], "not yet due", 5),  # LMS due earlier
        (person(), [done("E1", "SAT", 200), done("E1", "SAT", None, 3)], "due soon", 3),
        (person(status="leave"), [done("E1", "SAT", 380)], "on leave", -15),
        (person(start_date=None), [], "overdue", None),  # no date to start the grace from
        (person(), [done("E9", "SAT", 10), done("E1", "Excel", 10)], "overdue", -370),
        (person(email="e1@x.example"), [Completion("SAT", "", "E1@X.example", TODAY)], "current",
         365),
    ],
)  # fmt: skip
def test_course_states(p: Person, rows: list[Completion], state: str, due_in: int | None) -> None:
    due = TODAY + timedelta(days=due_in) if due_in is not None else None
    assert sat_state(p, *rows) == (state, due)


def test_requirements_apply_by_client_and_role_and_merge() -> None:
    policy = Policy(
        courses=(SAT,),
        requirements=(
            Requirement("sat", every_days=365, within_days=30),
            Requirement("sat", client="bank", roles=("agent",), every_days=180, within_days=5),
            Requirement("sat", client="shop", every_days=90),
        ),
    )
    p = person(started=200)
    index = CompletionIndex([p], [done("E1", "SAT", 100)], policy)
    (only,) = person_status(p, policy, index, TODAY)
    assert (only.client, only.due) == ("bank", TODAY + timedelta(days=80))  # strictest wins
    lead = person(job_role="team_lead", started=200)
    (general,) = person_status(lead, policy, index, TODAY)
    assert general.client is None  # the agents-only requirement does not apply
    leaver = person("E2", status="terminated")
    unassigned = person("E3", clients=())
    rows = statuses([p, leaver, unassigned], policy, index, TODAY, unassigned=True)
    assert [s.person.employee_id for s in rows] == ["E3"]
    assert [
        s.person.employee_id for s in statuses([p, unassigned], policy, index, TODAY, "bank")
    ] == ["E1"]


def test_assignment_uses_the_last_role_change() -> None:
    moved = person(started=400, last_role_change=TODAY - timedelta(days=10))
    index = CompletionIndex([moved], [done("E1", "SAT", 20)], POLICY)
    pci = {s.course: s for s in person_status(moved, POLICY, index, TODAY)}["pci"]
    assert (pci.state, pci.due) == ("not yet due", TODAY + timedelta(days=20))


def test_phishing_needs_a_sample_before_judging() -> None:
    people = [person(f"E{n}", department="Quality" if n < 3 else "Operations") for n in range(12)]
    results = [
        PhishingResult("Lure", p.employee_id, clicked=p.employee_id in ("E0", "E3", "E4", "E5"))
        for p in people
    ] + [PhishingResult("Lure", "X99", clicked=True)]
    by_team = {r.team: r for r in rates(people, results)}
    policy = PhishingPolicy(click_rate_threshold=20, min_sample=5)
    quality, ops = by_team["Quality"], by_team["Operations"]
    assert (quality.sent, quality.clicked, quality.judged(policy)) == (3, 1, False)
    assert (ops.sent, ops.clicked, ops.rate, ops.over(policy)) == (9, 3, 33.3, True)
    assert not by_team["(not on the roster)"].judged(policy)
    assert not ops.over(replace(policy, click_rate_threshold=40))
    data = TrainingData(None, TODAY, tuple(people), Policy(phishing=policy), (),
                        tuple(results), phishing_imported=True)  # fmt: skip
    found = {(f.subject, f.status) for f in rules.phishing_rates(data)}
    assert found == {
        ("Operations", "fail"), ("Quality", "not_applicable"),
        ("(not on the roster)", "not_applicable"),
    }  # fmt: skip
    old = [replace(r, sent_on=TODAY - timedelta(days=400)) for r in results]
    stale = rules.phishing_rates(replace(data, phishing=tuple(old)))
    assert [(f.status, f.summary) for f in stale] == [
        ("not_applicable", "no phishing campaign sent in the last 365 days")
    ]


def test_by_manager_teams() -> None:
    people = [person("E1", manager_id="M1"), person("E2", manager_id="M1"), person("E3")]
    results = [PhishingResult("Lure", p.employee_id) for p in people]
    assert {r.team: r.sent for r in rates(people, results, "manager")} == {
        "manager M1": 2,
        "(no team)": 1,
    }


def _grant(eid: str, days_ago: int | None) -> Holding:
    granted = TODAY - timedelta(days=days_ago) if days_ago is not None else None
    return Holding(eid, "bank_crm", eid.lower(), "view", granted)


@pytest.mark.parametrize(
    ("started", "grant", "pci_done", "missing"),
    [
        (10, 8, None, [("pci", None)]),  # access, no course
        (10, 8, 9, []),  # trained the day before access
        (10, 8, 8, []),  # trained on the day access was granted
        (10, 8, 5, [("pci", TODAY - timedelta(days=5))]),  # trained after access
        (10, None, 5, []),  # no grant date: any completion will do
        (10, None, None, [("pci", None)]),
        (200, 150, None, []),  # not a joiner: judged by the required-courses check
        (90, 80, None, [("pci", None)]),  # started joiner_days ago: still a joiner
        (91, 80, None, []),
    ],
)
def test_early_access(
    started: int, grant: int | None, pci_done: int | None, missing: list[object]
) -> None:
    p = person(started=started)
    rows = [done("E1", "PCI DSS", pci_done)] if pci_done is not None else []
    index = CompletionIndex([p], rows, POLICY)
    found, _ = early_access([p], [_grant("E1", grant)], POLICY, index, "bank", TODAY)
    assert [list(f.missing) for f in found] == ([missing] if missing else [])


def test_early_access_findings_and_not_applicable() -> None:
    joiner, veteran = person("E1", started=10), person("E2")
    data = TrainingData("bank", TODAY, (joiner, veteran), POLICY, (), completions_imported=True)
    (finding,) = rules.access_before_training(data, [_grant("E1", 8), _grant("E2", 300)])
    assert (finding.status, finding.subject) == ("fail", "E1")
    assert finding.summary == (
        f"E1 (agent, started {TODAY - timedelta(days=10)}) holds access to bank_crm since "
        f"{TODAY - timedelta(days=8)} but has not completed PCI DSS"
    )
    assert rules.access_before_training(data, None)[0].status == "not_applicable"
    ungated = replace(data, policy=Policy(POLICY.courses, POLICY.requirements[:1]))
    assert "no course is required" in rules.access_before_training(ungated, [])[0].summary
    nobody = rules.access_before_training(data, [_grant("E2", 300)])
    assert (nobody[0].status, nobody[0].summary) == (
        "not_applicable",
        "no joiner (started in the last 90 days) holds access to bank's systems",
    )
    assert rules.access_before_training(replace(data, completions_imported=False), [])[
        0
    ].summary == (rules.NO_COMPLETIONS)


@pytest.mark.parametrize(
    ("sent", "clicked", "over"),
    [
        (1000, 200, False),  # exactly the threshold is not above it
        (1003, 201, True),  # 20.04%: shows as 20.0 but is above 20
        (10000, 2001, True),
        (30, 6, False),
    ],
)
def test_the_threshold_is_compared_exactly_not_on_the_rounded_rate(
    sent: int, clicked: int, over: bool
) -> None:
    from dataward.training.engine.phishing import TeamRate

    rate = TeamRate("Operations", "", sent, clicked, 0, sent)
    assert rate.over(PhishingPolicy(click_rate_threshold=20, min_sample=30)) is over


@pytest.mark.parametrize("roster_role", ["team lead", "Team-Lead", "team_lead", "TEAM  LEAD"])
def test_a_role_matches_however_the_roster_spells_it(roster_role: str) -> None:
    from dataward.training.engine.policy import from_dict

    policy = from_dict(
        {
            "courses": [{"code": "pci", "title": "PCI DSS"}],
            "requirements": [
                {"course": "pci", "client": "bank", "roles": ["team_lead"], "before_access": True}
            ],
        },  # fmt: skip
        "r.yaml",
    )
    lead = person(job_role=roster_role.lower(), started=10)
    index = CompletionIndex([lead], [], policy)
    assert [s.course for s in person_status(lead, policy, index, TODAY)] == ["pci"]
    found, judged = early_access([lead], [_grant("E1", 8)], policy, index, "bank", TODAY)
    assert (judged, len(found)) == (1, 1)


def test_evidence_masks_an_account_that_is_an_email_address() -> None:
    joiner = person("E1", started=10)
    data = TrainingData("bank", TODAY, (joiner,), POLICY, (), completions_imported=True)
    grant = Holding("E1", "bank_crm", "ann.one@bank.example", "view", TODAY - timedelta(days=8))
    (finding,) = rules.access_before_training(data, [grant])
    accounts = [e["account"] for e in finding.evidence if "account" in e]
    assert accounts == ["a***@bank.example"]
    assert "ann.one" not in repr(finding)
