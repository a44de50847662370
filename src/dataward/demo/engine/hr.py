"""Write the HR roster (CSV and XLSX) and the training and phishing records."""

from __future__ import annotations

from datetime import date, timedelta

import yaml

from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import csv_doc, xlsx_doc
from dataward.demo.engine.model import Cell
from dataward.demo.engine.people import DEPARTMENTS, Employee, active, flagged

ROSTER_HEADER = (
    "employee_id",
    "name",
    "email",
    "status",
    "start_date",
    "end_date",
    "department",
    "job_role",
    "client_accounts",
    "manager_id",
    "last_role_change",
)
ANNUAL = "Annual Security Awareness"
CLIENT_COURSES = {
    "northbank": "PCI DSS Awareness for Agents",
    "carewell": "HIPAA Privacy and Security",
    "telora": "GDPR Essentials",
}
CAMPAIGNS = (("Parcel delivery lure", 80), ("Payroll update lure", 50), ("MFA reset lure", 20))
COURSE_CODES = {"northbank": "pci-dss", "carewell": "hipaa", "telora": "gdpr"}


def _iso(day: date | None) -> str:
    """Return an ISO date or an empty string."""
    return day.isoformat() if day else ""


def roster_rows(people: list[Employee]) -> list[list[Cell]]:
    """Return one roster row per employee."""
    return [
        [
            p.employee_id,
            p.person(),
            p.mail(),
            p.status,
            p.start.isoformat(),
            _iso(p.end),
            DEPARTMENTS[p.role],
            p.role,
            ";".join(p.clients),
            p.manager_id,
            p.last_role_change.isoformat(),
        ]
        for p in people
    ]


def write_hr(estate: Estate, people: list[Employee]) -> None:
    """Write hr/hr_roster.csv and the same data as hr/hr_roster.xlsx."""
    rows = roster_rows(people)
    estate.write(
        "hr/hr_roster.csv", csv_doc(ROSTER_HEADER, rows), client=None, kind="hr", days_ago=0.8
    )
    estate.write(
        "hr/hr_roster.xlsx",
        xlsx_doc([("Roster", ROSTER_HEADER, rows)], estate.at(0.8)),
        client=None,
        kind="hr",
        days_ago=0.8,
    )


def late_joiner(people: list[Employee]) -> Employee:
    """Return the joiner planted with client access before training (the longest-serving)."""
    return min((p for p in people if "joiner" in p.flags), key=lambda p: (p.start, p.employee_id))


def requirements_doc() -> dict[str, object]:
    """Return the training requirements file: the annual course and each client's course."""
    client_rule = {"every_days": 365, "within_days": 30, "after": "assignment"}
    return {
        "due_soon_days": 14,
        "joiner_days": 90,
        "phishing": {
            "click_rate_threshold": 20,
            "min_sample": 30,
            "team": "department",
            "window_days": 365,
        },
        "courses": [{"code": "security-awareness", "title": ANNUAL}]
        + [{"code": COURSE_CODES[c], "title": t} for c, t in CLIENT_COURSES.items()],
        "requirements": [
            {"course": "security-awareness", "every_days": 365, "within_days": 30, "after": "hire"}
        ]
        + [
            {"course": COURSE_CODES[c], "clients": [c], **client_rule, "before_access": True}
            for c in CLIENT_COURSES
        ],
    }


def completion_rows(estate: Estate, people: list[Employee]) -> list[list[Cell]]:
    """Return training rows: everyone current, joiners trained on day one, two planted.

    The planted: one agent's annual course overdue, and one joiner (``late_joiner``) holding
    client access with no course completed yet (still inside the grace period).
    """
    rng = estate.rng("training")
    today = estate.as_of
    late = late_joiner(people)
    rows: list[list[Cell]] = []
    for p in active(people):
        courses = [ANNUAL] + [CLIENT_COURSES[c] for c in p.clients]
        for course in courses:
            if p is late:
                rows.append([p.employee_id, course, "", _iso(p.start + timedelta(30)), ""])
                continue
            if "joiner" in p.flags:  # induction on the first day, before any access is granted
                rows.append(
                    [p.employee_id, course, _iso(p.start), _iso(p.start + timedelta(30)), 92]
                )
                continue
            if course == ANNUAL and "overdue_training" in p.flags:
                last = today - timedelta(days=rng.randint(395, 410))
                rows.append([p.employee_id, course, _iso(last), _iso(last + timedelta(7)), 88])
                rows.append([p.employee_id, course, "", _iso(today - timedelta(18)), ""])
                continue
            done = today - timedelta(days=rng.randint(15, 300))
            due = done + timedelta(days=rng.randint(2, 25))
            rows.append([p.employee_id, course, _iso(done), _iso(due), rng.randint(72, 100)])
    return rows


def phishing_rows(estate: Estate, people: list[Employee]) -> list[list[Cell]]:
    """Return phishing-simulation results for three recent campaigns."""
    rng = estate.rng("phishing")
    rows: list[list[Cell]] = []
    for name, days in CAMPAIGNS:
        sent = estate.as_of - timedelta(days=days)
        label = f"{sent:%Y-%m} {name}"
        for p in active(people):
            if p.start > sent:
                continue
            clicked = rng.random() < 0.1
            reported = not clicked and rng.random() < 0.6
            rows.append([label, p.employee_id, sent.isoformat(), clicked, reported])
    return rows


def write_training(estate: Estate, people: list[Employee]) -> None:
    """Write the training requirements, completions and phishing results; plant two problems."""
    estate.write(
        "training/requirements.yaml",
        (yaml.safe_dump(requirements_doc(), sort_keys=False).encode("utf-8"), []),
        client=None,
        kind="training",
        days_ago=30,
    )
    header = ("employee_id", "course", "completed_on", "due_on", "score")
    path = estate.write(
        "training/completions.csv",
        csv_doc(header, completion_rows(estate, people)),
        client=None,
        kind="training",
        days_ago=1.2,
    )
    estate.write(
        "training/phishing_results.csv",
        csv_doc(
            ("campaign", "employee_id", "sent_on", "clicked", "reported"),
            phishing_rows(estate, people),
        ),
        client=None,
        kind="training",
        days_ago=1.2,
    )
    late = flagged(people, "overdue_training")
    estate.plant(
        "governance-security-training-overdue",
        "governance",
        None,
        kind="mandatory_training_overdue",
        path=path,
        detail=f"employee {late.employee_id}, course {ANNUAL}, not completed, due 18 days ago",
        expect={
            "check": "training_required_courses_current",
            "count": 1,
            "subject": late.employee_id,
        },
        description="An active agent has not completed the mandatory annual security "
        "awareness course, which fell due 18 days before the as-of date.",
    )
    _plant_joiner(estate, people, path)


def _plant_joiner(estate: Estate, people: list[Employee], path: str) -> None:
    """Record the joiner who holds client access before completing the client's course."""
    joiner = late_joiner(people)
    client = joiner.clients[0]
    days = (estate.as_of - joiner.start).days
    estate.plant(
        "governance-joiner-access-before-training",
        "governance",
        client,
        kind="client_access_before_training",
        path=path,
        detail=f"employee {joiner.employee_id} started {days} days ago and holds access to "
        f"{client}'s systems (entitlements/{client}_*.csv); {CLIENT_COURSES[client]} not "
        "completed",
        expect={
            "check": "training_completed_before_client_access",
            "count": 1,
            "subject": joiner.employee_id,
        },
        description="A joiner was given access to the client's systems before completing the "
        "client's required data-handling course.",
    )
