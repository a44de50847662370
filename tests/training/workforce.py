"""A small workforce for the training tests: two clients, a roster, accounts and access.

Dates are relative to today (UTC), because the commands read the real clock:

- E1 northbank agent, current; E2 northbank agent, annual course 15 days overdue;
- E3 team lead on both clients, current; E4 carewell joiner (10 days) holding access with no
  course done; E5 carewell joiner trained on day one, access granted after;
- E6 IT admin with no client assignment, annual course overdue; E7 a leaver with nothing done.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

Cli = Callable[..., Any]  # the `cli` fixture: run dataward in-process
TODAY = datetime.now(UTC).date()
REQUIREMENTS = """
due_soon_days: 14
joiner_days: 90
phishing: {click_rate_threshold: 20, min_sample: 8, team: department, window_days: 365}
courses:
  - {code: security-awareness, title: Annual Security Awareness, aliases: [SAT 2026]}
  - {code: pci-dss, title: PCI DSS Awareness}
  - {code: hipaa, title: HIPAA Privacy and Security}
requirements:
  - {course: security-awareness, every_days: 365, within_days: 30}
  - {course: pci-dss, clients: [northbank], before_access: true}
  - {course: hipaa, clients: [carewell], before_access: true}
"""
COMPLETIONS_HEADER = ("Employee ID", "Course Title", "Completion Date", "Due Date", "Score")


def ago(days: int) -> str:
    """Return the ISO date ``days`` before today."""
    return (TODAY - timedelta(days=days)).isoformat()


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> Path:
    """Write a CSV file and return its path."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def completion_rows() -> list[tuple[object, ...]]:
    """Return the LMS rows of the small workforce."""
    return [
        ("E1", "Annual Security Awareness", ago(100), "", 91),
        ("E1", "PCI DSS Awareness", ago(50), "", "88%"),
        ("E2", "annual security  awareness", ago(380), "", 75),
        ("E2", "PCI DSS Awareness", ago(40), "", 80),
        ("E3", "SAT 2026", ago(10), "", 99),
        ("E3", "PCI DSS Awareness", ago(10), "", 99),
        ("E3", "HIPAA Privacy and Security", ago(10), "", 99),
        ("E4", "HIPAA Privacy and Security", "", (TODAY + timedelta(days=20)).isoformat(), ""),
        ("E5", "Annual Security Awareness", ago(20), "", 95),
        ("E5", "HIPAA Privacy and Security", ago(20), "", 95),
        ("E6", "Annual Security Awareness", ago(400), "", 70),
        ("E9", "Excel for Beginners", ago(3), "", 100),
    ]


def phishing_rows(clicks: int) -> list[tuple[object, ...]]:
    """Return two campaigns to the five Operations people and the admin, ``clicks`` clicks."""
    rows: list[tuple[object, ...]] = []
    for n, campaign in enumerate(("Parcel lure", "Payroll lure")):
        for eid in ("E1", "E2", "E3", "E4", "E5", "E6"):
            clicked = eid != "E6" and n * 5 + int(eid[1]) <= clicks
            rows.append((campaign, eid, ago(60 - 30 * n), clicked, not clicked))
    return rows


def day(text: str) -> date:
    """Parse an ISO date."""
    return date.fromisoformat(text)


def text_file(path: Path, text: str) -> Path:
    """Write a text file and return its path."""
    path.write_text(text, encoding="utf-8")
    return path
