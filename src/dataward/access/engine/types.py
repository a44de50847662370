"""The plain records the access engine reads and judges: people, accounts and entitlements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from dataward.errors import ImportFileError as ImportFileError  # re-exported for connectors

#: HR statuses; anything a roster says is mapped onto one of these.
STATUSES = ("active", "leave", "terminated")
#: Directory groups that make an account privileged unless the import names others.
PRIVILEGED_GROUPS = (
    "domain admins", "enterprise admins", "schema admins", "administrators", "account operators",
    "backup operators", "server operators", "global administrator", "privileged role administrator",
    "security administrator", "exchange administrator", "user administrator", "root", "wheel",
    "sudo",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    """One person on the HR roster."""

    employee_id: str
    name: str
    email: str
    status: str
    start_date: date | None
    end_date: date | None
    department: str
    job_role: str
    clients: tuple[str, ...]
    manager_id: str
    last_role_change: date | None
    row: int = 0


@dataclass(frozen=True)
class Account:
    """One account in a directory (CSV, SCIM, Entra, LDAP): who it is and how it signs in.

    ``mfa_registered`` and ``mfa_enforced`` are kept apart: a registered second factor that no
    policy requires protects nothing. None means the source does not say.
    ``login_lag_days`` is how stale ``last_login`` may be by design (Active Directory replicates
    lastLogonTimestamp only every 9-14 days).
    """

    username: str
    employee_id: str = ""
    email: str = ""
    display_name: str = ""
    enabled: bool = True
    mfa_registered: bool | None = None
    mfa_enforced: bool | None = None
    last_login: datetime | None = None
    groups: tuple[str, ...] = ()
    privileged: bool = False
    login_lag_days: int = 0
    aliases: tuple[str, ...] = ()
    row: int = 0

    @cached_property
    def _names(self) -> tuple[str, ...]:
        found = [self.username, *self.aliases]
        if self.email:
            found += [self.email, self.email.split("@", 1)[0]]
        return tuple(dict.fromkeys(n.lower() for n in found if n))

    def names(self) -> tuple[str, ...]:
        """Return every lower-case name an application export may use for this account."""
        return self._names


@dataclass(frozen=True)
class Entitlement:
    """One permission one account holds in one client system."""

    account: str
    application: str
    permission: str
    privileged: bool = False
    granted_date: date | None = None
    last_used: date | None = None
    granted_by: str = ""
    row: int = 0


@dataclass(frozen=True)
class ImportResult:
    """What one connector read: the records and notes for the user (never raw values)."""

    kind: str
    people: tuple[Person, ...] = ()
    accounts: tuple[Account, ...] = ()
    entitlements: tuple[Entitlement, ...] = ()
    notes: tuple[str, ...] = field(default=())
