"""What the access commands (and later the web pages) call: imports, listings, links, rules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db.models import QuerySet

from dataward.access import readers, store
from dataward.access.engine import types as t
from dataward.core import audit
from dataward.core.clients import ensure_operation, get
from dataward.core.engine.memory import paused_gc
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError

PEOPLE_COLUMNS = [
    "employee_id", "name", "status", "job_role", "clients", "department", "manager_id",
    "start_date", "end_date", "last_role_change",
]  # fmt: skip
ACCOUNT_COLUMNS = [
    "source", "username", "display_name", "enabled", "privileged", "mfa_registered",
    "mfa_enforced", "last_login", "employee_id", "link", "suggested",
]  # fmt: skip
VIOLATION_COLUMNS = ["client", "check", "status", "subject", "summary"]


def _client(ws: Workspace, slug: str | None) -> Client:
    """Return the named client, or the operation when no slug is given."""
    return get(ws, slug) if slug else ensure_operation(ws)


def _paths(targets: Sequence[str], many: bool) -> list[Path]:
    """Return the target files, refusing several where one is expected."""
    if not targets:
        raise DatawardError("no file given", "import", "name the export file")
    if len(targets) > 1 and not many:
        raise DatawardError("give one file per import", "import", "run the command once per file")
    return [Path(p) for p in targets]


def run_import(ws: Workspace, kind: str, targets: Sequence[str], **opt: Any) -> dict[str, Any]:
    """Read an export with its connector and store it; return the summary row."""
    with paused_gc():
        return _import(ws, kind, targets, **opt)


def _import(ws: Workspace, kind: str, targets: Sequence[str], **opt: Any) -> dict[str, Any]:
    """Run one import (see run_import)."""
    client = _client(ws, opt.get("client"))
    if kind in ("hr", *store.DIRECTORY_KINDS) and not client.is_operation:
        raise DatawardError(
            f"a {kind} import covers the whole workforce",
            "--client",
            "omit --client: people and directory accounts belong to the operation",
        )
    ws.require(Action.IMPORT, None if client.is_operation else client.slug)
    if kind == "ldap":
        from dataward.access.engine.connectors.ldap import read_ldap

        if len(targets) != 1 or not opt.get("base_dn"):
            raise DatawardError(
                "ldap needs one URL and --base-dn",
                "import ldap",
                "e.g. ldap://dc1:389 --base-dn dc=corp,dc=example",
            )
        result = read_ldap(
            targets[0], base_dn=opt["base_dn"], bind_dn=opt.get("bind_dn"),
            password=opt.get("password"), flavor=opt.get("flavor") or "auto",
            user_filter=opt.get("ldap_filter"), privileged_groups=opt.get("privileged_groups", ()),
        )  # fmt: skip
        url = urlsplit(targets[0])
        where = f"{url.scheme}://{url.hostname or ''}{f':{url.port}' if url.port else ''}"
        row = store.import_accounts(ws, result, opt.get("source") or "ldap", where, "")
        return {**row, "notes": list(result.notes)}
    paths = _paths(targets, many=kind in ("scim", "entra"))
    location = ", ".join(str(p) for p in paths)
    result = _read(kind, paths, opt)
    sha = store.digest(paths)
    if kind == "hr":
        row = store.import_people(ws, result, location, sha)
    elif kind == "entitlements":
        system = (opt.get("system") or paths[0].stem).strip().lower()
        row = store.import_entitlements(ws, client, result, system, location, sha)
    else:
        row = store.import_accounts(ws, result, opt.get("source") or kind, location, sha)
    return {**row, "notes": list(result.notes)}


def _read(kind: str, paths: list[Path], opt: dict[str, Any]) -> t.ImportResult:
    """Run the connector for a file-based import."""
    mapping = opt.get("mapping") or {}
    if kind == "hr":
        from dataward.access.engine.connectors.hr import read_roster

        slugs = frozenset(Client.objects.filter(kind="client").values_list("slug", flat=True))
        return read_roster(paths[0], slugs, mapping)
    if kind == "directory":
        from dataward.access.engine.connectors.directory_csv import read_directory_csv

        return read_directory_csv(
            paths[0], mapping, opt.get("login_lag_days") or 0, opt.get("privileged_groups", ())
        )
    if kind == "scim":
        from dataward.access.engine.connectors.scim import read_scim

        return read_scim(paths, opt.get("privileged_groups", ()))
    if kind == "entra":
        from dataward.access.engine.connectors.entra import read_entra

        return read_entra(paths, opt.get("privileged_groups", ()))
    from dataward.access.engine.connectors.entitlements import read_entitlements

    return read_entitlements(paths[0], mapping=mapping)


def load_matrix(ws: Workspace, path: Path, slug: str | None) -> dict[str, Any]:
    """Validate and store a client's role matrix."""
    from dataward.access.engine.matrix import load_matrix as parse

    if not slug:
        raise DatawardError("a role matrix belongs to a client", "--client", "name the client")
    client = get(ws, slug)
    matrix = parse(path)
    return store.save_matrix(ws, client, matrix, str(path), store.digest([path]))


