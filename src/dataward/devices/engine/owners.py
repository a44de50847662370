"""Link devices to people on the HR roster, as the access rules link accounts.

A device names its user by employee id, UPN or email, or username. Employee ids and emails match
the roster; usernames and aliases match directory accounts (and so the person each account
links to); a bare name also matches the local part of a roster email when only one person has
it. A device's clients are its person's clients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from dataward.access.engine.resolve import AccountIndex, Resolver
from dataward.access.engine.types import Account, Person
from dataward.devices.engine.types import Device


class Owners:
    """Find the person behind each device."""

    def __init__(
        self,
        people: Iterable[Person],
        accounts: Iterable[Account] = (),
        confirmed: Mapping[str, str] | None = None,
    ) -> None:
        self.resolver = Resolver(people, confirmed)
        self.index = AccountIndex(((a, self.resolver.link(a)) for a in accounts), self.resolver)
        local: dict[str, list[Person]] = defaultdict(list)
        for person in self.resolver.people.values():
            if person.email:
                local[person.email.split("@", 1)[0].lower()].append(person)
        self.by_local = {k: v[0] for k, v in local.items() if len(v) == 1}
        self._memo: dict[tuple[str, str], Person | None] = {}

    def of(self, device: Device) -> Person | None:
        """Return the device's person, or None when it links to no one."""
        key = (device.employee_id.lower(), device.user.lower())
        if key not in self._memo:
            self._memo[key] = self._find(*key)
        return self._memo[key]

    def _find(self, employee_id: str, user: str) -> Person | None:
        people = self.resolver.people
        if employee_id and employee_id in people:
            return people[employee_id]
        if not user:
            return None
        eid = self.index.person_of(user)
        if eid:
            return people.get(eid.lower())
        return self.by_local.get(user.split("@", 1)[0] if "@" not in user else "")
