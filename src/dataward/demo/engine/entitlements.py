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
    rows.append(
        _grant(estate, rng, admin.username, app.name, app.admin_permission, True, admin, admin)
    )
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
    """Record the four planted access problems against the directory export."""
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