def people_rows(ws: Workspace, slug: str | None) -> list[dict[str, Any]]:
    """Return the roster, or the people assigned to one client."""
    client = _client(ws, slug)
    ws.require(Action.VIEW, None if client.is_operation else client.slug)
    everyone = readers.people(ensure_operation(ws))
    chosen = [p for p in everyone if client.is_operation or client.slug in p.clients]
    rows = [{c: getattr(p, c) for c in PEOPLE_COLUMNS} for p in chosen]
    if not client.is_operation:  # a client's view never names the other clients
        for row in rows:
            row["clients"] = [client.slug]
    return rows


def account_rows(ws: Workspace, slug: str | None) -> list[dict[str, Any]]:
    """Return directory accounts with their links (those that matter to one client, if given)."""
    from dataward.access.engine.context import Context

    client = _client(ws, slug)
    ws.require(Action.VIEW, None if client.is_operation else client.slug)
    ctx = Context(readers.load(ws, client))
    rows = []
    for source, a, link in ctx.scoped_accounts():
        rows.append(
            {
                "source": source,
                "username": a.username,
                "display_name": a.display_name,
                "enabled": a.enabled,
                "privileged": ctx.privileged_account(a),
                "mfa_registered": a.mfa_registered,
                "mfa_enforced": a.mfa_enforced,
                "last_login": a.last_login,
                "employee_id": link.employee_id,
                "link": link.method,
                "suggested": link.suggestion,
            }  # fmt: skip
        )
    return rows


def violation_rows(ws: Workspace, slug: str | None, rules: Sequence[str]) -> list[dict[str, Any]]:
    """Evaluate the rules for one client (or every visible client and the operation)."""
    from dataward.access.engine.evaluate import CLIENT_RULES, OPERATION_RULES, evaluate
    from dataward.core.clients import visible

    known = set(CLIENT_RULES) | set(OPERATION_RULES)
    unknown = sorted(set(rules) - known)
    if unknown:
        raise DatawardError(
            f"no access rule {unknown[0]!r}", "--rule", f"use one of {', '.join(sorted(known))}"
        )
    from dataward.core.engine.permissions import may

    whole = [ensure_operation(ws)] if may(ws.actor, Action.VIEW, None) else []
    clients = [get(ws, slug)] if slug else [*whole, *visible(ws)]
    rows = []
    for client in clients:
        ws.require(Action.VIEW, None if client.is_operation else client.slug)
        if not readers.imported(ws, client):
            continue
        with paused_gc():
            outcomes = evaluate(readers.load(ws, client), rules or None)
        for rule_id, outcome in outcomes.items():
            for v in outcome.violations:
                rows.append(
                    {
                        "client": client.slug,
                        "check": rule_id,
                        "status": "warning" if v.warning else "fail",
                        "subject": v.subject,
                        "summary": v.summary,
                    }  # fmt: skip
                )
    return rows


