"""The device policy rules: each judges one device -> pass, fail, unknown or not applicable.

A rule never passes a device on silence: a posture field the source did not give makes the
verdict unknown, with the reason. Time-bound failures (patch age, signature age) carry the day
they began, so the history can tell since when a device fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from fnmatch import fnmatchcase
from typing import Any

from dataward.devices.engine.policy import Rules
from dataward.devices.engine.types import UNNAMED, Device
from dataward.devices.engine.values import at_least, comparable

PASS, FAIL, UNKNOWN, NA = "pass", "fail", "unknown", "not_applicable"
_ROLE_GAP = re.compile(r"[\s_-]+")


@dataclass(frozen=True)
class Verdict:
    """What one rule says about one device, with the values it read."""

    status: str
    reason: str
    values: dict[str, Any] = field(default_factory=dict)
    onset: date | None = None  # the day a time-bound failure began


@dataclass(frozen=True)
class Judging:
    """What a rule needs besides the device: the rules in force, the person's role, the day."""

    rules: Rules
    role: str | None  # the job role of the device's person; None: linked to no one
    today: date


Rule = Callable[[Device, Judging], Verdict]


def role_key(name: str) -> str:
    """Return a job role reduced for matching: 'Team Lead', 'team-lead' and team_lead agree."""
    return _ROLE_GAP.sub("_", name.strip().lower())


def _age(day: date, today: date) -> int:
    return (today - day).days


def os_supported_and_patched(d: Device, j: Judging) -> Verdict:
    """Judge the OS against the supported minimums and the last patch against the window."""
    r, p = j.rules, d.posture
    if not r.os or (r.minimum is None and r.patch_within_days is None):
        return Verdict(NA, "the policy turns the OS rule off")
    label = f"{p.os_name or p.os_id or 'the OS'} {p.os_version or ''}".strip()
    values = {"os": p.os_name, "os_id": p.os_id, "os_version": p.os_version,
              "last_patched": p.last_patched}  # fmt: skip
    fails, unknown, fine = [], [], []
    onset = None
    if r.minimum is not None:
        if p.os_id is None or p.os_version is None:
            unknown.append("the source does not give the OS and its version")
        elif p.os_id not in r.minimum:
            fails.append(f"{label} is not a supported OS (supported: {', '.join(r.minimum)})")
        elif not comparable(p.os_version):
            unknown.append(f"the OS version is not a version number (e.g. {r.minimum[p.os_id]})")
        elif not at_least(p.os_version, r.minimum[p.os_id]):
            fails.append(f"{label} is older than the oldest supported, {r.minimum[p.os_id]}")
        else:
            fine.append(f"{label} is supported")
    if r.patch_within_days is not None:
        window = r.patch_within_days
        if p.last_patched is None:
            unknown.append("the source does not give the last patch date")
        elif _age(p.last_patched, j.today) > window:
            age = _age(p.last_patched, j.today)
            fails.append(f"last patched {p.last_patched} ({age} days ago, over {window})")
            onset = p.last_patched + timedelta(days=window + 1)
        else:
            fine.append(f"patched {p.last_patched} (within {window} days)")
    if fails:
        return Verdict(FAIL, "; ".join(fails), values, onset)
    if unknown:
        return Verdict(UNKNOWN, "; ".join(fine + unknown), values)
    return Verdict(PASS, "; ".join(fine), values)


def disks_encrypted(d: Device, j: Judging) -> Verdict:
    """Judge full-disk encryption of the system volume."""
    if not j.rules.disk_encryption:
        return Verdict(NA, "the policy turns the disk encryption rule off")
    value = d.posture.encrypted
    values = {"encrypted": value}
    if value is None:
        return Verdict(UNKNOWN, "the source does not say whether the disk is encrypted", values)
    if not value:
        return Verdict(FAIL, "the system disk is not encrypted", values)
    return Verdict(PASS, "the system disk is encrypted", values)


