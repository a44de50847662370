"""Plan how one assessment changes the register: one risk per failing control and client.

The plan is pure: it receives what failed and passed, and the register's automatic risks, and
says which risk to raise, update, reopen or propose for closure. The store applies it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

SEVERITY_ORDER = ("low", "medium", "high", "critical")
#: Statuses that say "this check ran and found nothing wrong".
CLEAN = ("pass", "not_applicable")


@dataclass(frozen=True)
class CheckOutcome:
    """One stored check result as the plan reads it."""

    check_id: str
    title: str
    severity: str
    status: str
    subject: str


@dataclass(frozen=True)
class ControlRef:
    """The catalog control a check evidences (or the check itself when no control names it)."""

    key: str  # "control:AC-01" or "check:<id>"
    control_id: str
    title: str
    area: str


@dataclass
class Failure:
    """What fails for one control in this assessment."""

    ref: ControlRef
    severity: str = "low"
    checks: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)

    def add(self, outcome: CheckOutcome) -> None:
        """Fold one failing outcome in, keeping the worst severity."""
        self.checks.add(outcome.check_id)
        self.subjects.add(f"{outcome.check_id}: {outcome.subject}")
        if SEVERITY_ORDER.index(outcome.severity) > SEVERITY_ORDER.index(self.severity):
            self.severity = outcome.severity


@dataclass(frozen=True)
class RiskState:
    """An automatic risk as the register holds it."""

    ref: str
    status: str
    failing: tuple[str, ...]
    acceptance_expires: date | None = None


@dataclass(frozen=True)
class Action:
    """One change the store must make."""

    kind: str  # raise, update, reopen, propose_closure, acceptance_expired
    key: str
    failure: Failure | None = None
    ref: str = ""


def failures(
    outcomes: Iterable[CheckOutcome], controls_of: Mapping[str, Sequence[ControlRef]]
) -> tuple[dict[str, Failure], set[str]]:
    """Return the failing controls by key, and the keys whose checks all ran clean."""
    failing: dict[str, Failure] = {}
    seen: dict[str, bool] = {}  # key -> every result clean so far
    for o in outcomes:
        refs = controls_of.get(o.check_id) or [ControlRef(f"check:{o.check_id}", "", o.title, "")]
        for ref in refs:
            seen[ref.key] = seen.get(ref.key, True) and o.status in CLEAN
            if o.status == "fail":
                failing.setdefault(ref.key, Failure(ref)).add(o)
    return failing, {k for k, clean in seen.items() if clean}


def plan(
    failing: Mapping[str, Failure],
    clean: set[str],
    register: Mapping[str, RiskState],
    today: date,
) -> list[Action]:
    """Return the actions that bring the register in step with one assessment."""
    actions: list[Action] = []
    for key, failure in sorted(failing.items()):
        risk = register.get(key)
        subjects = tuple(sorted(failure.subjects))
        if risk is None:
            actions.append(Action("raise", key, failure))
        elif risk.status in ("closed", "proposed_closure"):
            actions.append(Action("reopen", key, failure, risk.ref))
        elif risk.status == "accepted" and _expired(risk, today):
            actions.append(Action("acceptance_expired", key, failure, risk.ref))
        elif subjects != risk.failing:
            actions.append(Action("update", key, failure, risk.ref))
    for key, risk in sorted(register.items()):
        if key in clean and risk.status in ("open", "accepted"):
            actions.append(Action("propose_closure", key, None, risk.ref))
    return actions


def _expired(risk: RiskState, today: date) -> bool:
    """Return whether an acceptance has run out."""
    return risk.acceptance_expires is None or risk.acceptance_expires < today
