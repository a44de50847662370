"""Ingest the demo estate's logs as the commands would, and verify the planted log problems."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dataward.demo.oracle import AreaOutcome

CHECK_PREFIX = "monitoring_"
AREA = "monitoring"
#: The two log sources of the estate: application access (ECS JSON Lines) and SSO (syslog).
SOURCES = (
    ("app-access", "logs/app_access.jsonl", "ecs-jsonl"),
    ("sso-auth", "logs/auth.log", "syslog"),
)


def import_estate(ctx: Any) -> None:
    """Declare the sources (covering every client system), write settings, ingest, detect."""
    from dataward.access.models import Entitlement
    from dataward.monitoring import service, settings, store

    if not (ctx.estate / SOURCES[0][1]).is_file():
        return
    from dataward.demo.engine.clients import BPO_DOMAIN, CLIENTS

    conf = ctx.ws.paths.root / settings.FILE
    if not conf.exists():
        domains = [BPO_DOMAIN, *sorted(c.domain for c in CLIENTS)]
        lines = ["# written by dataward demo", "internal_domains:"]
        lines += [f"  - {d}" for d in domains]
        conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    systems = sorted(
        set(
            Entitlement.objects.unscoped("every client system, for the demo's log sources")
            .values_list("system", flat=True)
            .distinct()
        )
    )
    for name, rel, mapping in SOURCES:
        source = service.add_source(
            ctx.ws, name, client=None, mapping=mapping, systems=systems, expected_hours=48
        )
        store.ingest(ctx.ws, source, ctx.estate / rel, progress=False)
    service.detect(ctx.ws, None)
    _show(ctx)


def _show(ctx: Any) -> None:
    """Print the alerts awaiting triage, as the security lead would look first."""
    from dataward.monitoring import service

    table = Table(title="Alerts (dataward alerts list --state new)", title_justify="left")
    for name in ("ref", "client", "level", "rule", "subject", "events", "summary"):
        table.add_column(name, overflow="fold")
    for a in service.alerts(ctx.ws, None, ["new"]):
        table.add_row(
            a.ref, a.client.slug, a.level, a.rule, a.subject, str(a.event_count), a.summary
        )
    ctx.console.print(table)


def verify(ctx: Any) -> list[AreaOutcome]:
    """Return what the monitoring checks raised: planted problems found, anything else alarmed.

    The logs name people by e-mail; the manifest by directory username.
    """
    from dataward.demo.run import area_outcome, same_check_and_subject

    planted = [p for p in ctx.manifest["planted"] if p["area"] == AREA]
    names = _usernames()

    def matches(problem: dict[str, Any], _: Any, res: Any) -> bool:
        subject = names.get(res.subject.lower(), res.subject)
        return same_check_and_subject(problem, res.check_id, subject)

    return [area_outcome(AREA, CHECK_PREFIX, planted, matches)]


def _usernames() -> dict[str, str]:
    """Return directory usernames by e-mail address (the logs name people by e-mail)."""
    from dataward.access.models import DirectoryAccount

    rows = DirectoryAccount.objects.unscoped("the demo oracle maps log names to accounts")
    return {e.lower(): u for e, u in rows.values_list("email", "username") if e}