def _mask(account: str) -> str:
    """Return an account fit for evidence: an e-mail address keeps its first letter and domain."""
    local, at, domain = account.partition("@")
    return f"{local[:1]}***@{domain}" if at else account


def no_local_admin_for_agents(d: Device, j: Judging) -> Verdict:
    """Judge that an agent's device has no local administrator beyond the allowed accounts."""
    r, p = j.rules, d.posture
    if r.agent_roles is None:
        return Verdict(NA, "the policy turns the local administrator rule off")
    if j.role is not None and role_key(j.role) not in {role_key(x) for x in r.agent_roles}:
        return Verdict(NA, "not an agent's device")
    admins = p.local_admins
    allowed = {a.lower() for a in r.allowed_admins}
    extra = [a for a in admins or () if a.lower() not in allowed]
    values = {"local_admins": [_mask(a) for a in admins] if admins is not None else None,
              "user_is_admin": p.user_is_admin}  # fmt: skip
    if p.user_is_admin:
        return Verdict(FAIL, "the device's user is a local administrator", values)
    if extra:
        names = ", ".join(_mask(a) for a in extra)
        return Verdict(FAIL, f"local administrators beyond the allowed accounts: {names}", values)
    if admins is None and p.user_is_admin is None:
        return Verdict(UNKNOWN, "the source does not list the local administrators", values)
    if admins is None:  # other accounts may hold the rights: half the rule cannot be judged
        why = "the device's user is not a local administrator, but the source does not list "
        return Verdict(UNKNOWN, why + "the local administrators", values)
    return Verdict(PASS, "no local administrator beyond the allowed accounts", values)


def security_agent_healthy(d: Device, j: Judging) -> Verdict:
    """Judge that an approved security agent runs with fresh signatures."""
    r, p = j.rules, d.posture
    if r.agent_names is None:
        return Verdict(NA, "the policy turns the security agent rule off")
    running = p.agents_running
    values = {"agents_running": list(running) if running is not None else None,
              "signatures_updated": p.signatures_updated,
              "signatures_current": p.signatures_current}  # fmt: skip
    if running is None:
        return Verdict(UNKNOWN, "the source does not say which security agent runs", values)
    ok = [
        a for a in running
        if a != UNNAMED and (not r.agent_names
                             or any(fnmatchcase(a.lower(), g.lower()) for g in r.agent_names))
    ]  # fmt: skip
    if not ok and running and all(a == UNNAMED for a in running):
        return Verdict(UNKNOWN, "an agent runs but the source does not name it", values)
    if not ok:
        seen = f" (running: {', '.join(running)})" if running else ""
        return Verdict(FAIL, f"no approved security agent is running{seen}", values)
    agent = ok[0]
    window = r.signatures_within_days
    updated = p.signatures_updated if window is not None else None
    if updated is not None and window is not None and _age(updated, j.today) > window:
        onset = updated + timedelta(days=window + 1)
        why = f"{agent} runs but its signatures date from {updated} ({_age(updated, j.today)} days)"
        return Verdict(FAIL, why, values, onset)
    if p.signatures_current is False:  # the agent's own word fails it, whatever the date says
        return Verdict(FAIL, f"{agent} runs but reports its signatures out of date", values)
    if updated is not None:
        return Verdict(PASS, f"{agent} runs; signatures from {updated}", values)
    if p.signatures_current:
        return Verdict(PASS, f"{agent} runs; it reports its signatures up to date", values)
    if window is not None:
        why = f"{agent} runs; the source does not give its signature date"
        return Verdict(UNKNOWN, why, values)
    return Verdict(PASS, f"{agent} runs", values)


def firewall_enabled(d: Device, j: Judging) -> Verdict:
    """Judge that the host firewall is on."""
    if not j.rules.firewall:
        return Verdict(NA, "the policy turns the firewall rule off")
    value = d.posture.firewall
    values = {"firewall": value}
    if value is None:
        return Verdict(UNKNOWN, "the source does not say whether the firewall is on", values)
    return (
        Verdict(PASS, "the firewall is on", values)
        if value
        else Verdict(FAIL, "the firewall is off", values)
    )


