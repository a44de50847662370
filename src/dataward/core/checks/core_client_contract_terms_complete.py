"""Check that a client's record holds the contract terms other checks depend on."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check


@check(
    id="core_client_contract_terms_complete",
    title="The client's contract terms are recorded",
    severity="medium",
    risk="Without categories, frameworks, deadlines and retention, checks cannot judge the client.",
    remediation="Complete the client record: dataward clients add SLUG --update with the terms.",
)
def core_client_contract_terms_complete(view: WorkspaceView) -> Iterator[Result]:
    """List every missing term, including categories without a retention rule."""
    spec = view.client
    missing = []
    if not spec.data_categories:
        missing.append("data categories")
    if not spec.frameworks:
        missing.append("frameworks")
    if spec.breach_notification_hours is None:
        missing.append("breach-notification deadline")
    if not spec.approved_locations:
        missing.append("approved data locations")
    ruled = {r["category"] for r in spec.retention_rules}
    missing += [f"retention rule for {c}" for c in spec.data_categories if c not in ruled]
    if missing:
        summary = f"{spec.slug} lacks " + ", ".join(missing)
        yield Result(Status.FAIL, spec.slug, summary, tuple({"missing": m} for m in missing))
    else:
        yield Result(Status.PASS, spec.slug, f"{spec.slug} has every contract term recorded")
