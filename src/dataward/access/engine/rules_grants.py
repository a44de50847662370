"""Rules about entitlements: role fit, movers, SoD, cross-client, approvals, exceptions, reviews."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from dataward.access.engine.context import Context
from dataward.access.engine.model import Grant, RuleOutcome, Violation
from dataward.access.engine.types import Person

NEEDS_MATRIX = (
    "no role matrix imported for {client}: run dataward access matrix FILE --client {client}"
)


def _row(grant: Grant, **extra: Any) -> dict[str, Any]:
    """Return the evidence row for one entitlement."""
    ent = grant.entitlement
    granted = ent.granted_date.isoformat() if ent.granted_date else ""
    return {"system": grant.system, "account": ent.account, "permission": ent.permission,
            "granted": granted, **extra}  # fmt: skip


def _live(ctx: Context, grant: Grant, eid: str) -> Person | None:
    """Return the holder when the grant belongs to a current person and no exception covers it."""
    person = ctx.people.get(eid) if eid else None
    if person is None or person.status == "terminated":
        return None
    ent = grant.entitlement
    if ctx.excepted(ent.account, grant.system, ent.permission):
        return None
    return person


def _moved_since(person: Person, grant: Grant) -> bool:
    """Return whether the grant predates the person's last role change."""
    granted, changed = grant.entitlement.granted_date, person.last_role_change
    return granted is not None and changed is not None and granted < changed


def _off_role(ctx: Context, mover: bool) -> RuleOutcome:
    """Report access the current job role does not allow, split by whether it predates a move."""
    out = RuleOutcome()
    if ctx.matrix is None:
        out.not_applicable = NEEDS_MATRIX.format(client=ctx.data.client)
        return out
    checked, off = _off_role_grants(ctx)
    for grant, person in off:
        if _moved_since(person, grant) != mover:
            continue
        ent = grant.entitlement
        if mover:
            summary = (
                f"{ent.account} ({person.employee_id}) moved to {person.job_role} on "
                f"{person.last_role_change} but keeps {ent.permission} on {grant.system}, "
                f"granted {ent.granted_date}"
            )
        else:
            summary = (
                f"{ent.account} ({person.employee_id}, {person.job_role}) holds "
                f"{ent.permission} on {grant.system}, which the role matrix does not allow"
            )
        out.violations.append(Violation(ent.account, summary, (_row(grant, role=person.job_role),)))
    what = "movers' entitlements" if mover else "entitlements"
    out.passed = f"{checked} {what} checked against the role matrix; all fit the current role"
    return out


def _off_role_grants(ctx: Context) -> tuple[int, list[tuple[Grant, Person]]]:
    """Return how many grants were checked and those the holder's role does not allow (once)."""
    if "off_role" not in ctx.memo:
        assert ctx.matrix is not None
        allowed = ctx.matrix.allowed
        checked = 0
        off: list[tuple[Grant, Person]] = []
        for grant, eid in ctx.held:
            person = _live(ctx, grant, eid)
            if person is None or not ctx.assigned(person):
                continue
            checked += 1
            if not allowed(person.job_role, grant.system, grant.entitlement.permission):
                off.append((grant, person))
        ctx.memo["off_role"] = (checked, off)
    result: tuple[int, list[tuple[Grant, Person]]] = ctx.memo["off_role"]
    return result


def within_role(ctx: Context) -> RuleOutcome:
    """Fail entitlements beyond what the holder's job role allows (not explained by a move)."""
    return _off_role(ctx, mover=False)


def movers(ctx: Context) -> RuleOutcome:
    """Fail access granted before a role change that the new role does not allow."""
    return _off_role(ctx, mover=True)


def sod(ctx: Context) -> RuleOutcome:
    """Fail each person (or unowned account) holding both sides of a conflicting pair."""
    out = RuleOutcome()
    if ctx.matrix is None:
        out.not_applicable = NEEDS_MATRIX.format(client=ctx.data.client)
        return out
    holdings: dict[str, dict[tuple[str, str], Grant]] = defaultdict(dict)
    sides = {side for a, b, _ in ctx.matrix.conflicts for side in (a, b)}
    for grant, eid in ctx.held:
        ent = grant.entitlement
        if (grant.system.lower(), ent.permission.lower()) not in sides:
            continue
        if eid and ctx.people[eid].status == "terminated":
            continue
        if ctx.excepted(ent.account, grant.system, ent.permission):
            continue
        holdings[eid or ent.account.lower()][(grant.system.lower(), ent.permission.lower())] = grant
    for held in holdings.values():
        for a, b, reason in ctx.matrix.conflicts:
            if a in held and b in held:
                ga, gb = held[a], held[b]
                subject = ga.entitlement.account
                why = f" ({reason})" if reason else ""
                summary = f"{subject} holds both {a[1]} on {a[0]} and {b[1]} on {b[0]}{why}"
                out.violations.append(Violation(subject, summary, (_row(ga), _row(gb))))
    out.passed = (
        f"{len(holdings)} holders checked against {len(ctx.matrix.conflicts)} conflicting pairs"
    )
    return out