def screen_lock_configured(d: Device, j: Judging) -> Verdict:
    """Judge that the screen locks within the allowed idle minutes."""
    limit = j.rules.lock_within_minutes
    if limit is None:
        return Verdict(NA, "the policy turns the screen lock rule off")
    p = d.posture
    values = {"screen_lock": p.screen_lock, "screen_lock_minutes": p.screen_lock_minutes}
    if p.screen_lock is False:
        return Verdict(FAIL, "the screen never locks when idle", values)
    if p.screen_lock_minutes is None:
        why = "the screen locks but the source does not say after how long"
        return Verdict(
            UNKNOWN, why if p.screen_lock else "the source does not give the screen lock", values
        )
    if p.screen_lock_minutes > limit:
        why = (
            f"the screen locks after {p.screen_lock_minutes} minutes idle, over the {limit} allowed"
        )
        return Verdict(FAIL, why, values)
    return Verdict(PASS, f"the screen locks after {p.screen_lock_minutes} minutes idle", values)


def usb_storage_blocked(d: Device, j: Judging) -> Verdict:
    """Judge that USB mass storage is blocked."""
    if not j.rules.usb_storage:
        return Verdict(NA, "the policy turns the USB storage rule off")
    value = d.posture.usb_storage_blocked
    values = {"usb_storage_blocked": value}
    if value is None:
        return Verdict(UNKNOWN, "the source does not say whether USB storage is blocked", values)
    if not value:
        return Verdict(FAIL, "USB mass storage is not blocked", values)
    return Verdict(PASS, "USB mass storage is blocked", values)


def only_approved_software(d: Device, j: Judging) -> Verdict:
    """Judge that every installed program matches the approved list of the device's OS."""
    approved = j.rules.approved
    if approved is None:
        return Verdict(NA, "the policy lists no approved software")
    p = d.posture
    globs = approved.get(p.os_family or "", approved.get("*"))
    if globs is None:
        if p.os_family is None:
            return Verdict(UNKNOWN, "the source does not give the OS, so no approved list applies")
        return Verdict(NA, f"the policy lists no approved software for {p.os_family}")
    if p.software is None:
        return Verdict(UNKNOWN, "the source does not list the installed software")
    patterns = [g.lower() for g in globs]
    bad = [s for s in p.software if not any(fnmatchcase(s.lower(), g) for g in patterns)]
    values = {"installed": len(p.software), "unapproved": bad}
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        return Verdict(FAIL, f"{len(bad)} unapproved programs installed: {shown}", values)
    return Verdict(PASS, f"all {len(p.software)} installed programs are approved", values)


#: Every rule under the id of the check that reports it.
RULES: dict[str, Rule] = {
    "devices_os_supported_and_patched": os_supported_and_patched,
    "devices_disks_encrypted": disks_encrypted,
    "devices_no_local_admin_for_agents": no_local_admin_for_agents,
    "devices_security_agent_healthy": security_agent_healthy,
    "devices_firewall_enabled": firewall_enabled,
    "devices_screen_lock_configured": screen_lock_configured,
    "devices_usb_storage_blocked": usb_storage_blocked,
    "devices_only_approved_software": only_approved_software,
}


def judge(check: str, d: Device, j: Judging) -> Verdict:
    """Return a rule's verdict; a pass on stale data (past check_in_within_days) is unknown."""
    verdict = RULES[check](d, j)
    window = j.rules.check_in_within_days
    if verdict.status != PASS or window is None or d.last_seen is None:
        return verdict
    age = _age(d.last_seen.date(), j.today)
    if age <= window:
        return verdict
    why = f"last checked in {d.last_seen.date()} ({age} days ago): its state is stale"
    return Verdict(UNKNOWN, f"{verdict.reason}, but {why}", verdict.values)
