"""Build the BPO's workforce: sites, roles, client assignments, joiners, movers and leavers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from dataward.demo.engine.clients import BPO_DOMAIN
from dataward.demo.engine.contact import site_ipv4
from dataward.demo.engine.estate import Estate
from dataward.demo.engine.model import S, ascii_fold

_PH_FIRST = (
    "Maria Jose Mark John Kristine Angelica Ramon Jericho Lourdes Paolo Camille Joanna Rhea "
    "Aljon Christian Patricia Jayson Liza Marvin Kimberly Rommel Grace Arnel Shiela"
)
_PH_LAST = (
    "Santos Reyes Cruz Bautista Ocampo Garcia Mendoza Torres Villanueva Ramos Castillo Flores "
    "Aquino Navarro Salazar Mercado Domingo Gonzales Dizon Pascual Manalo Soriano Lacson Tolentino"
)


def _words(text: str) -> tuple[str, ...]:
    """Split a space-separated word list."""
    return tuple(text.split(" "))


PH_FIRST = _words(_PH_FIRST)
PH_LAST = _words(_PH_LAST)


@dataclass(frozen=True)
class Site:
    """One BPO delivery site."""

    key: str
    city: str
    locale: str
    octet: int
    region: str
    timezone: str


SITES = {
    "manila": Site("manila", "Manila", "en_PH", 40, "PH", "Asia/Manila"),
    "pune": Site("pune", "Pune", "en_IN", 50, "IN", "Asia/Kolkata"),
    "leeds": Site("leeds", "Leeds", "en_GB", 60, "GB", "Europe/London"),
    "charlotte": Site("charlotte", "Charlotte", "en_US", 10, "US", "America/New_York"),
}
ALL = "northbank;carewell;telora"
# (site, role, client accounts, how many)
ROSTER_SPEC = (
    ("charlotte", "ops_manager", ALL, 1),
    ("charlotte", "security_lead", ALL, 1),
    ("charlotte", "it_admin", "northbank", 1),
    ("charlotte", "trainer", "carewell;northbank", 1),
    ("charlotte", "qa_analyst", "northbank", 1),
    ("charlotte", "agent", "carewell", 3),
    ("charlotte", "agent", "northbank", 3),
    ("manila", "ops_manager", "carewell;northbank", 1),
    ("manila", "team_lead", "carewell", 1),
    ("manila", "team_lead", "northbank", 1),
    ("manila", "qa_analyst", "carewell;northbank", 1),
    ("manila", "trainer", "carewell;northbank", 1),
    ("manila", "it_admin", "carewell", 1),
    ("manila", "agent", "carewell", 9),
    ("manila", "agent", "northbank", 7),
    ("pune", "ops_manager", "telora;northbank", 1),
    ("pune", "team_lead", "telora", 1),
    ("pune", "team_lead", "northbank", 1),
    ("pune", "qa_analyst", "telora", 1),
    ("pune", "it_admin", "telora", 1),
    ("pune", "agent", "telora", 6),
    ("pune", "agent", "northbank", 4),
    ("leeds", "ops_manager", "telora", 1),
    ("leeds", "team_lead", "telora", 1),
    ("leeds", "qa_analyst", "telora", 1),
    ("leeds", "trainer", "telora", 1),
    ("leeds", "agent", "telora", 8),
)
DEPARTMENTS = {
    "agent": "Operations",
    "team_lead": "Operations",
    "ops_manager": "Operations",
    "qa_analyst": "Quality",
    "trainer": "Training",
    "it_admin": "IT",
    "security_lead": "Security",
}
PRIVILEGED_ROLES = ("it_admin", "security_lead")
SHARED_USERNAME = "carewell.shared01"


@dataclass
class Employee:
    """One person on the HR roster, with the accounts and markers the estate derives."""

    employee_id: str
    first: str
    last: str
    site: Site
    role: str
    clients: list[str]
    start: date
    last_role_change: date
    username: str
    email: str
    ip: str
    status: str = "active"
    end: date | None = None
    manager_id: str = ""
    flags: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        """Return the full name."""
        return f"{self.first} {self.last}"

    def person(self) -> S:
        """Return the full name tagged as a PERSON."""
        return S("PERSON", self.name)

    def mail(self) -> S:
        """Return the work email tagged as an EMAIL_ADDRESS."""
        return S("EMAIL_ADDRESS", self.email)

    @property
    def privileged(self) -> bool:
        """Return whether the role administers systems."""
        return self.role in PRIVILEGED_ROLES


def _name(fakers: dict[str, Faker], site: Site, rng: random.Random) -> tuple[str, str]:
    """Return a (first, last) name typical of the site."""
    if site.locale == "en_PH":
        return rng.choice(PH_FIRST), rng.choice(PH_LAST)
    fake = fakers[site.locale]
    return ascii_fold(fake.first_name()), ascii_fold(fake.last_name())


def build_roster(estate: Estate) -> list[Employee]:
    """Return about sixty employees with stable ids, accounts and lifecycle events."""
    rng = estate.rng("roster")
    ids = sorted(rng.sample(range(10100, 19999), sum(spec[3] for spec in ROSTER_SPEC)))
    people: list[Employee] = []
    seen_users: set[str] = set()
    seen_names: set[tuple[str, str]] = set()
    fakers = {s.locale: estate.faker(s.locale, "staff") for s in SITES.values()}
    for site_key, role, clients, count in ROSTER_SPEC:
        site = SITES[site_key]
        for _ in range(count):
            first, last = _name(fakers, site, rng)
            while (first, last) in seen_names:
                first, last = _name(fakers, site, rng)
            seen_names.add((first, last))
            start = estate.as_of - timedelta(days=rng.randint(420, 1800))
            people.append(
                Employee(
                    employee_id=f"E{ids[len(people)]}",
                    first=first,
                    last=last,
                    site=site,
                    role=role,
                    clients=clients.split(";"),
                    start=start,
                    last_role_change=start + timedelta(days=rng.randint(0, 300)),
                    username=_username(first, last, seen_users),
                    email=f"{first}.{last}@{BPO_DOMAIN}".lower().replace(" ", ""),
                    ip=site_ipv4(rng, site.octet),
                )
            )
    _assign_managers(people)
    _lifecycle(estate, people)
    return people


def _username(first: str, last: str, seen: set[str]) -> str:
    """Return a unique first-initial-plus-surname login."""
    base = (first[0] + last).lower().replace(" ", "").replace(".", "")
    name, n = base, 1
    while name in seen:
        n += 1
        name = f"{base}{n}"
    seen.add(name)
    return name


def _assign_managers(people: list[Employee]) -> None:
    """Point agents at a team lead of their client, leads at their site's ops manager."""
    head = people[0]
    for p in people[1:]:
        if p.role == "agent":
            leads = [t for t in people if t.role == "team_lead" and t.clients == p.clients]
            same_site = [t for t in leads if t.site == p.site]
            p.manager_id = (same_site or leads)[0].employee_id
        elif p.role == "it_admin":
            p.manager_id = next(x for x in people if x.role == "security_lead").employee_id
        elif p.role == "security_lead":
            p.manager_id = head.employee_id
        else:
            ops = [o for o in people if o.role == "ops_manager" and o.site == p.site]
            p.manager_id = (ops[0] if ops and ops[0] is not p else head).employee_id


