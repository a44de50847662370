"""Turn the vendor rules' findings into check results, or say why there is nothing to judge."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView
from dataward.vendors.engine.rules import Finding

EMPTY_REGISTER = "no vendor register yet: run dataward vendors import REGISTER.csv"


def none_in_scope(view: WorkspaceView) -> str:
    """Return why a scope has no vendors to judge."""
    if view.is_operation:
        return "no active vendor serves the operation alone (client vendors are judged per client)"
    return f"no active vendor in the register touches {view.client.slug}'s data"


def results(view: WorkspaceView, findings: Iterable[Finding], what: str) -> Iterator[Result]:
    """Yield one result per finding; with no vendor in scope, one not-applicable result."""
    scope = view.read("vendors_in_scope")
    if not scope.registered:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, EMPTY_REGISTER)
        return
    if not scope.vendors:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, none_in_scope(view))
        return
    found = list(findings)
    if not found:
        yield Result(Status.NOT_APPLICABLE, view.client.slug, what)
    for f in found:
        yield Result(Status(f.status), f.subject, f.summary, f.evidence)
