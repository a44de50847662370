"""Judge the devices in one scope by one rule: findings for a check.

A scope is a client (the devices of people assigned to it, judged by the policy for that
client) or the operation (devices of people with no client, and devices linked to no one).
Each failing device is one finding; the devices that pass are one finding and those the source
says too little about are one warning, each with device-level evidence and the counts of
remote and on-site devices kept apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dataward.access.engine.types import Person
from dataward.devices.engine.policy import Policy
from dataward.devices.engine.rules import FAIL, NA, PASS, UNKNOWN, Judging, Verdict, judge
from dataward.devices.engine.types import ON_SITE, REMOTE, UNKNOWN_PLACE, Device

WARNING = "warning"
NO_DEVICES = "no device imported: run dataward devices import KIND FILE"


@dataclass(frozen=True)
class Entry:
    """One device in the inventory with its source and the person it links to."""

    device: Device
    source: str
    person: Person | None
    label: str  # the subject: the device name, with the source when two sources share it


@dataclass(frozen=True)
class Finding:
    """What a check says about one subject."""

    status: str
    subject: str
    summary: str
    evidence: tuple[dict[str, Any], ...] = ()


def entries(items: Iterable[tuple[Device, str, Person | None]]) -> list[Entry]:
    """Return inventory entries, labelling a name two sources share with its source."""
    rows = list(items)
    names = Counter(d.name.lower() for d, _, _ in rows)
    return [
        Entry(d, src, person, d.name if names[d.name.lower()] == 1 else f"{d.name} ({src})")
        for d, src, person in rows
    ]


def in_scope(items: Iterable[Entry], client: str | None) -> list[Entry]:
    """Return the entries a scope judges: its people's devices (None: nobody's client's)."""
    if client is None:
        return [e for e in items if e.person is None or not e.person.clients]
    return [e for e in items if e.person is not None and client in e.person.clients]


def place(device: Device, policy: Policy) -> str:
    """Return where a device works: its source's remote flag, else its site against the policy."""
    if device.remote is not None:
        return REMOTE if device.remote else ON_SITE
    if device.site:
        return REMOTE if policy.is_remote_site(device.site) else ON_SITE
    return UNKNOWN_PLACE


def judging(entry: Entry, policy: Policy, client: str | None, today: date) -> Judging:
    """Return what a rule needs to judge one entry for a client."""
    role = entry.person.job_role if entry.person else None
    return Judging(policy.rules(client, entry.device.site), role, today)


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def evidence(entry: Entry, verdict: Verdict, where: str, full: bool = True) -> dict[str, Any]:
    """Return one device's evidence row: who, where, what the rule read and where it came from.

    A passing device's row (``full`` False) keeps the device, its person, location and the
    values read: fifty thousand of them stay small; ``devices show`` has the rest.
    """
    d, p = entry.device, entry.person
    if not full:
        return {
            "device": entry.label, "employee_id": p.employee_id if p else "", "location": where,
            **{k: _plain(v) for k, v in verdict.values.items()},
        }  # fmt: skip
    origin = {k: d.origin[k] for k in verdict.values if k in d.origin}
    return {
        "device": entry.label, "serial": d.serial, "source": entry.source,
        "employee_id": p.employee_id if p else "", "job_role": p.job_role if p else "",
        "site": d.site, "location": where,
        "last_seen": d.last_seen.isoformat() if d.last_seen else "",
        "status": verdict.status, "reason": verdict.reason,
        **{k: _plain(v) for k, v in verdict.values.items()}, "origin": origin,
    }  # fmt: skip


def _counts(rows: Sequence[dict[str, Any]]) -> str:
    """Return the on-site and remote counts of evidence rows."""
    by = Counter(r["location"] for r in rows)
    parts = [f"{by[ON_SITE]} on site", f"{by[REMOTE]} remote"]
    if by[UNKNOWN_PLACE]:
        parts.append(f"{by[UNKNOWN_PLACE]} location unknown")
    return ", ".join(parts)


def _who(entry: Entry) -> str:
    p = entry.person
    return f"{p.employee_id} {p.job_role}" if p else "linked to no one on the HR roster"


def _many(n: int) -> str:
    return f"{n} device" if n == 1 else f"{n} devices"


def findings(
    check: str, scoped: Sequence[Entry], policy: Policy, client: str | None, today: date
) -> list[Finding]:
    """Return one check's findings over the entries of one scope."""
    scope = client or "operation"
    if not scoped:
        who = f"a person assigned to {client}" if client else "anyone without a client assignment"
        return [Finding(NA, scope, f"no device of {who} is imported")]
    groups: dict[str, list[tuple[Entry, Verdict, str]]] = {PASS: [], FAIL: [], UNKNOWN: [], NA: []}
    for entry in scoped:
        verdict = judge(check, entry.device, judging(entry, policy, client, today))
        groups[verdict.status].append((entry, verdict, place(entry.device, policy)))
    out = []
    for entry, verdict, where in groups[FAIL]:
        summary = f"{entry.label} ({_who(entry)}, {where}): {verdict.reason}"
        out.append(Finding(FAIL, entry.label, summary, (evidence(entry, verdict, where),)))
    rule_of = f"policy: {policy.source.rsplit('/', 1)[-1]}"
    skipped = Counter(v.reason for _, v, _ in groups[NA])
    skip = "; ".join(f"{n} not judged: {why}" for why, n in skipped.most_common(3))
    if groups[UNKNOWN]:
        rows = [evidence(e, v, w) for e, v, w in groups[UNKNOWN]]
        reasons = Counter(v.reason for _, v, _ in groups[UNKNOWN]).most_common(3)
        why = "; ".join(f"{reason} ({n})" for reason, n in reasons)
        summary = f"{_many(len(rows))} cannot be judged ({_counts(rows)}): {why}; {rule_of}"
        out.append(Finding(WARNING, f"{scope}: unknown", summary, tuple(rows)))
    if groups[PASS]:
        rows = [evidence(e, v, w, full=False) for e, v, w in groups[PASS]]
        summary = f"{_many(len(rows))} meet the rule ({_counts(rows)})"
        summary += f"; {skip}" if skip else ""
        out.append(Finding(PASS, scope, f"{summary}; {rule_of}", tuple(rows)))
    if not out:
        rows = [evidence(e, v, w) for e, v, w in groups[NA]]
        out.append(Finding(NA, scope, f"{_many(len(rows))}, none judged: {skip}", tuple(rows)))
    return out
