"""The register as checks read it: plain rows, and the rules that judge acceptances and plans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RiskRow:
    """One risk of the register, as checks and reminders read it."""

    ref: str
    title: str
    status: str
    treatment: str
    owner: str
    due: date | None
    accepted_by: str
    acceptance_expires: date | None


def acceptance_problem(risk: RiskRow, today: date) -> str:
    """Return why an accepted risk's acceptance does not hold, or '' when it does."""
    if not risk.accepted_by:
        return "accepted without a named approver"
    if risk.accepted_by.strip().casefold() == risk.owner.strip().casefold():
        return f"accepted by its own owner {risk.owner}"
    if risk.acceptance_expires is None:
        return "accepted with no expiry"
    if risk.acceptance_expires < today:
        return f"acceptance expired on {risk.acceptance_expires}"
    return ""


def is_accepted(risk: RiskRow) -> bool:
    """Return whether the register treats the risk as accepted."""
    return risk.status == "accepted" or (risk.status != "closed" and risk.treatment == "accept")


def plan_problem(risk: RiskRow, today: date) -> tuple[str, str]:
    """Return ('fail'|'warning'|'', why) for an open risk's treatment plan."""
    if risk.due is not None and risk.due < today:
        return "fail", f"treatment was due {risk.due} ({(today - risk.due).days} days ago)"
    if not risk.owner:
        return "warning", "has no owner"
    if risk.due is None:
        return "warning", "has no treatment due date"
    return "", ""
