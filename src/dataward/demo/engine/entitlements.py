"""Write per-application entitlements and record the planted access problems."""

from __future__ import annotations

import random
from datetime import timedelta

import yaml

from dataward.demo.engine.clients import CLIENTS
from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import csv_doc
from dataward.demo.engine.identity_exports import Account
from dataward.demo.engine.model import Cell
from dataward.demo.engine.people import SHARED_USERNAME, Employee


def entitlement_rows(
    estate: Estate, people: list[Employee], slug: str, app_index: int
) -> list[list[Cell]]:
    """Return one application's entitlements: the client's staff, its admin, planted extras."""
    client = next(c for c in CLIENTS if c.slug == slug)
    app = client.apps[app_index]
    rng = random.Random(f"{estate.seed}:entitlements:{slug}:{app.key}")
    admin = next(p for p in people if p.role == "it_admin" and p.clients == [slug])
    holders = [
        p
        for p in people
        if p.clients == [slug]
        and p.role in ("agent", "team_lead", "qa_analyst")
        and (p.status != "terminated" or "leaver_active" in p.flags)
    ]
    if slug == "telora" and app_index == 1:
        holders += [p for p in people if "cross_client" in p.flags]
    rows: list[list[Cell]] = []
    for p in holders:
        perm = app.permissions[1] if p.role == "team_lead" else app.permissions[0]
        rows.append(_grant(estate, rng, p.username, app.name, perm, False, p, admin))
    if slug == "carewell":
        rows.append(
            _grant(estate, rng, SHARED_USERNAME, app.name, app.permissions[0], False, None, admin)
        )
    rows += _planted_rows(estate, people, slug, app_index, admin)
    rows.append(
        _grant(estate, rng, admin.username, app.name, app.admin_permission, True, admin, admin)
    )
    return rows


ORPHAN_ACCOUNT = "jmorales.ext"


def _planted_rows(
    estate: Estate, people: list[Employee], slug: str, app_index: int, admin: Employee
) -> list[list[Cell]]:
    """Return the planted problem rows: a mover's old access, an SoD pair, an orphan account."""
    app = next(c for c in CLIENTS if c.slug == slug).apps[app_index]
    rows: list[list[Cell]] = []
    if slug == "telora" and app_index == 1:
        mover = next(p for p in people if "mover" in p.flags and p.role == "qa_analyst")
        granted = (mover.last_role_change - timedelta(days=200)).isoformat()
        used = (estate.as_of - timedelta(days=2)).isoformat()
        rows.append([mover.username, app.name, app.permissions[1], False, granted, used,
                     admin.username])  # fmt: skip
    if slug == "northbank" and app_index == 1:
        lead = next(p for p in people if "sod_conflict" in p.flags)
        granted = (estate.as_of - timedelta(days=40)).isoformat()
        used = (estate.as_of - timedelta(days=1)).isoformat()
        rows.append([lead.username, app.name, app.admin_permission, True, granted, used,
                     admin.username])  # fmt: skip
    if slug == "northbank" and app_index == 0:
        granted = (estate.as_of - timedelta(days=300)).isoformat()
        used = (estate.as_of - timedelta(days=3)).isoformat()
        rows.append([ORPHAN_ACCOUNT, app.name, app.permissions[0], False, granted, used,
                     admin.username])  # fmt: skip
    return rows


def _grant(
    estate: Estate,
    rng: random.Random,
    account: str,
    app: str,
    perm: str,
    privileged: bool,
    p: Employee | None,
    admin: Employee,
) -> list[Cell]:
    """Return one entitlement row."""
    floor = (estate.as_of - p.start).days if p else 400
    granted = estate.as_of - timedelta(days=rng.randint(0, max(0, min(floor, 700))))
    used = estate.as_of - timedelta(days=rng.randint(1, 3))
    if p is not None and p.status == "leave":
        used = estate.as_of - timedelta(days=rng.randint(18, 25))
    granted_by = admin.username if account != admin.username else "svc-provisioning"
    return [account, app, perm, privileged, granted.isoformat(), used.isoformat(), granted_by]


def write_entitlements(estate: Estate, people: list[Employee]) -> dict[str, str]:
    """Write entitlements/<client>_<app>.csv for every client system; return paths by app."""
    header = (
        "account",
        "application",
        "permission",
        "privileged",
        "granted_date",
        "last_used",
        "granted_by",
    )
    paths = {}
    for client in CLIENTS:
        for i, app in enumerate(client.apps):
            rel = f"entitlements/{client.slug}_{app.key}.csv"
            rows = entitlement_rows(estate, people, client.slug, i)
            paths[app.key] = estate.write(
                rel, csv_doc(header, rows), client=client.slug, kind="entitlements", days_ago=0.9
            )
    return paths


def role_matrix(people: list[Employee], slug: str) -> dict[str, object]:
    """Return the client's role matrix: what each job role may hold on its two systems."""
    client = next(c for c in CLIENTS if c.slug == slug)
    admin = next(p for p in people if p.role == "it_admin" and p.clients == [slug])
    keys = [f"{slug}_{app.key}" for app in client.apps]
    apps = dict(zip(keys, client.apps, strict=True))
    work = {k: [a.permissions[0]] for k, a in apps.items()}
    dispute = client.apps[1]
    return {
        "client": slug,
        "review_cadence_days": 90,
        "leaver_sla_hours": 24,
        "dormant_days": 90,
        "groups": [f"{slug}-agents", f"{slug}-admins"],
        "systems": {
            k: {"application": a.name, "privileged": [a.admin_permission]} for k, a in apps.items()
        },
        "roles": {
            "agent": work,
            "qa_analyst": work,
            "team_lead": {k: list(a.permissions) for k, a in apps.items()},
            "it_admin": {k: [a.admin_permission] for k, a in apps.items()},
        },
        "sod_conflicts": [
            {
                "a": f"{keys[1]}:{dispute.permissions[1]}",
                "b": f"{keys[1]}:{dispute.admin_permission}",
                "reason": "whoever does the work must not administer the system that records it",
            }
        ],
        "approvers": [admin.username, "svc-provisioning"],
    }