def confirm_link(ws: Workspace, username: str, employee_id: str) -> None:
    """Record that an account belongs to an employee; audited, and it survives re-imports."""
    from django.db import transaction

    from dataward.access.models import LinkDecision, Person

    op = ensure_operation(ws)
    ws.require(Action.IMPORT, None)
    if not Person.objects.for_client(op).filter(employee_id=employee_id).exists():
        raise DatawardError(
            f"no employee {employee_id!r} on the roster", "link confirm", "check the id"
        )
    with transaction.atomic():
        LinkDecision.objects.for_client(op).filter(username__iexact=username).delete()
        LinkDecision.objects.create(
            client=op, username=username, employee_id=employee_id,
            decided_by=ws.actor.name, decided_at=ws.clock(),
        )  # fmt: skip
        audit.record(
            ws, "access.link.confirm", None, "account", username, after={"employee_id": employee_id}
        )


VIOLATION_STATUSES = ("fail", "warning", "error", "excepted")


def rule_ids() -> list[str]:
    """Return the id of every access rule (the check it backs), sorted."""
    from dataward.access.engine.evaluate import CLIENT_RULES, OPERATION_RULES

    return sorted(set(CLIENT_RULES) | set(OPERATION_RULES))


def stored_violations(ws: Workspace, slug: str | None) -> QuerySet[Any]:
    """Return what the access checks found wrong in each scope's latest stored assessment.

    One client when ``slug`` is given, else every visible client (and the operation, for
    operation-wide users). Unlike violation_rows it reads stored results (as of the last
    `dataward assess`), so it costs a few queries however many identities the workspace holds.
    """
    from dataward.controls.models import Assessment, CheckResult
    from dataward.core.clients import visible
    from dataward.core.engine.permissions import may

    whole = [ensure_operation(ws)] if may(ws.actor, Action.VIEW, None) else []
    clients = [get(ws, slug)] if slug else [*whole, *visible(ws)]
    latest = []
    for client in clients:
        ws.require(Action.VIEW, None if client.is_operation else client.slug)
        runs = Assessment.objects.for_client(client).order_by("-started_at", "-id")
        run = runs.values_list("id", flat=True).first()
        if run is not None:
            latest.append(run)
    rows = CheckResult.objects.for_clients(clients).filter(
        assessment_id__in=latest, check_id__in=rule_ids(), status__in=VIOLATION_STATUSES
    )
    return rows.select_related("client")


def people_query(ws: Workspace, slug: str | None) -> QuerySet[Any]:
    """Return the roster (or one client's people) as a query, for paging in the database."""
    import json

    from dataward.access.models import Person

    client = _client(ws, slug)
    ws.require(Action.VIEW, None if client.is_operation else client.slug)
    rows = Person.objects.for_client(ensure_operation(ws))
    if not client.is_operation:  # clients is a JSON list: match the quoted slug in its text
        rows = rows.filter(clients__icontains=json.dumps(client.slug))
    return rows


def directory_query(ws: Workspace) -> QuerySet[Any]:
    """Return every directory account as stored (operation-wide users), for paging in the database.

    account_rows also resolves each account's person and the client it matters to; that reads
    the whole workforce and the client's grants, so the web pages list the stored rows instead.
    """
    from dataward.access.models import DirectoryAccount

    ws.require(Action.VIEW, None)
    return DirectoryAccount.objects.for_client(ensure_operation(ws))


def entitlement_query(ws: Workspace, slug: str) -> QuerySet[Any]:
    """Return the permissions held on one client's systems, for paging in the database."""
    from dataward.access.models import Entitlement

    client = get(ws, slug)
    if client.is_operation:
        raise DatawardError("entitlements belong to a client", "--client", "name the client")
    return Entitlement.objects.for_client(client)
