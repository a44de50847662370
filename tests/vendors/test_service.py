"""Reviews, obligations and visibility through the service layer, with a fixed clock."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from dataward.errors import DatawardError, PermissionDeniedError

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def fixed(ws: Any, estate: Path) -> Any:
    """The admin workspace at a fixed time, with the estate's clients and vendor register."""
    from dataward.core import clients
    from dataward.vendors import store

    at = dataclasses.replace(ws, clock=lambda: NOW)
    clients.import_file(at, estate / "clients.json")
    store.import_register(at, estate / "vendors/vendors.csv")
    return at


def _spec(ws: Any, name: str, **given: Any) -> Any:
    from dataward.vendors import records
    from dataward.vendors.engine.register import from_options

    return from_options(name, given, records.known(ws), TODAY)


@pytest.mark.parametrize(
    ("given", "next_due"),
    [
        ({"data_categories": ["PCI"], "clients": ["northbank"]}, date(2027, 11, 1)),  # high
        ({"data_categories": ["PII"], "clients": ["northbank"]}, date(2028, 11, 1)),  # medium
        ({"clients": ["northbank"]}, date(2029, 11, 1)),  # low
        ({"clients": ["northbank"], "declared_tier": "high"}, date(2027, 11, 1)),  # declared
    ],
)
def test_a_review_sets_the_next_due_date_by_tier(
    fixed: Any, given: dict[str, Any], next_due: date
) -> None:
    from dataward.vendors import store

    store.add(fixed, _spec(fixed, "Acme", **given))
    row = store.review(fixed, "acme", date(2026, 11, 1), None, "approved", "")
    assert row["next_review_due"] == next_due
    assert not row["beyond_cadence"]


def test_review_dates_are_checked(fixed: Any) -> None:
    from dataward.vendors import store

    vault = "VaultBox Offsite Archive"
    with pytest.raises(DatawardError, match="in the future"):
        store.review(fixed, vault, date(2026, 12, 1), None, "approved", "")
    with pytest.raises(DatawardError, match="before the last review"):
        store.review(fixed, vault, date(2025, 1, 1), None, "approved", "")
    with pytest.raises(DatawardError, match="not after the review"):
        store.review(fixed, vault, TODAY, TODAY, "approved", "")
    with pytest.raises(DatawardError, match="no outcome"):
        store.review(fixed, vault, TODAY, None, "fine", "")
    row = store.review(fixed, vault, None, date(2028, 6, 1), "conditional", "encrypt tapes")
    assert (row["reviewed_on"], row["beyond_cadence"]) == (TODAY, True)


def test_a_rejected_vendor_fails_its_review_check(fixed: Any) -> None:
    from dataward.controls.store import assess
    from dataward.core.models import Client
    from dataward.vendors import store

    store.review(fixed, "ShieldPay Tokenisation", TODAY, None, "rejected", "no AOC")
    _, outcomes = assess(fixed, Client.objects.get(slug="northbank"))
    failed = {
        o.subject
        for o in outcomes
        if o.check_id == "vendors_reviews_current" and o.status.value == "fail"
    }
    assert failed == {"ShieldPay Tokenisation", "VaultBox Offsite Archive"}


def test_operation_scope_judges_vendors_touching_no_client(fixed: Any) -> None:
    from dataward.controls.store import assess
    from dataward.core.clients import ensure_operation
    from dataward.vendors import store

    store.add(fixed, _spec(fixed, "Payroll Co", data_categories=["HR"]))
    _, outcomes = assess(fixed, ensure_operation(fixed))
    mine = {(o.check_id, o.subject, o.status.value) for o in outcomes if "vendors_" in o.check_id}
    assert mine == {
        ("vendors_reviews_current", "Payroll Co", "fail"),
        ("vendors_have_dpa_for_personal_data", "Payroll Co", "fail"),
        ("vendors_due_diligence_complete", "Payroll Co", "warning"),
    }


