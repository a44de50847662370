"""Turn the training rules' findings into check results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dataward.controls.engine.registry import Result, Status
from dataward.training.engine.rules import Finding


def results(findings: Iterable[Finding]) -> Iterator[Result]:
    """Yield one check result per finding."""
    for f in findings:
        yield Result(Status(f.status), f.subject, f.summary, f.evidence)