def cross_client(ctx: Context) -> RuleOutcome:
    """Fail entitlements on this client's systems held by people assigned to other clients only."""
    out = RuleOutcome()
    for grant, eid in ctx.held:
        person = _live(ctx, grant, eid)
        if person is None or ctx.data.client in person.clients:
            continue
        ent = grant.entitlement
        # Other clients are not named: this finding is shown to this client's reviewers.
        elsewhere = len(person.clients)
        where = (
            f"{elsewhere} other client account{'s' * (elsewhere != 1)}"
            if elsewhere
            else "no client"
        )
        summary = (
            f"{ent.account} ({person.employee_id}) is assigned to {where}, not "
            f"{ctx.data.client}, but holds {ent.permission} on {grant.system}"
        )
        out.violations.append(
            Violation(ent.account, summary, (_row(grant, other_clients=elsewhere),))
        )
    out.passed = (
        f"every holder of {ctx.data.client}'s entitlements is assigned to {ctx.data.client}"
    )
    return out


def privileged_approval(ctx: Context) -> RuleOutcome:
    """Fail privileged entitlements with no approver, a self-approval, or an unlisted approver."""
    out = RuleOutcome()
    approvers = ctx.matrix.approvers if ctx.matrix else frozenset()
    count = 0
    for grant, _ in ctx.held:
        ent = grant.entitlement
        if not ctx.privileged_grant(grant) or ctx.excepted(
            ent.account, grant.system, ent.permission
        ):
            continue
        count += 1
        by = ent.granted_by.strip().lower()
        own = {n for a, _ in ctx.index.accounts(ent.account) for n in a.names()} | {
            ent.account.lower()
        }
        if not by:
            problem = "has no recorded approver"
        elif by in own:
            problem = f"was approved by its own holder ({ent.granted_by})"
        elif approvers and by not in approvers:
            problem = f"was approved by {ent.granted_by}, who is not a listed approver"
        else:
            continue
        summary = f"privileged {ent.permission} on {grant.system} for {ent.account} {problem}"
        out.violations.append(
            Violation(ent.account, summary, (_row(grant, granted_by=ent.granted_by),))
        )
    out.passed = f"{count} privileged entitlements, each approved by a listed approver"
    return out


def exceptions_expired(ctx: Context) -> RuleOutcome:
    """Fail exceptions past their end date while the access they allowed is still held."""
    out = RuleOutcome()
    expired = [e for e in ctx.data.exceptions if e.ends < ctx.today]
    for exc in expired:
        held = ctx.grants_by_account.get(exc.account.lower(), [])
        still = [
            g
            for g in held
            if exc.covers(g.entitlement.account, g.system, g.entitlement.permission, exc.ends)
        ]
        if not still:
            continue
        days = (ctx.today - exc.ends).days
        ref = f" {exc.ref}" if exc.ref else ""
        summary = (
            f"exception{ref} for {exc.account} on {exc.system}:{exc.permission} ended "
            f"{exc.ends} ({days} days ago) but the access is still held"
        )
        rows = tuple(_row(g, exception_ends=exc.ends.isoformat()) for g in still)
        out.violations.append(Violation(exc.account, summary, rows))
    out.passed = (
        f"{len(ctx.data.exceptions)} exceptions; none outlived its end date with access still held"
    )
    return out


def reviews_current(ctx: Context) -> RuleOutcome:
    """Fail when no access review was completed within the review cadence."""
    out = RuleOutcome()
    if not ctx.data.grants:
        out.not_applicable = f"no entitlements imported for {ctx.data.client}"
        return out
    cadence = ctx.matrix.review_cadence_days if ctx.matrix else 90
    last = max(ctx.data.reviews, default=None)
    if last is None or ctx.data.now - last > timedelta(days=cadence):
        when = f"the last closed {last.date()}" if last else "none has been completed"
        summary = (
            f"access to {ctx.data.client}'s systems must be reviewed every {cadence} days; {when}"
        )
        hint = {"cadence_days": cadence, "last_review": last.date().isoformat() if last else ""}
        out.violations.append(Violation(ctx.data.client, summary, (hint,)))
    for name, system, account, permission in ctx.data.unrevoked:
        summary = (
            f"{account} still holds {permission} on {system}, revoked in review {name!r}: the "
            "latest export shows the revocation was not carried out"
        )
        row = {"campaign": name, "system": system, "account": account, "permission": permission}
        out.violations.append(Violation(account, summary, (row,)))
    out.passed = f"last access review closed {last.date() if last else '-'}, within {cadence} days"
    return out
