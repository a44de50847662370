"""The access rules on a small hand-built estate: each rule fails what it should, and only that."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from dataward.access.engine.evaluate import CLIENT_RULES, OPERATION_RULES, evaluate
from dataward.access.engine.matrix import from_dict
from dataward.access.engine.model import AccessData, AccessException, Grant, RuleOutcome
from dataward.access.engine.types import Account, Entitlement, Person

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
MATRIX = from_dict(
    {
        "client": "acme",
        "groups": ["acme-agents"],
        "systems": {
            "crm": {"application": "Acme CRM", "privileged": ["admin"]},
            "disputes": {"application": "Acme Disputes", "privileged": ["admin"]},
        },
        "roles": {
            "agent": {"crm": ["view"], "disputes": ["view"]},
            "team_lead": {"crm": ["view", "edit"]},
            "supervisor": {"disputes": ["resolve", "admin"]},
            "it_admin": {"crm": ["*"], "disputes": ["*"]},
        },
        "sod_conflicts": [{"a": "disputes:resolve", "b": "disputes:admin", "reason": "maker"}],
        "approvers": ["gina", "svc-provisioning"],
        "service_accounts": [{"account": "svc-batch", "owner": "E7"}],
    },
    "test",
)


def _person(eid: str, name: str, role: str, clients: tuple[str, ...] = ("acme",), **kw) -> Person:  # type: ignore[no-untyped-def]
    first = name.split()[0].lower()
    base = {
        "employee_id": eid,
        "name": name,
        "email": f"{first}@corp.example",
        "status": "active",
        "start_date": date(2024, 1, 1),
        "end_date": None,
        "department": "Ops",
        "job_role": role,
        "clients": clients,
        "manager_id": "E7",
        "last_role_change": date(2026, 1, 1),
    }
    return Person(**{**base, **kw})


def _account(username: str, eid: str = "", **kw) -> Account:  # type: ignore[no-untyped-def]
    base = {
        "username": username,
        "employee_id": eid,
        "email": f"{username}@corp.example",
        "display_name": username,
        "enabled": True,
        "mfa_registered": True,
        "mfa_enforced": True,
        "last_login": NOW - timedelta(days=1),
        "groups": ("acme-agents",),
    }
    return Account(**{**base, **kw})


def _grant(
    system: str,
    account: str,
    permission: str,
    granted: date = date(2026, 3, 1),
    privileged: bool = False,
) -> Grant:
    used = NOW.date() - timedelta(days=2)
    ent = Entitlement(account, system, permission, privileged, granted, used, "svc-provisioning")
    return Grant(system, ent)


PEOPLE = (
    _person("E1", "Alice Moreno", "agent"),
    _person("E2", "Bob Tanaka", "agent", status="terminated", end_date=date(2026, 11, 10)),
    _person("E3", "Carol Diaz", "team_lead", last_role_change=date(2026, 10, 1)),
    _person("E4", "Dave Osei", "agent", clients=("beta",)),
    _person("E5", "Erin Walsh", "agent"),
    _person("E6", "Frank Lund", "supervisor"),
    _person("E7", "Gina Ruiz", "it_admin"),
    _person("E8", "Hank Mills", "agent", status="terminated", end_date=date(2026, 11, 27)),
    _person("E9", "Jane Holloway", "agent"),
    _person("E10", "Ivan Petrov", "agent"),
)
ACCOUNTS = (
    ("directory", _account("alice", "E1")),
    ("directory", _account("bob", "E2")),
    ("directory", _account("carol", "E3")),
    ("directory", _account("dave", "E4", groups=("beta-agents",))),
    ("directory", _account("erin", "E5")),
    ("directory", _account("frank", "E6")),
    ("directory", _account("gina", "E7", privileged=True, mfa_enforced=False)),
    ("directory", _account("hank", "E8")),
    ("directory", _account("ivan", "E10", last_login=NOW - timedelta(days=200))),
    ("directory", _account("frontdesk.shared", display_name="Front Desk Shared")),
    ("directory", _account("jh-old", email="", display_name="Jane Holloway")),
    ("directory", _account("svc-batch", email="", display_name="Batch job")),
)
GRANTS = (
    _grant("crm", "alice", "view"),
    _grant("crm", "bob", "view"),
    _grant("crm", "carol", "admin", granted=date(2026, 5, 1)),
    _grant("crm", "carol", "edit", granted=date(2026, 10, 2)),
    _grant("crm", "dave", "view"),
    _grant("crm", "erin", "edit", granted=date(2026, 11, 1)),
    _grant("disputes", "frank", "resolve"),
    _grant("disputes", "frank", "admin", privileged=True),
    replace(
        _grant("crm", "gina", "admin", privileged=True),
        entitlement=Entitlement("gina", "crm", "admin", True, date(2026, 2, 1), NOW.date(), "gina"),
    ),
    _grant("crm", "frontdesk.shared", "view"),
    _grant("crm", "ghost", "view"),
    _grant("crm", "svc-batch", "view"),
    replace(
        _grant("crm", "ivan", "view"),
        entitlement=Entitlement(
            "ivan", "crm", "view", False, date(2025, 1, 1), date(2026, 6, 1), "svc-provisioning"
        ),
    ),
)


def _data(**kw) -> AccessData:  # type: ignore[no-untyped-def]
    base = {
        "client": "acme",
        "now": NOW,
        "people": PEOPLE,
        "accounts": ACCOUNTS,
        "grants": GRANTS,
        "matrix": MATRIX,
    }
    return AccessData(**{**base, **kw})


@pytest.fixture(scope="module")
def outcomes() -> dict[str, RuleOutcome]:
    return evaluate(_data())


def _failed(outcome: RuleOutcome) -> set[str]:
    return {v.subject for v in outcome.violations if not v.warning}


def _warned(outcome: RuleOutcome) -> set[str]:
    return {v.subject for v in outcome.violations if v.warning}


def test_every_client_rule_runs(outcomes) -> None:
    assert set(outcomes) == set(CLIENT_RULES)


def test_leaver_past_sla_fails_and_one_within_sla_warns(outcomes) -> None:
    out = outcomes["access_leavers_have_no_active_accounts"]
    assert _failed(out) == {"bob"}
    assert _warned(out) == {"hank"}
    bob = next(v for v in out.violations if v.subject == "bob")
    assert "17 days ago" in bob.summary
    assert "crm" in bob.summary
    assert {"source": "directory", "account": "bob", "enabled": True} in bob.evidence


def test_leaver_with_disabled_account_and_no_access_passes() -> None:
    accounts = tuple(
        (s, replace(a, enabled=False) if a.username in ("bob", "hank") else a) for s, a in ACCOUNTS
    )
    grants = tuple(g for g in GRANTS if g.entitlement.account != "bob")
    out = evaluate(_data(accounts=accounts, grants=grants))[
        "access_leavers_have_no_active_accounts"
    ]
    assert out.violations == []
    assert out.passed.startswith("2 leavers checked")


def test_mover_keeps_old_access_but_new_role_access_is_fine(outcomes) -> None:
    out = outcomes["access_movers_lose_old_access"]
    assert _failed(out) == {"carol"}
    (v,) = out.violations
    assert "admin on crm" in v.summary
    assert "2026-10-01" in v.summary


def test_access_beyond_role_excludes_movers_and_other_clients(outcomes) -> None:
    assert _failed(outcomes["access_within_role"]) == {"erin"}


def test_dormant_account_and_unused_entitlement(outcomes) -> None:
    out = outcomes["access_no_dormant_accounts"]
    assert _failed(out) == {"ivan"}
    assert (
        len(out.violations) == 2
    )  # the account (200 days) and the entitlement (unused since June)


def test_directory_login_lag_is_allowed_for() -> None:
    accounts = tuple(
        (s, replace(a, last_login=NOW - timedelta(days=100), login_lag_days=14))
        if a.username == "ivan"
        else (s, a)
        for s, a in ACCOUNTS
    )
    out = evaluate(_data(accounts=accounts))["access_no_dormant_accounts"]
    assert [
        v.evidence[0].get("idle_days") for v in out.violations if "source" in v.evidence[0]
    ] == []


def test_shared_and_orphan_accounts_are_reported_once_each(outcomes) -> None:
    assert _failed(outcomes["access_no_shared_accounts"]) == {"frontdesk.shared"}
    orphans = outcomes["access_no_orphan_accounts"]
    assert _failed(orphans) == {"jh-old", "ghost"}
    jane = next(v for v in orphans.violations if v.subject == "jh-old")
    assert "resembles E9" in jane.summary
    assert "access link confirm jh-old E9" in jane.summary


def test_confirmed_link_ends_the_orphan() -> None:
    out = evaluate(_data(confirmed={"jh-old": "E9"}))["access_no_orphan_accounts"]
    assert _failed(out) == {"ghost"}


def test_account_pointing_at_two_people_is_shared() -> None:
    accounts = ACCOUNTS + (("hr-sync", _account("mixup", "E1", email="erin@corp.example")),)
    out = evaluate(_data(accounts=accounts))["access_no_shared_accounts"]
    assert "mixup" in _failed(out)


def test_mfa_registered_is_not_enforced(outcomes) -> None:
    out = outcomes["access_client_system_accounts_have_mfa"]
    assert _failed(out) == {"gina"}
    assert "registered but not enforced" in out.violations[0].summary
    assert out.violations[0].summary.startswith("privileged account")
    assert "ghost" in _warned(out)  # not in any directory: nobody says


def test_a_source_showing_mfa_not_enforced_outweighs_one_claiming_it() -> None:
    entra = ("entra", _account("a1", email="alice@corp.example", mfa_enforced=False))
    out = evaluate(_data(accounts=ACCOUNTS + (entra,)))["access_client_system_accounts_have_mfa"]
    alice = next(v for v in out.violations if v.subject == "alice")
    assert alice.summary == "account alice: MFA registered but not enforced (per entra)"


def test_operation_rule_checks_every_privileged_account() -> None:
    result = evaluate(_data(client="operation", grants=(), matrix=None, operation=True))
    assert set(result) == set(OPERATION_RULES)
    assert _failed(result["access_privileged_accounts_have_mfa"]) == {"gina"}
    # The same person seen in a second directory is reported once.
    entra = ("entra", _account("gina@corp.example", email="gina@corp.example", privileged=True))
    again = evaluate(_data(client="operation", accounts=ACCOUNTS + (entra,), operation=True))
    assert [v.subject for v in again["access_privileged_accounts_have_mfa"].violations] == ["gina"]


def test_privileged_self_approval_and_unlisted_approver(outcomes) -> None:
    out = outcomes["access_privileged_access_approved"]
    assert _failed(out) == {"gina"}
    assert "its own holder" in out.violations[0].summary


def test_sod_conflict(outcomes) -> None:
    out = outcomes["access_no_sod_conflicts"]
    assert _failed(out) == {"frank"}
    assert "(maker)" in out.violations[0].summary


def test_cross_client_and_an_exception_in_force(outcomes) -> None:
    assert _failed(outcomes["access_agents_limited_to_assigned_clients"]) == {"dave"}
    allowed = AccessException("dave", "crm", "*", date(2026, 11, 1), date(2026, 12, 31), "cover")
    out = evaluate(_data(exceptions=(allowed,)))["access_agents_limited_to_assigned_clients"]
    assert out.violations == []


def test_expired_exception_with_access_still_held() -> None:
    old = AccessException(
        "erin", "crm", "edit", date(2026, 10, 1), date(2026, 11, 1), "project", ref="AX-0001"
    )
    out = evaluate(_data(exceptions=(old,)))
    assert _failed(out["access_exceptions_not_expired"]) == {"erin"}
    assert "AX-0001" in out["access_exceptions_not_expired"].violations[0].summary
    assert _failed(out["access_within_role"]) == {"erin"}  # an expired exception covers nothing


def test_reviews_due_done_and_revocations_not_carried_out() -> None:
    assert _failed(evaluate(_data())["access_reviews_current"]) == {"acme"}
    recent = evaluate(_data(reviews=(NOW - timedelta(days=10),)))["access_reviews_current"]
    assert recent.violations == []
    assert "within 90 days" in recent.passed
    stale = evaluate(_data(reviews=(NOW - timedelta(days=120),)))["access_reviews_current"]
    assert "the last closed 2026-07-31" in stale.violations[0].summary
    missed = (("Q3", "crm", "dave", "view"),)
    out = evaluate(_data(reviews=(NOW,), unrevoked=missed))["access_reviews_current"]
    assert _failed(out) == {"dave"}


def test_rules_needing_the_matrix_say_so() -> None:
    out = evaluate(_data(matrix=None))
    for rule in ("access_within_role", "access_movers_lose_old_access", "access_no_sod_conflicts"):
        assert "no role matrix imported for acme" in out[rule].not_applicable
    assert _failed(out["access_agents_limited_to_assigned_clients"]) == {"dave"}


def test_operation_judges_leavers_no_client_would_see() -> None:
    back_office = _person(
        "E11",
        "Omar Haddad",
        "payroll_clerk",
        clients=(),
        status="terminated",
        end_date=date(2026, 11, 1),
    )
    data = _data(
        client="operation",
        people=PEOPLE + (back_office,),
        grants=(),
        matrix=None,
        accounts=ACCOUNTS + (("directory", _account("ohaddad", "E11")),),
        operation=True,
    )
    out = evaluate(data)["access_unassigned_leavers_have_no_active_accounts"]
    assert _failed(out) == {"ohaddad"}  # bob and hank are acme's to judge, not the operation's
    client = evaluate(_data(people=PEOPLE + (back_office,)))[
        "access_leavers_have_no_active_accounts"
    ]
    assert "ohaddad" not in _failed(client)
