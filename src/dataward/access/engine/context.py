"""Derive, once per evaluation, the joins every rule needs: links, holders, scope, MFA facts."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from typing import Any

from dataward.access.engine.model import AccessData, Grant
from dataward.access.engine.resolve import AccountIndex, Link, Resolver
from dataward.access.engine.types import PRIVILEGED_GROUPS, Account, Person

GENERIC_WORDS = frozenset(
    (
        "shared", "share", "generic", "common", "team", "queue", "pool", "group", "dept",
        "temp", "tmp", "test", "testing", "training", "trainee", "guest", "demo", "helpdesk",
        "servicedesk", "frontdesk", "reception", "nightshift", "dayshift", "floor", "kiosk",
        "administrator", "supervisor", "backup", "spare", "standby", "intern", "vendor",
    )
)  # fmt: skip
GENERIC_NAME = re.compile(r"^(agent|user|login|operator|staff|csr|cs|desk|seat|station)\d+$")
_TOKENS = re.compile(r"[a-z]+")


def generic_name(*names: str) -> str:
    """Return the word that makes an account name look shared or generic, or ''."""
    for name in names:
        low = name.lower().split("@", 1)[0]
        if GENERIC_NAME.match(low.replace(".", "").replace("-", "").replace("_", "")):
            return low
        for token in _TOKENS.findall(low):
            if token in GENERIC_WORDS:
                return str(token)
    return ""


class Identities:
    """Who is who, independent of any client: people, accounts, their links and name index.

    Built once per roster and directory snapshot and shared by every client's evaluation.
    """

    def __init__(
        self,
        people: tuple[Person, ...],
        accounts: tuple[tuple[str, Account], ...],
        confirmed: dict[str, str],
    ) -> None:
        self.people = {p.employee_id: p for p in people}
        self.resolver = Resolver(people, confirmed)
        self.links: list[tuple[str, Account, Link]] = [
            (source, account, self.resolver.link(account)) for source, account in accounts
        ]
        self.index = AccountIndex(((a, link) for _, a, link in self.links), self.resolver)
        self.source_of = {id(a): source for source, a, _ in self.links}
        self.accounts_of: dict[str, list[tuple[str, Account, Link]]] = defaultdict(list)
        for item in self.links:
            if item[2].linked:
                self.accounts_of[item[2].employee_id].append(item)


_SHARED: dict[str, Any] = {}


def identities(data: AccessData) -> Identities:
    """Return the identities for this data, reused while the inputs are the same objects.

    One assessment evaluates every client in turn over the same roster and directories.
    """
    key = (id(data.people), id(data.accounts), tuple(sorted(data.confirmed.items())))
    if _SHARED.get("key") != key:
        # Keep the tuples alive with the key so their ids cannot be reused by other objects.
        _SHARED.update(key=key, keep=(data.people, data.accounts), value=None)
        _SHARED["value"] = Identities(data.people, data.accounts, data.confirmed)
    value: Identities = _SHARED["value"]
    return value


class Context:
    """One client's identities and access, joined: who holds what, and which accounts count."""

    def __init__(self, data: AccessData) -> None:
        self.data = data
        self.today: date = data.now.date()
        self.matrix = data.matrix
        ids = identities(data)
        self.people = ids.people
        self.resolver = ids.resolver
        self.links = ids.links
        self.index = ids.index
        self.source_of = ids.source_of
        self.accounts_of = ids.accounts_of
        self.held: list[tuple[Grant, str]] = [
            (g, self.index.person_of(g.entitlement.account)) for g in data.grants
        ]  # (grant, employee id of its holder or '')
        self.grants_of: dict[str, list[Grant]] = defaultdict(list)  # employee id -> grants
        self.grants_by_account: dict[str, list[Grant]] = defaultdict(list)
        for grant, eid in self.held:
            self.grants_by_account[grant.entitlement.account.lower()].append(grant)
            if eid:
                self.grants_of[eid].append(grant)
        self.privileged_groups = frozenset(g.lower() for g in PRIVILEGED_GROUPS)
        self._scoped: list[tuple[str, Account, Link]] | None = None
        self.memo: dict[str, Any] = {}  # per-client results rules share (e.g. unowned accounts)

    def assigned(self, person: Person) -> bool:
        """Return whether HR assigns the person to this client (always true for the operation)."""
        return self.data.operation or self.data.client in person.clients

    def in_scope(self, source: str, account: Account, link: Link) -> bool:
        """Return whether a directory account matters to this client."""
        if self.data.operation:
            return True
        person = self.people.get(link.employee_id) if link.linked else None
        if person is not None and self.data.client in person.clients:
            return True
        if any(n in self.grants_by_account for n in account.names()):
            return True
        groups = self.matrix.groups if self.matrix else frozenset()
        return any(g.lower() in groups for g in account.groups)

    def scoped_accounts(self) -> list[tuple[str, Account, Link]]:
        """Return the directory accounts that matter to this client (computed once)."""
        if self._scoped is None:
            self._scoped = [item for item in self.links if self.in_scope(*item)]
        return self._scoped

    def privileged_account(self, account: Account) -> bool:
        """Return whether a directory account is privileged (flag or an admin group)."""
        return account.privileged or any(
            g.lower() in self.privileged_groups for g in account.groups
        )

    def privileged_grant(self, grant: Grant) -> bool:
        """Return whether an entitlement is privileged (export flag or the role matrix)."""
        ent = grant.entitlement
        return ent.privileged or bool(
            self.matrix and self.matrix.is_privileged(grant.system, ent.permission)
        )

    def excepted(self, account: str, system: str, permission: str) -> bool:
        """Return whether an exception in force covers this access."""
        if not self.data.exceptions:
            return False
        return any(e.covers(account, system, permission, self.today) for e in self.data.exceptions)

    def service_owner(self, name: str) -> str:
        """Return the declared owner of a service account, or ''."""
        return self.matrix.service_accounts.get(name.lower(), "") if self.matrix else ""

    def mfa(self, names: tuple[str, ...]) -> tuple[bool | None, bool | None, tuple[str, ...]]:
        """Return (registered, enforced, sources saying not enforced) over these account names.

        Enforcement is judged pessimistically: one source showing a sign-in without MFA (an Entra
        export) outweighs another claiming a policy. Registered anywhere counts as registered.
        """
        registered: list[bool] = []
        enforced: list[bool] = []
        against: set[str] = set()
        for name in names:
            for account, _ in self.index.accounts(name):
                if account.mfa_registered is not None:
                    registered.append(account.mfa_registered)
                if account.mfa_enforced is not None:
                    enforced.append(account.mfa_enforced)
                    if not account.mfa_enforced:
                        against.add(self.source_of.get(id(account), ""))
        reg = any(registered) if registered else None
        enf = all(enforced) if enforced else None
        return reg, enf, tuple(sorted(against - {""}))

    def unowned(self, name: str) -> bool:
        """Return whether an account name links to no person and no declared service owner."""
        return not self.index.person_of(name) and not self.service_owner(name)