def pick(people: list[Employee], site: str, role: str, client: str, nth: int = 0) -> Employee:
    """Return the nth active employee at a site with a role serving a client."""
    matches = [
        p
        for p in people
        if p.site.key == site and p.role == role and client in p.clients and not p.flags
    ]
    return matches[nth]


def _lifecycle(estate: Estate, people: list[Employee]) -> None:
    """Mark joiners, movers, leavers, people on leave and the planted people."""
    today = estate.as_of
    plan = (
        ("manila", "carewell", {"leaver", "leaver_active"}, 12),
        ("pune", "northbank", {"leaver"}, 20),
        ("leeds", "telora", {"leaver"}, 45),
        ("charlotte", "carewell", {"leaver"}, 70),
    )
    for site, client, flags, days in plan:
        p = pick(people, site, "agent", client)
        p.status, p.end, p.flags = "terminated", today - timedelta(days=days), set(flags)
    for site, client in (("manila", "northbank"), ("leeds", "telora")):
        pick(people, site, "agent", client).flags = {"on_leave"}
    for p in [x for x in people if "on_leave" in x.flags]:
        p.status = "leave"
    for (site, client), days in zip(
        (("manila", "carewell"), ("pune", "telora"), ("leeds", "telora")), (5, 12, 26), strict=True
    ):
        p = pick(people, site, "agent", client)
        p.start = p.last_role_change = today - timedelta(days=days)
        p.flags = {"joiner"}
    for site, role, client, days in (
        ("manila", "team_lead", "carewell", 9),
        ("pune", "qa_analyst", "telora", 16),
        ("charlotte", "agent", "northbank", 22),
    ):
        p = pick(people, site, role, client)
        p.last_role_change, p.flags = today - timedelta(days=days), {"mover"}
    _plant_flags(people)


def _plant_flags(people: list[Employee]) -> None:
    """Flag the people the planted problems are built around."""
    pick(people, "pune", "agent", "northbank").flags = {"cross_client"}
    pick(people, "pune", "it_admin", "telora").flags = {"admin_no_mfa"}
    pick(people, "manila", "agent", "northbank").flags = {"unencrypted_laptop"}
    pick(people, "leeds", "agent", "telora").flags = {"local_admin"}
    pick(people, "charlotte", "agent", "carewell").flags = {"overdue_training"}
    pick(people, "manila", "agent", "northbank").flags = {"mass_export"}
    pick(people, "leeds", "agent", "telora").flags = {"brute_forced"}
    pick(people, "manila", "agent", "carewell").flags = {"shared_user"}
    pick(people, "manila", "agent", "carewell").flags = {"shared_user"}
    pick(people, "manila", "team_lead", "northbank").flags = {"sod_conflict"}


def flagged(people: list[Employee], flag: str) -> Employee:
    """Return the one employee carrying a planted flag."""
    return next(p for p in people if flag in p.flags)


def active(people: list[Employee]) -> list[Employee]:
    """Return everyone not terminated."""
    return [p for p in people if p.status != "terminated"]
