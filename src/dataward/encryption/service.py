"""Check TLS endpoints with sslyze, keep every result as history, list results, refresh them."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction

from dataward.core import audit
from dataward.core.engine.permissions import Action
from dataward.core.models import Client
from dataward.core.workspace import Workspace
from dataward.encryption import runner, scopes
from dataward.encryption.endpoints import latest_scans
from dataward.encryption.engine.endpoints import parse_target
from dataward.encryption.engine.profile import intermediate
from dataward.encryption.engine.tls_facts import TlsFacts, endpoint_label, to_dict
from dataward.encryption.engine.tls_judge import describe, judge, verdict
from dataward.encryption.models import TlsEndpoint, TlsScan
from dataward.errors import DatawardError

CHECK_COLUMNS = ["client", "endpoint", "verdict", "summary"]
RESULT_COLUMNS = ["checked_at", "client", "endpoint", "verdict", "summary", "actor"]


@dataclass(frozen=True)
class Target:
    """One endpoint to check: where, whether it is in scope, and the CA file to trust."""

    host: str
    port: int
    endpoint: TlsEndpoint | None
    ca_file: str


def _targets(client: Client, given: list[str], ca_file: Path | None, named: bool) -> list[Target]:
    """Return the given endpoints, or all in-scope endpoints of the client ``named`` on input."""
    known = {(e.host, e.port): e for e in TlsEndpoint.objects.for_client(client)}
    if not given and not named:
        raise DatawardError("nothing to check", "tls check", "give HOST:PORT or --client CLIENT")
    pairs = [parse_target(t) for t in given] or sorted(known)
    if not pairs:
        hint = f"add one: dataward tls endpoints add HOST:PORT --client {client.slug}"
        raise DatawardError(f"{client.slug} has no in-scope TLS endpoint", "tls check", hint)
    out = []
    for host, port in dict.fromkeys(pairs):
        endpoint = known.get((host, port))
        chosen = str(ca_file.resolve()) if ca_file else (endpoint.ca_file if endpoint else "")
        out.append(Target(host, port, endpoint, chosen))
    return out


def _scan_all(ws: Workspace, command: list[str], targets: list[Target]) -> list[TlsFacts]:
    """Run sslyze once per CA file, keeping the targets' order."""
    groups: dict[str, list[Target]] = defaultdict(list)
    for t in targets:
        groups[t.ca_file].append(t)
    found: dict[tuple[str, int], TlsFacts] = {}
    for ca, group in groups.items():
        pairs = [(t.host, t.port) for t in group]
        ca_path = Path(ca) if ca else None
        for facts in runner.run(command, pairs, ws.clock(), ca_path):
            found[(facts.host.lower(), facts.port)] = facts
    return [found[(t.host, t.port)] for t in targets]


def _store(ws: Workspace, client: Client, target: Target, facts: TlsFacts) -> dict[str, Any]:
    """Judge and keep one result with an audit event; return its row."""
    profile = intermediate()
    https = None if target.endpoint is None else target.endpoint.protocol == "https"
    findings = judge(facts, profile, ws.clock(), https=https)
    outcome = verdict(findings)
    stored = [
        {"code": f.code, "status": f.status, "message": f.message, "evidence": f.evidence}
        for f in findings
    ]
    label = endpoint_label(target.host, target.port)
    TlsScan.objects.create(
        client=client,
        endpoint=target.endpoint,
        host=target.host,
        port=target.port,
        checked_at=ws.clock(),
        actor=ws.actor.name,
        verdict=outcome,
        findings=stored,
        facts=to_dict(facts),
        profile=profile.label,
        sslyze_version=facts.sslyze_version,
    )
    detail = {"verdict": outcome, "codes": [f.code for f in findings], "profile": profile.label}
    audit.record(ws, "tls.check", scopes.slug_of(client), "tls_endpoint", label, detail=detail)
    return {
        "client": client.slug,
        "endpoint": label,
        "in_scope": target.endpoint is not None,
        "verdict": outcome,
        "summary": describe(findings),
        "findings": stored,
        "protocols": sorted(facts.protocols),
        "not_after": facts.leaf.not_after if facts.leaf else None,
        "hsts_max_age": facts.hsts_max_age,
    }


def check(
    ws: Workspace,
    given: list[str],
    client_slug: str | None,
    sslyze: str | None = None,
    ca_file: Path | None = None,
    announce: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Check endpoints (the given ones, or all of the client's) and store each result.

    ``announce`` hears how many endpoints are about to be checked, once the input is valid.
    """
    client = scopes.one(ws, client_slug, Action.SCAN)
    targets = _targets(client, given, ca_file, named=bool(client_slug))
    command = runner.locate(sslyze, os.environ, ws.paths.root)
    if announce is not None:
        announce(len(targets))
    facts = _scan_all(ws, command, targets)
    with transaction.atomic():
        return [_store(ws, client, t, f) for t, f in zip(targets, facts, strict=True)]


def refresh(ws: Workspace, client: Client, max_age_days: int, sslyze: str | None = None) -> int:
    """Re-check the client's in-scope endpoints whose latest result is older than the limit.

    Endpoints never checked count as old. Returns how many were checked; with none due, sslyze
    is not even looked for. This is what ``dataward assess --refresh DAYS`` calls per client.
    """
    endpoints = list(TlsEndpoint.objects.for_client(client).order_by("host", "port"))
    if not endpoints:
        return 0
    latest = latest_scans(client)
    cutoff = ws.clock() - timedelta(days=max_age_days)
    due = [
        endpoint_label(e.host, e.port)
        for e in endpoints
        if (e.host, e.port) not in latest or latest[(e.host, e.port)].checked_at < cutoff
    ]
    if not due:
        return 0
    check(ws, due, None if client.is_operation else client.slug, sslyze)
    return len(due)


def result_rows(ws: Workspace, client_slug: str | None, latest: bool) -> list[dict[str, Any]]:
    """Return stored results, newest first (only each endpoint's latest with ``latest``)."""
    rows = []
    for client in scopes.many(ws, client_slug, Action.VIEW):
        scans = (
            list(latest_scans(client).values())
            if latest
            else list(TlsScan.objects.for_client(client))
        )
        for s in scans:
            messages = [f["message"] for f in s.findings]
            rows.append(
                {
                    "checked_at": s.checked_at,
                    "client": client.slug,
                    "endpoint": endpoint_label(s.host, s.port),
                    "verdict": s.verdict,
                    "summary": "; ".join(messages) or "meets the profile",
                    "actor": s.actor,
                    "profile": s.profile,
                    "findings": s.findings,
                }
            )
    rows.sort(key=lambda r: (r["checked_at"], r["client"], r["endpoint"]), reverse=True)
    return rows
