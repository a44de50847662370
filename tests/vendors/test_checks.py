"""The vendor checks on a plain view: each positive and negative, and nothing-to-judge cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from dataward.controls.engine.registry import Status
from dataward.core.engine.clients import ClientSpec
from dataward.vendors.checks.vendors_due_diligence_complete import vendors_due_diligence_complete
from dataward.vendors.checks.vendors_have_dpa_for_personal_data import (
    vendors_have_dpa_for_personal_data,
)
from dataward.vendors.checks.vendors_reviews_current import vendors_reviews_current
from dataward.vendors.engine.model import Answer, VendorFacts
from dataward.vendors.engine.questionnaire import load_template
from dataward.vendors.readers import VendorScope

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@dataclass
class View:
    """A WorkspaceView holding the vendors in scope, as the reader would give them."""

    vendors: tuple[VendorFacts, ...]
    registered: int = 1
    is_operation: bool = False
    client: ClientSpec = field(default_factory=lambda: ClientSpec("northbank", "Northbank"))
    now: datetime = NOW

    def read(self, name: str) -> Any:
        assert name == "vendors_in_scope"
        return VendorScope(self.vendors, self.registered, load_template())


ANSWERS = {
    "GOV-01": "yes", "GOV-02": "x", "GOV-03": "yes", "GOV-04": "none", "DAT-01": "PH",
    "DAT-02": "yes", "DAT-03": "yes", "DAT-04": "yes", "DAT-05": "no", "ACC-01": "yes",
    "OPS-01": 14, "INC-01": 24,
}  # fmt: skip
PROOF = ("ab" * 32,)  # GOV-01 needs evidence
GOOD = VendorFacts(
    "Good Co",
    clients=("northbank",),
    data_categories=("PII",),
    dpa_signed=True,
    last_review=date(2026, 6, 1),
    next_review_due=date(2027, 6, 1),
    answers={k: Answer(k, v, "", PROOF if k == "GOV-01" else ()) for k, v in ANSWERS.items()},
)
BAD = VendorFacts(
    "Bad Co",
    clients=("northbank",),
    data_categories=("PHI",),
    last_review=date(2025, 6, 1),
    next_review_due=date(2026, 6, 1),
    answers={"DAT-03": Answer("DAT-03", "no")},
)
CHECKS = [
    vendors_reviews_current,
    vendors_have_dpa_for_personal_data,
    vendors_due_diligence_complete,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_each_check_passes_a_good_vendor_and_fails_a_bad_one(check: Any) -> None:
    results = {r.subject: r for r in check(View((GOOD, BAD)))}
    assert results["Good Co"].status is Status.PASS, results["Good Co"]
    assert results["Bad Co"].status is Status.FAIL, results["Bad Co"]
    assert "Bad Co" in results["Bad Co"].summary
    assert all(r.evidence for r in results.values())


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_nothing_to_judge_is_not_applicable_never_a_pass(check: Any) -> None:
    [empty] = check(View((), registered=0))
    assert empty.status is Status.NOT_APPLICABLE
    assert "vendors import" in empty.summary
    [none] = check(View((), registered=4))
    assert none.status is Status.NOT_APPLICABLE
    assert "northbank" in none.summary
    [op] = check(View((), registered=4, is_operation=True))
    assert op.status is Status.NOT_APPLICABLE
    assert "judged per client" in op.summary


def test_dpa_check_with_no_personal_data_in_scope_is_not_applicable() -> None:
    creds = VendorFacts("Keys Co", clients=("northbank",), data_categories=("CREDENTIALS",))
    [result] = vendors_have_dpa_for_personal_data(View((creds,)))
    assert result.status is Status.NOT_APPLICABLE


def test_no_questionnaire_is_a_warning_not_a_failure() -> None:
    bare = VendorFacts("Bare Co", clients=("northbank",), data_categories=("PII",))
    [result] = vendors_due_diligence_complete(View((bare,)))
    assert result.status is Status.WARNING
