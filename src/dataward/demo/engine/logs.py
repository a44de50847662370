"""Write two weeks of application access logs (ECS JSON Lines) and an RFC 5424 auth.log."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dataward.demo.engine.clients import BPO_DOMAIN, BY_SLUG, CLIENTS, ClientDef
from dataward.demo.engine.contact import public_ipv4, public_ipv6
from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import jsonl_doc, lines_doc
from dataward.demo.engine.model import S, Text
from dataward.demo.engine.people import SHARED_USERNAME, Employee, flagged

DAYS = 14
CATEGORY = {
    "login": "authentication",
    "failed_login": "authentication",
    "view_record": "database",
    "export": "file",
    "download": "file",
}
MASS_EXPORT_RECORDS = 5000
BURST_ATTEMPTS = 30


@dataclass(frozen=True)
class Event:
    """One application access event."""

    when: datetime
    client: str
    email: str
    ip: str
    action: str
    host: str
    records: int = 0
    path: str = ""
    tag: str = ""


def _local(client: ClientDef, day: Any, hour: int, minute: int, second: int) -> datetime:
    """Return an aware local datetime in the client's time zone."""
    zone = ZoneInfo(client.timezone)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)


def _staff(people: list[Employee], slug: str, day: Any) -> list[Employee]:
    """Return the people who would work a client's queue on a day."""
    return [
        p
        for p in people
        if p.clients == [slug]
        and p.role in ("agent", "team_lead", "qa_analyst")
        and p.status == "active"
        and p.start <= day
    ]


def _session(rng: random.Random, client: ClientDef, day: Any, email: str, ip: str) -> list[Event]:
    """Return one working-hours session: login, record views, maybe an export or download."""
    first, last = client.hours()
    moment = _local(
        client, day, rng.randint(first, last - 2), rng.randint(0, 59), rng.randint(0, 59)
    )
    app = rng.choice(client.apps)
    events = []
    if rng.random() < 0.05:
        events.append(
            Event(moment - timedelta(seconds=40), client.slug, email, ip, "failed_login", app.host)
        )
    events.append(Event(moment, client.slug, email, ip, "login", app.host))
    for _ in range(rng.randint(2, 4)):
        moment += timedelta(minutes=rng.randint(2, 20), seconds=rng.randint(0, 59))
        events.append(Event(moment, client.slug, email, ip, "view_record", app.host, 1))
    roll = rng.random()
    if roll < 0.35:
        action = "export" if roll < 0.25 else "download"
        moment += timedelta(minutes=rng.randint(1, 15))
        path = f"/data/{app.key}/{action}s/{client.slug}_{day:%Y%m%d}_{rng.randint(100, 999)}.csv"
        events.append(
            Event(moment, client.slug, email, ip, action, app.host, rng.randint(20, 300), path)
        )
    return events


def build_events(estate: Estate, people: list[Employee]) -> list[Event]:
    """Return every event of the fortnight, planted ones included, in time order."""
    rng = estate.rng("logs")
    v6 = {p.username: public_ipv6(rng, "GB") for p in people if p.site.key == "leeds"}
    events: list[Event] = []
    for offset in range(DAYS, 0, -1):
        day = estate.as_of - timedelta(days=offset)
        for client in CLIENTS:
            for p in rng.sample(_staff(people, client.slug, day), 4):
                ip = v6[p.username] if p.username in v6 and rng.random() < 0.5 else p.ip
                events += _session(rng, client, day, p.email, ip)
        if offset % 3 == 0:
            events += _shared_sessions(rng, people, day)
    events += _cross_client(rng, people, estate)
    events += _planted(estate, rng, people)
    return sorted(events, key=lambda e: (e.when.astimezone(UTC), e.email, e.action))


