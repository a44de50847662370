"""Link accounts to people: by employee id, then email, then a fuzzy name match to confirm.

A fuzzy match is a suggestion shown to a person for confirmation; it never counts as a link
until someone confirms it (``dataward access link confirm``). Accounts that link to nobody are
orphans; an account whose employee id and email point at different people is ambiguous.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from dataward.access.engine.types import Account, Person

FUZZY_MIN = 88.0
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Link:
    """How one account was tied to a person (or why it was not)."""

    employee_id: str  # empty when unlinked
    method: str  # employee_id, email, confirmed, suggested, conflict, none
    score: float = 0.0
    suggestion: str = ""  # employee id of a fuzzy suggestion
    others: tuple[str, ...] = ()  # other people the account also points at

    @property
    def linked(self) -> bool:
        """Return whether the account counts as this person's (suggestions do not)."""
        return self.method in ("employee_id", "email", "confirmed", "conflict")


class Resolver:
    """Resolve directory and application accounts to people on the roster."""

    def __init__(self, people: Iterable[Person], confirmed: Mapping[str, str] | None = None):
        self.people = {p.employee_id.lower(): p for p in people}
        self.by_email = {p.email.lower(): p for p in self.people.values() if p.email}
        self.confirmed = {k.lower(): v for k, v in (confirmed or {}).items()}
        self._tokens: dict[str, list[str]] | None = None

    def link(self, account: Account) -> Link:
        """Return the link for a directory account."""
        sure = self.confirmed.get(account.username.lower())
        if sure and sure.lower() in self.people:
            return Link(self.people[sure.lower()].employee_id, "confirmed")
        by_id = self.people.get(account.employee_id.lower()) if account.employee_id else None
        by_mail = self.by_email.get(account.email.lower()) if account.email else None
        if by_id and by_mail and by_id is not by_mail:
            return Link(by_id.employee_id, "conflict", others=(by_mail.employee_id,))
        if by_id:
            return Link(by_id.employee_id, "employee_id")
        if by_mail:
            return Link(by_mail.employee_id, "email")
        return self._fuzzy(account.display_name)

    def _fuzzy(self, display: str) -> Link:
        """Suggest the person whose name best matches, when the match is close and unique."""
        words = _WORD.findall(display.lower())
        if len(words) < 2:
            return Link("", "none")
        pool = {eid for w in words for eid in self._index().get(w, ())}
        if not pool:
            return Link("", "none")
        names = {eid: self.people[eid].name for eid in pool}
        best = process.extract(
            display, names, scorer=fuzz.token_sort_ratio, processor=default_process, limit=2
        )
        if not best or best[0][1] < FUZZY_MIN:
            return Link("", "none")
        if len(best) > 1 and best[1][1] >= best[0][1] - 2:
            return Link("", "none")  # two people fit as well: do not guess
        return Link("", "suggested", best[0][1], self.people[best[0][2]].employee_id)

    def _index(self) -> dict[str, list[str]]:
        """Return people by each word of their name (built on first fuzzy lookup)."""
        if self._tokens is None:
            index: dict[str, list[str]] = defaultdict(list)
            for key, person in self.people.items():
                for word in set(_WORD.findall(person.name.lower())):
                    index[word].append(key)
            self._tokens = dict(index)
        return self._tokens


class AccountIndex:
    """Find the directory accounts (and so the people) an application account name stands for."""

    def __init__(self, accounts: Iterable[tuple[Account, Link]], resolver: Resolver) -> None:
        self.resolver = resolver
        self.by_name: dict[str, list[tuple[Account, Link]]] = defaultdict(list)
        for account, link in accounts:
            for name in account.names():
                self.by_name[name].append((account, link))

    def accounts(self, name: str) -> list[tuple[Account, Link]]:
        """Return the directory accounts an application account name matches."""
        return self.by_name.get(name.lower(), [])

    def person_of(self, name: str) -> str:
        """Return the employee id behind an application account name, or '' when none."""
        for _, link in self.accounts(name):
            if link.linked:
                return link.employee_id
        key = name.lower()
        person = self.resolver.people.get(key) or self.resolver.by_email.get(key)
        return person.employee_id if person else ""
