"""Check that every vendor receiving personal data has signed a data-processing agreement."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, WorkspaceView, check
from dataward.vendors.checks._common import results
from dataward.vendors.engine.rules import agreements


@check(
    id="vendors_have_dpa_for_personal_data",
    title="Vendors receiving personal data have a signed data-processing agreement",
    severity="high",
    scope="any",
    risk=(
        "Without a data-processing agreement the vendor owes no contractual duty to protect, "
        "limit, return or report on the personal data it receives."
    ),
    remediation=(
        "Sign a data-processing agreement (a business associate agreement for health data) and "
        "record it: dataward vendors update VENDOR --dpa --dpa-date DATE."
    ),
)
def vendors_have_dpa_for_personal_data(view: WorkspaceView) -> Iterator[Result]:
    """Judge each active vendor in scope that holds PII, PCI, PHI, FINANCIAL, HR or ids."""
    scope = view.read("vendors_in_scope")
    yield from results(view, agreements(scope.vendors), "no vendor in scope receives personal data")