def _shared_sessions(rng: random.Random, people: list[Employee], day: Any) -> list[Event]:
    """Return the shared queue account used from three Manila workstations on one day."""
    ips = [p.ip for p in people if "shared_user" in p.flags] + ["10.40.7.31"]
    email = f"{SHARED_USERNAME}@{BPO_DOMAIN}"
    return [e for ip in ips for e in _session(rng, BY_SLUG["carewell"], day, email, ip)]


def _cross_client(rng: random.Random, people: list[Employee], estate: Estate) -> list[Event]:
    """Return the cross-client agent's look at Telora subscriber records."""
    p = flagged(people, "cross_client")
    day = estate.as_of - timedelta(days=5)
    return _session(rng, BY_SLUG["telora"], day, p.email, p.ip)


def _planted(estate: Estate, rng: random.Random, people: list[Employee]) -> list[Event]:
    """Return the mass export at 02:00, the failed-login burst and the leaver's access."""
    nb, tl, cw = BY_SLUG["northbank"], BY_SLUG["telora"], BY_SLUG["carewell"]
    thief = flagged(people, "mass_export")
    day = estate.as_of - timedelta(days=4)
    start = _local(nb, day, 1, 56, 12)
    events = [
        Event(start, nb.slug, thief.email, thief.ip, "login", nb.apps[0].host),
        Event(
            _local(nb, day, 2, 0, 41),
            nb.slug,
            thief.email,
            thief.ip,
            "export",
            nb.apps[0].host,
            MASS_EXPORT_RECORDS,
            f"/data/core_crm/exports/northbank_customers_full_{day:%Y%m%d}.csv",
            "mass_export",
        ),
    ]
    target = flagged(people, "brute_forced")
    attacker = public_ipv4(rng, "US")
    moment = _local(tl, estate.as_of - timedelta(days=6), 14, 10, 5)
    for n in range(BURST_ATTEMPTS):
        events.append(
            Event(
                moment + timedelta(seconds=6 * n + rng.randint(0, 4)),
                tl.slug,
                target.email,
                attacker,
                "failed_login",
                tl.apps[1].host,
                tag="burst",
            )
        )
    leaver = flagged(people, "leaver_active")
    home = public_ipv4(rng, "PH")
    moment = leaver_login(estate)
    for n, action in enumerate(("login", "view_record", "view_record", "export")):
        records = {"login": 0, "view_record": 1, "export": 180}[action]
        path = f"/data/member_crm/exports/carewell_members_{moment:%Y%m%d}.csv"
        events.append(
            Event(
                moment + timedelta(minutes=4 * n),
                cw.slug,
                leaver.email,
                home,
                action,
                cw.apps[1].host,
                records,
                path if action == "export" else "",
                "after_termination",
            )
        )
    return events


