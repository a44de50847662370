"""What the rules read (one client's view of identities and access) and what they report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dataward.access.engine.matrix import RoleMatrix
from dataward.access.engine.types import Account, Entitlement, Person


@dataclass(frozen=True)
class Grant:
    """An entitlement on one of the client's systems (``system`` is the import's system key)."""

    system: str
    entitlement: Entitlement


@dataclass(frozen=True)
class AccessException:
    """A time-boxed, approved exception to the access rules for one account's access."""

    account: str
    system: str  # '*' for every system of the client
    permission: str  # '*' for every permission
    starts: date
    ends: date
    reason: str = ""
    approved_by: str = ""
    ref: str = ""

    def covers(self, account: str, system: str, permission: str, today: date) -> bool:
        """Return whether this exception, in force today, covers the access."""
        return (
            self.starts <= today <= self.ends
            and self.account.lower() == account.lower()
            and self.system.lower() in ("*", system.lower())
            and self.permission.lower() in ("*", permission.lower())
        )


@dataclass(frozen=True)
class AccessData:
    """Everything the rules read for one client (or, with ``operation``, the whole operation)."""

    client: str
    now: datetime
    people: tuple[Person, ...] = ()
    accounts: tuple[tuple[str, Account], ...] = ()  # (directory source, account)
    grants: tuple[Grant, ...] = ()
    matrix: RoleMatrix | None = None
    exceptions: tuple[AccessException, ...] = ()
    confirmed: dict[str, str] = field(default_factory=dict)  # username -> employee id
    operation: bool = False
    reviews: tuple[datetime, ...] = ()  # when each completed review campaign closed
    #: Revocations decided in a review that a later export shows were not carried out:
    #: (campaign name, system, account, permission).
    unrevoked: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class Violation:
    """One subject a rule fails (or warns about), with evidence rows (no raw sensitive data)."""

    subject: str
    summary: str
    evidence: tuple[dict[str, Any], ...] = ()
    warning: bool = False


@dataclass
class RuleOutcome:
    """What one rule found: violations, the passing summary, or why it could not judge."""

    violations: list[Violation] = field(default_factory=list)
    passed: str = ""
    not_applicable: str = ""
