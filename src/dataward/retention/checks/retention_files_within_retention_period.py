"""Check that no sensitive file is kept past the retention its client's policy sets."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.retention.engine.overdue import overdue


@check(
    id="retention_files_within_retention_period",
    title="No sensitive file is kept past its retention period",
    severity="medium",
    risk=(
        "Data kept longer than the contract or the law allows is exposure with no business "
        "use: every breach and every subject-access request then covers it too."
    ),
    remediation=(
        "Make a disposal plan (`dataward retention plan --client C`), have it approved and "
        "execute it, or place a legal hold if the data must be kept."
    ),
)
def retention_files_within_retention_period(view: WorkspaceView) -> Iterator[Result]:
    """Fail each file past retention that no legal hold covers; held ones pass, named."""
    data = view.read("retention")
    if not data["scanned"]:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, "no completed scan of this client")
        return
    if not data["rules"]:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, "no retention rule for this client")
        return
    found = overdue(data["holdings"], data["rules"], view.client.slug, view.now, data["holds"])
    for o in found:
        evidence = (
            {
                "location": o.location,
                "category": o.category,
                "age_days": o.age_days,
                "keep_days": o.keep_days,
                "records": o.records,
                "held_by": list(o.held_by),
                "policy": data["origin"],
            },
        )
        if o.held_by:
            summary = f"past retention but kept under legal hold {', '.join(o.held_by)}"
            yield Result(Status.PASS, o.location, summary, evidence)
        else:
            summary = f"{o.category} kept {o.age_days} days; the policy keeps it {o.keep_days} days"
            yield Result(Status.FAIL, o.location, summary, evidence)
    rows_past = False
    for m in data.get("measures", []):
        evidence = ({k: str(v) if v is not None else None for k, v in m.items()},)
        if m["error"]:
            yield Result(Status.WARNING, m["location"], f"not measured: {m['error']}", evidence)
        elif m["expired"]:
            rows_past = True
            summary = (f"{m['expired']} of {m['total']} rows are past {m['keep_days']} days by "
                       f"{m['column']} (oldest {m['oldest']})")  # fmt: skip
            yield Result(Status.FAIL, m["location"], summary, evidence)
    if not found and not rows_past:
        yield Result(Status.PASS, view.client.slug, "no sensitive file is past its retention")