def _lines(numbers: list[int]) -> str:
    """Return line numbers as a compact list of ranges, e.g. 3-5, 9."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and spans[-1][1] == n - 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


def leaver_login(estate: Estate) -> datetime:
    """Return when the planted leaver logs in after termination (10:15 Chicago, 3 days ago)."""
    return _local(BY_SLUG["carewell"], estate.as_of - timedelta(days=3), 10, 15, 33)


def ecs(e: Event) -> dict[str, Any]:
    """Return the ECS-style record for one event."""
    zone = ZoneInfo(BY_SLUG[e.client].timezone)
    record: dict[str, Any] = {
        "@timestamp": e.when.astimezone(zone).isoformat(timespec="seconds"),
        "event": {
            "action": e.action,
            "category": CATEGORY[e.action],
            "outcome": "failure" if e.action == "failed_login" else "success",
        },
        "user": {"name": S("EMAIL_ADDRESS", e.email)},
        "client": e.client,
        "record_count": e.records,
        "source": {"ip": S("IP_ADDRESS", e.ip)},
        "host": {"name": e.host},
    }
    if e.path:
        record["file"] = {"path": e.path}
    return record


def syslog(e: Event) -> Text:
    """Return one RFC 5424 line for a login or failed login."""
    ok = e.action == "login"
    stamp = e.when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"<{86 if ok else 84}>1 {stamp} {e.host} sso - {'LOGIN_OK' if ok else 'LOGIN_FAIL'} "
        '[auth@32473 user="',
        S("EMAIL_ADDRESS", e.email),
        f'" client="{e.client}" src="',
        S("IP_ADDRESS", e.ip),
        '"] ',
        "login succeeded" if ok else "login failed: bad password",
    )


def write_logs(estate: Estate, people: list[Employee]) -> None:
    """Write logs/app_access.jsonl and logs/auth.log and plant the four monitoring problems."""
    events = build_events(estate, people)
    app = estate.write(
        "logs/app_access.jsonl",
        jsonl_doc([ecs(e) for e in events]),
        client=None,
        kind="logs",
        days_ago=0.1,
    )
    auth = [e for e in events if e.action in ("login", "failed_login")]
    estate.write(
        "logs/auth.log",
        lines_doc([syslog(e) for e in auth]),
        client=None,
        kind="logs",
        days_ago=0.1,
    )
    line: dict[str, list[int]] = {}
    for n, e in enumerate(events, start=1):
        if e.tag:
            line.setdefault(e.tag, []).append(n)
    _plant(estate, app, line, people)


def _plant(estate: Estate, path: str, line: dict[str, list[int]], people: list[Employee]) -> None:
    """Record the monitoring plants with the JSONL line each starts on."""
    thief = flagged(people, "mass_export")
    estate.plant(
        "monitoring-mass-export-off-hours",
        "monitoring",
        "northbank",
        kind="mass_export_off_hours",
        path=path,
        detail=f"line {line['mass_export'][0]}: {thief.username} exported {MASS_EXPORT_RECORDS} "
        "records from the Core Banking CRM at 02:00 America/New_York",
        expect={
            "check": "monitoring_no_mass_exports",
            "also": ["monitoring_no_off_hours_access"],
            "count": 1,
            "subject": thief.username,
        },
        description="A Northbank agent exported five thousand customer records at two in the "
        "morning, far outside the client's working hours.",
    )
    target = flagged(people, "brute_forced")
    estate.plant(
        "monitoring-failed-login-burst",
        "monitoring",
        "telora",
        kind="failed_login_burst",
        path=path,
        detail=f"lines {_lines(line['burst'])}: "
        f"{BURST_ATTEMPTS} failed logins for {target.username} within three minutes from one "
        "external address (also in logs/auth.log)",
        expect={
            "check": "monitoring_no_failed_login_bursts",
            "count": 1,
            "subject": target.username,
        },
        description="Thirty failed logins against one Telora agent's account in three minutes "
        "from an outside address look like password guessing.",
    )
    leaver = flagged(people, "leaver_active")
    estate.plant(
        "monitoring-access-after-termination",
        "monitoring",
        "carewell",
        kind="access_after_termination",
        path=path,
        detail=f"lines {_lines(line['after_termination'])}: {leaver.username} logged in, viewed "
        "and exported member records 9 days after their end_date in hr/hr_roster.csv",
        expect={
            "check": "monitoring_no_access_after_termination",
            "count": 1,
            "subject": leaver.username,
        },
        description="A Carewell agent who had already left logged in from home and exported "
        "member records after their termination date.",
    )
    roamer = flagged(people, "cross_client")
    estate.plant(
        "monitoring-unassigned-client-access",
        "monitoring",
        "telora",
        kind="unassigned_client_access",
        path=path,
        detail=f"{roamer.username}, assigned to {', '.join(roamer.clients)} only, signed in to "
        "Telora's systems and viewed subscriber records five days ago",
        expect={
            "check": "monitoring_no_unassigned_client_access",
            "count": 1,
            "subject": roamer.username,
        },
        description="An agent who works for another client opened Telora subscriber records; "
        "the access logs show the session the entitlement review also flags.",
    )