def write_role_matrices(estate: Estate, people: list[Employee]) -> None:
    """Write access/<client>_role_matrix.yaml for every client."""
    for client in CLIENTS:
        text = yaml.safe_dump(role_matrix(people, client.slug), sort_keys=False)
        estate.write(
            f"access/{client.slug}_role_matrix.yaml",
            (text.encode("utf-8"), []),
            client=client.slug,
            kind="role_matrix",
            days_ago=30,
        )


def plant_access(estate: Estate, people: list[Employee], accounts: list[Account]) -> None:
    """Record the planted access problems against the directory and entitlement exports."""
    _plant_entitlement_problems(estate, people)
    path = "directory/directory_users.csv"
    row = {a.username: n for n, a in enumerate(accounts, start=2)}
    leaver = next(p for p in people if "leaver_active" in p.flags)
    cross = next(p for p in people if "cross_client" in p.flags)
    admin = next(p for p in people if "admin_no_mfa" in p.flags)
    estate.plant(
        "access-leaver-still-active",
        "access",
        "carewell",
        kind="leaver_with_active_access",
        path=path,
        detail=f"row {row[leaver.username]}, account {leaver.username} (employee "
        f"{leaver.employee_id}) enabled; terminated in hr/hr_roster.csv; still listed in "
        "entitlements/carewell_claims_portal.csv and entitlements/carewell_member_crm.csv",
        expect={
            "check": "access_leavers_have_no_active_accounts",
            "count": 1,
            "subject": leaver.username,
        },
        description="An agent who left 12 days ago still has an enabled directory account "
        "and entitlements to both Carewell systems.",
    )
    estate.plant(
        "access-shared-account",
        "access",
        "carewell",
        kind="shared_account",
        path=path,
        detail=f"row {row[SHARED_USERNAME]}, account {SHARED_USERNAME} has no employee_id and "
        "logs in from several workstations (logs/app_access.jsonl)",
        expect={"check": "access_no_shared_accounts", "count": 1, "subject": SHARED_USERNAME},
        description="Several Manila agents share one Carewell queue account, so their actions "
        "cannot be traced to a person.",
    )
    estate.plant(
        "access-cross-client-entitlements",
        "access",
        "telora",
        kind="agent_entitled_on_two_clients",
        path="entitlements/telora_subscriber_crm.csv",
        detail=f"account {cross.username} (employee {cross.employee_id}) is assigned to "
        "northbank in hr/hr_roster.csv but also holds view on Telora Subscriber CRM",
        expect={
            "check": "access_agents_limited_to_assigned_clients",
            "count": 1,
            "subject": cross.username,
        },
        description="A Northbank agent can also open Telora subscriber records, breaking the "
        "separation between clients.",
    )
    estate.plant(
        "access-privileged-account-without-mfa",
        "access",
        None,
        kind="privileged_account_without_mfa",
        path=path,
        detail=f"row {row[admin.username]}, account {admin.username}: privileged true, "
        "mfa_registered false, mfa_enforced false",
        expect={
            "check": "access_privileged_accounts_have_mfa",
            "count": 1,
            "subject": admin.username,
            "also": ["access_client_system_accounts_have_mfa"],
        },
        description="A domain administrator who manages Telora's systems signs in with a "
        "password alone, without multi-factor authentication.",
    )


def _plant_entitlement_problems(estate: Estate, people: list[Employee]) -> None:
    """Record the mover, SoD and orphan-account problems planted in the entitlement exports."""
    mover = next(p for p in people if "mover" in p.flags and p.role == "qa_analyst")
    lead = next(p for p in people if "sod_conflict" in p.flags)
    estate.plant(
        "access-mover-keeps-old-access",
        "access",
        "telora",
        kind="mover_keeps_old_access",
        path="entitlements/telora_subscriber_crm.csv",
        detail=f"account {mover.username} (employee {mover.employee_id}) became qa_analyst on "
        f"{mover.last_role_change} but keeps edit, granted 200 days before",
        expect={"check": "access_movers_lose_old_access", "count": 1, "subject": mover.username},
        description="A Pune team member moved into quality assurance but kept the edit rights "
        "to Telora subscriber records from the previous job.",
    )
    estate.plant(
        "access-sod-conflict",
        "access",
        "northbank",
        kind="segregation_of_duties_conflict",
        path="entitlements/northbank_card_disputes.csv",
        detail=f"account {lead.username} (employee {lead.employee_id}) resolves disputes and also "
        "administers the dispute tool",
        expect={
            "check": "access_no_sod_conflicts",
            "count": 1,
            "subject": lead.username,
            "also": ["access_within_role"],
        },
        description="A Manila team lead can both resolve card disputes and administer the tool "
        "that records the decisions, so one person could change and hide an outcome.",
    )
    estate.plant(
        "access-orphan-account",
        "access",
        "northbank",
        kind="orphan_account",
        path="entitlements/northbank_core_crm.csv",
        detail=f"account {ORPHAN_ACCOUNT} holds view but is in no directory and on no roster",
        expect={"check": "access_no_orphan_accounts", "count": 1, "subject": ORPHAN_ACCOUNT},
        description="A former contractor's login still opens the Northbank CRM; nobody on the "
        "HR roster owns it.",
    )