def test_obligations_come_due_to_the_owner_and_respect_scope(fixed: Any) -> None:
    from dataward.core import users
    from dataward.core.users import principal_for
    from dataward.plugins import hook
    from dataward.vendors import store

    store.update(fixed, _spec(fixed, "VaultBox Offsite Archive", owner="ops@bpo.example"))
    store.add(fixed, _spec(fixed, "Unreviewed Co", clients=["telora"], owner="ops@bpo.example"))
    store.update(fixed, _spec(fixed, "Brightdesk QA Analytics"), status="offboarded")
    duties = [
        o
        for batch in hook().obligations(ws=fixed, today=TODAY)
        for o in batch
        if o.kind == "vendor review"
    ]
    by_ref = {o.ref: o for o in duties}
    assert len(by_ref) == 6  # five active estate vendors and the new one
    vault = by_ref["VaultBox Offsite Archive"]
    assert (vault.owner, vault.due, vault.state(TODAY)) == (
        "ops@bpo.example",
        date(2026, 10, 14),
        "overdue",
    )
    assert by_ref["Unreviewed Co"].due == TODAY
    assert by_ref["Unreviewed Co"].client == "telora"  # one client: that client's duty
    assert vault.client is None  # several clients: the operation's
    assert "never reviewed" in by_ref["Unreviewed Co"].title
    users.add(fixed, "vic", "client-viewer", ["carewell"])
    viewer = dataclasses.replace(fixed, actor=principal_for("vic"))
    seen = {o.ref for batch in hook().obligations(ws=viewer, today=TODAY) for o in batch
            if o.kind == "vendor review"}  # fmt: skip
    assert seen == {
        "Nimbus CX Cloud",
        "Paperline Mail Services",
        "VaultBox Offsite Archive",
        "LinguaBridge Interpreting",
    }


def test_writes_need_operation_wide_rights(fixed: Any) -> None:
    from dataward.core import users
    from dataward.core.users import principal_for
    from dataward.vendors import diligence, store

    users.add(fixed, "ana", "analyst", ["telora"])
    users.add(fixed, "ola", "analyst", [])
    scoped = dataclasses.replace(fixed, actor=principal_for("ana"))
    analyst = dataclasses.replace(fixed, actor=principal_for("ola"))
    with pytest.raises(PermissionDeniedError):
        store.update(scoped, _spec(fixed, "Nimbus CX Cloud", owner="x@y.example"))
    with pytest.raises(PermissionDeniedError):
        diligence.set_duty(scoped, "Nimbus CX Cloud", "patching", ["vendor"], ["vendor"])
    with pytest.raises(PermissionDeniedError):  # recording a review is an approval
        store.review(analyst, "Nimbus CX Cloud", TODAY, None, "approved", "")
    assert diligence.set_duty(analyst, "Nimbus CX Cloud", "patching", ["vendor"], ["vendor"])
    assert not diligence.set_duty(analyst, "Nimbus CX Cloud", "patching", ["vendor"], ["vendor"])


def test_a_later_review_in_the_register_supersedes_a_rejection(fixed: Any) -> None:
    from dataward.controls.store import assess
    from dataward.core.models import Client
    from dataward.vendors import store

    shield = "ShieldPay Tokenisation"
    store.review(fixed, shield, date(2026, 10, 1), None, "rejected", "no AOC")
    store.update(fixed, _spec(fixed, shield, last_review=date(2026, 11, 20)))

    def verdict() -> tuple[str, str]:
        _, outcomes = assess(fixed, Client.objects.get(slug="northbank"))
        (found,) = [
            o for o in outcomes if o.check_id == "vendors_reviews_current" and o.subject == shield
        ]
        return found.status.value, found.summary

    status, summary = verdict()
    assert status == "pass", summary
    assert "rejected" not in summary
    store.review(fixed, shield, TODAY, None, "rejected", "still no AOC")
    assert verdict()[0] == "fail"
