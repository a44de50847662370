"""Verify the demo's planted retention problems, then run a demo disposal end to end."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dataward.demo.oracle import AreaOutcome

CHECK_PREFIX = "retention_"
AREA = "retention"


def dispose_demo(ctx: Any) -> None:
    """Plan (analyst), approve (manager) and execute (analyst) Northbank's overdue disposal."""
    from dataward.core.models import User
    from dataward.core.users import to_principal
    from dataward.errors import DatawardError
    from dataward.retention import certify, service
    from dataward.retention import execute as runner

    users = {
        u.username: u for u in User.objects.filter(username__in=["demo-analyst", "demo-manager"])
    }
    if len(users) < 2 or not (ctx.estate / "shares" / "northbank").is_dir():
        return
    analyst = replace(ctx.ws, actor=to_principal(users["demo-analyst"]))
    manager = replace(ctx.ws, actor=to_principal(users["demo-manager"]))
    try:
        plan, _ = service.make_plan(analyst, "northbank", "overwrite", "demo: overdue extracts")
    except DatawardError:
        return
    service.approve(manager, plan.ref)
    steps = runner.run(analyst, plan.ref, execute=True)
    out = ctx.ws.paths.root / "reports" / f"disposal-{plan.ref}.pdf"
    out.parent.mkdir(exist_ok=True)
    certify.write(analyst, plan.ref, out, "pdf")
    done = sum(s.action == "disposed" for s in steps)
    ctx.console.print(
        f"retention: {plan.ref} planned by demo-analyst, approved by demo-manager, executed: "
        f"{done} of {len(steps)} files disposed; certificate {out.name}"
    )


def verify(ctx: Any) -> list[AreaOutcome]:
    """Return what the retention checks raised: planted problems found, anything else alarmed."""
    from dataward.demo.run import area_outcome

    planted = [p for p in ctx.manifest["planted"] if p["area"] == AREA]
    estate = str(ctx.estate).rstrip("/") + "/"
    return [area_outcome(AREA, CHECK_PREFIX, planted, _matches, lambda s: s.removeprefix(estate))]


def _matches(problem: dict[str, Any], _: Any, res: Any) -> bool:
    """Return whether a failed result is the planted problem: same check, same file."""
    expect = problem.get("expect", {})
    if res.check_id not in {expect.get("check"), *expect.get("also", [])}:
        return False
    wanted = expect.get("subject") or problem["where"]["path"]
    return bool(res.subject == wanted or res.subject.endswith("/" + wanted))
