"""Rules about accounts and the people behind them: leavers, dormancy, sharing, orphans, MFA."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from dataward.access.engine.context import Context, generic_name
from dataward.access.engine.model import RuleOutcome, Violation
from dataward.access.engine.types import Account


def _grant_rows(ctx: Context, eid: str) -> list[dict[str, Any]]:
    """Return evidence rows for a person's entitlements on this client's systems."""
    return [
        {
            "system": g.system,
            "account": g.entitlement.account,
            "permission": g.entitlement.permission,
        }
        for g in ctx.grants_of.get(eid, [])
    ]


def leavers(ctx: Context) -> RuleOutcome:
    """Fail each person who left more than the SLA ago and still has an account or access."""
    sla = ctx.matrix.leaver_sla_hours if ctx.matrix else 24
    out = RuleOutcome()
    checked = 0
    for person in ctx.people.values():
        if person.status != "terminated" or person.end_date is None:
            continue
        enabled = [(s, a) for s, a, _ in ctx.accounts_of.get(person.employee_id, []) if a.enabled]
        grants = _grant_rows(ctx, person.employee_id)
        if ctx.data.operation and person.clients:
            continue  # judged by each of their clients' checks
        if not ctx.data.operation and not ctx.assigned(person) and not grants:
            continue
        checked += 1
        if not enabled and not grants:
            continue
        left = datetime.combine(person.end_date + timedelta(days=1), time(), UTC)
        hours = (ctx.data.now - left).total_seconds() / 3600
        subject = enabled[0][1].username if enabled else grants[0]["account"]
        where = [f"enabled in {s}" for s, _ in enabled] + [f"{g['system']}" for g in grants]
        evidence = tuple(
            [{"source": s, "account": a.username, "enabled": True} for s, a in enabled] + grants
        )
        days = max(0, int(hours // 24))
        if hours <= sla:
            summary = (
                f"{subject} ({person.employee_id}) left {person.end_date}; access is due "
                f"for removal within {sla} h ({', '.join(where)})"
            )
            out.violations.append(Violation(subject, summary, evidence, warning=True))
            continue
        summary = (
            f"{subject} ({person.employee_id}) left {person.end_date}, {days} days ago "
            f"(SLA {sla} h), and still has access: {', '.join(where)}"
        )
        out.violations.append(Violation(subject, summary, evidence))
    out.passed = f"{checked} leavers checked; none has an enabled account or entitlement"
    return out


def dormant(ctx: Context) -> RuleOutcome:
    """Fail enabled accounts and entitlements unused for longer than the dormancy window."""
    days = ctx.matrix.dormant_days if ctx.matrix else 90
    out = RuleOutcome()
    seen = 0
    for source, account, link in ctx.scoped_accounts():
        person = ctx.people.get(link.employee_id) if link.linked else None
        if not account.enabled or (person is not None and person.status == "terminated"):
            continue
        seen += 1
        if account.last_login is None:
            continue
        window = days + account.login_lag_days
        idle = (ctx.data.now - account.last_login).days
        if idle > window:
            lag = (
                f", allowing {account.login_lag_days} days' replication lag"
                if account.login_lag_days
                else ""
            )
            summary = (
                f"{account.username} in {source} last signed in {idle} days ago (limit {days}{lag})"
            )
            evidence = ({"source": source, "account": account.username, "idle_days": idle},)
            out.violations.append(Violation(account.username, summary, evidence))
    for grant, eid in ctx.held:
        person = ctx.people.get(eid)
        used = grant.entitlement.last_used
        if used is None or (person is not None and person.status == "terminated"):
            continue
        idle = (ctx.today - used).days
        if idle > days:
            ent = grant.entitlement
            summary = (
                f"{ent.account} has not used {ent.permission} on {grant.system} for {idle} "
                f"days (limit {days})"
            )
            evidence = (
                {
                    "system": grant.system,
                    "account": ent.account,
                    "permission": ent.permission,
                    "idle_days": idle,
                },
            )
            out.violations.append(Violation(ent.account, summary, evidence))
    out.passed = f"{seen} accounts and {len(ctx.held)} entitlements used within {days} days"
    return out


def _unlinked_names(ctx: Context) -> list[tuple[str, str, Account | None]]:
    """Return (name, where, directory account) for every unowned account in scope (once)."""
    if "unlinked" not in ctx.memo:
        ctx.memo["unlinked"] = _find_unlinked(ctx)
    found: list[tuple[str, str, Account | None]] = ctx.memo["unlinked"]
    return found


def _find_unlinked(ctx: Context) -> list[tuple[str, str, Account | None]]:
    """Collect the unowned directory and application accounts in scope."""
    found: dict[str, tuple[str, str, Account | None]] = {}
    for source, account, link in ctx.scoped_accounts():
        if not link.linked and not ctx.service_owner(account.username):
            found.setdefault(account.username.lower(), (account.username, source, account))
    for grant, eid in ctx.held:
        name = grant.entitlement.account
        if not eid and not ctx.service_owner(name) and not ctx.index.accounts(name):
            found.setdefault(name.lower(), (name, grant.system, None))
    return list(found.values())


def _shared_reason(ctx: Context, name: str, account: Account | None) -> str:
    """Return why an unowned account looks shared or generic, or ''."""
    word = generic_name(name, account.display_name if account else "")
    return f"its name says {word!r}" if word else ""


def shared(ctx: Context) -> RuleOutcome:
    """Fail accounts that look shared: generic names with no owner, or several people behind one."""
    out = RuleOutcome()
    for name, where, account in _unlinked_names(ctx):
        reason = _shared_reason(ctx, name, account)
        if reason:
            systems = sorted({g.system for g in ctx.grants_by_account.get(name.lower(), [])})
            summary = f"{name} looks shared: {reason}, no employee owns it" + (
                f"; it holds access to {', '.join(systems)}" if systems else ""
            )
            evidence = ({"account": name, "source": where, "systems": ", ".join(systems)},)
            out.violations.append(Violation(name, summary, evidence))
    for source, account, link in ctx.scoped_accounts():
        if link.method == "conflict":
            summary = (
                f"{account.username} in {source} points at several people: employee id "
                f"{link.employee_id} but the email of {', '.join(link.others)}"
            )
            evidence = (
                {
                    "account": account.username,
                    "people": ", ".join((link.employee_id, *link.others)),
                },
            )
            out.violations.append(Violation(account.username, summary, evidence))
    out.passed = "no shared or generic accounts; every account has one owner"
    return out


def orphans(ctx: Context) -> RuleOutcome:
    """Fail accounts no person owns (shared-looking ones are reported by the shared rule)."""
    out = RuleOutcome()
    for name, where, account in _unlinked_names(ctx):
        if _shared_reason(ctx, name, account):
            continue
        link = ctx.resolver.link(account) if account is not None else None
        hint = ""
        if link is not None and link.method == "suggested":
            hint = (
                f"; the name resembles {link.suggestion} (score {link.score:.0f}): confirm with "
                f"dataward access link confirm {name} {link.suggestion}"
            )
        summary = f"{name} ({where}) belongs to nobody on the HR roster{hint}"
        evidence = (
            {"account": name, "source": where, "suggested": link.suggestion if link else ""},
        )
        out.violations.append(Violation(name, summary, evidence))
    out.passed = "every account links to a person on the HR roster or a declared owner"
    return out


def _mfa_violation(ctx: Context, account: Account, what: str) -> Violation | None:
    """Return a violation when MFA is not enforced (a warning when no source says)."""
    registered, enforced, against = ctx.mfa(account.names())
    if enforced:
        return None
    evidence = (
        {"account": account.username, "mfa_registered": registered, "mfa_enforced": enforced},
    )
    if enforced is None:
        summary = f"{what} {account.username}: no imported source says whether MFA is enforced"
        return Violation(account.username, summary, evidence, warning=True)
    state = "registered but not enforced" if registered else "not registered"
    where = f" (per {', '.join(against)})" if against else ""
    return Violation(account.username, f"{what} {account.username}: MFA {state}{where}", evidence)


def privileged_mfa(ctx: Context) -> RuleOutcome:
    """Fail each enabled privileged directory account that can sign in without MFA."""
    out = RuleOutcome()
    count = 0
    seen: set[str] = set()
    for _, account, link in ctx.links:
        person = ctx.people.get(link.employee_id) if link.linked else None
        if not account.enabled or not ctx.privileged_account(account):
            continue
        if person is not None and person.status == "terminated":
            continue
        identity = link.employee_id if link.linked else account.username.lower()
        if identity in seen:
            continue  # one person, several directories: judged once over all of them
        seen.add(identity)
        count += 1
        found = _mfa_violation(ctx, account, "privileged account")
        if found:
            out.violations.append(found)
    out.passed = f"all {count} privileged accounts have MFA enforced"
    return out


def client_mfa(ctx: Context) -> RuleOutcome:
    """Fail accounts with access to the client's systems that sign in without MFA, admins first."""
    out = RuleOutcome()
    names: dict[str, Account] = {}
    privileged: set[str] = set()
    for name, grants in ctx.grants_by_account.items():
        eid = ctx.index.person_of(name)
        person = ctx.people.get(eid) if eid else None
        if person is not None and person.status == "terminated":
            continue
        matches = ctx.index.accounts(name)
        account = matches[0][0] if matches else Account(username=grants[0].entitlement.account)
        if account.enabled:
            key = account.username.lower()
            names.setdefault(key, account)
            if ctx.privileged_account(account) or any(ctx.privileged_grant(g) for g in grants):
                privileged.add(key)
    for key in sorted(names, key=lambda k: (k not in privileged, k)):
        what = "privileged account" if key in privileged else "account"
        found = _mfa_violation(ctx, names[key], what)
        if found:
            out.violations.append(found)
    out.passed = (
        f"all {len(names)} accounts with access to {ctx.data.client}'s systems have MFA enforced"
    )
    return out
