"""Linking accounts to people: employee id, email, confirmed links and fuzzy name suggestions.

Every person and account is invented here at example domains.
"""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from dataward.access.engine.resolve import FUZZY_MIN, AccountIndex, Link, Resolver
from dataward.access.engine.types import Account, Person


def person(eid: str, name: str, email: str = "") -> Person:
    """One active roster person."""
    return Person(eid, name, email, "active", None, None, "Ops", "agent", (), "", None)


ANN = person("E100", "Ann Lee", "ann.lee@corp.example")
BEN = person("E101", "Ben Ortiz", "ben.ortiz@corp.example")
JOHN = person("E102", "John Smyth", "john.smyth@corp.example")
PEOPLE = [ANN, BEN, JOHN]


@pytest.fixture
def resolver() -> Resolver:
    """A resolver over the three people."""
    return Resolver(PEOPLE)


def test_fuzzy_pairs_score_as_the_tests_assume() -> None:
    assert fuzz.token_sort_ratio("Jon Smyth", "John Smyth") >= FUZZY_MIN
    assert fuzz.token_sort_ratio("Jonathan Smyth", "John Smyth") < FUZZY_MIN
    assert fuzz.token_sort_ratio("Jon Smyth", "Joan Smyth") == fuzz.token_sort_ratio(
        "Jon Smyth", "John Smyth"
    )


def test_links_by_employee_id_ignoring_case(resolver: Resolver) -> None:
    link = resolver.link(Account("alee", employee_id="e100"))
    assert link == Link("E100", "employee_id")
    assert link.linked is True


def test_links_by_email_ignoring_case(resolver: Resolver) -> None:
    assert resolver.link(Account("bo", email="Ben.Ortiz@Corp.Example")) == Link("E101", "email")
    unknown_id = Account("bo2", employee_id="E999", email="ben.ortiz@corp.example")
    assert resolver.link(unknown_id) == Link("E101", "email")


def test_employee_id_and_email_of_one_person_is_an_employee_id_link(resolver: Resolver) -> None:
    account = Account("alee", employee_id="E100", email="ann.lee@corp.example")
    assert resolver.link(account).method == "employee_id"


def test_employee_id_and_email_of_different_people_is_a_conflict(resolver: Resolver) -> None:
    link = resolver.link(Account("x", employee_id="E100", email="ben.ortiz@corp.example"))
    assert link == Link("E100", "conflict", others=("E101",))
    assert link.linked is True


def test_fuzzy_name_is_only_a_suggestion(resolver: Resolver) -> None:
    link = resolver.link(Account("jsmyth2", display_name="Jon Smyth"))
    assert (link.employee_id, link.method, link.suggestion) == ("", "suggested", "E102")
    assert link.score == pytest.approx(fuzz.token_sort_ratio("Jon Smyth", "John Smyth"))
    assert link.linked is False
    assert resolver.link(Account("js", display_name="Smyth, Jon")).suggestion == "E102"


@pytest.mark.parametrize(
    "display",
    ["Jonathan Smyth", "Smyth", "Jon Smith", "", "svc-backup"],
)
def test_no_suggestion_when_no_name_is_close(resolver: Resolver, display: str) -> None:
    assert resolver.link(Account("a", display_name=display)) == Link("", "none")


def test_no_suggestion_when_two_people_fit_equally_well() -> None:
    resolver = Resolver([*PEOPLE, person("E103", "Joan Smyth")])
    assert resolver.link(Account("js", display_name="Jon Smyth")) == Link("", "none")


def test_clearly_better_match_is_still_suggested() -> None:
    resolver = Resolver([*PEOPLE, person("E104", "Jan Smyth")])  # scores 88.9, John 94.7
    link = resolver.link(Account("js", display_name="Jon Smyth"))
    assert (link.method, link.suggestion) == ("suggested", "E102")


def test_fuzzy_suggestion_ignores_case(resolver: Resolver) -> None:
    link = resolver.link(Account("js", display_name="JOHN SMYTH"))
    assert (link.method, link.suggestion) == ("suggested", "E102")


def test_confirmed_mapping_wins() -> None:
    resolver = Resolver(PEOPLE, confirmed={"JSmyth2": "e102", "ghost": "E404"})
    account = Account("jsmyth2", employee_id="E100", email="ben.ortiz@corp.example")
    link = resolver.link(account)
    assert link == Link("E102", "confirmed")
    assert link.linked is True
    # A confirmation naming someone no longer on the roster is ignored.
    assert resolver.link(Account("ghost", employee_id="E101")) == Link("E101", "employee_id")


@pytest.mark.parametrize(
    ("method", "linked"),
    [("employee_id", True), ("email", True), ("confirmed", True), ("conflict", True),
     ("suggested", False), ("none", False)],
)  # fmt: skip
def test_link_linked(method: str, linked: bool) -> None:
    assert Link("E1", method).linked is linked


def index(resolver: Resolver) -> AccountIndex:
    """Directory accounts for Ann (linked), John (only suggested) and an orphan."""
    accounts = [
        Account("alee", email="Ann.Lee@corp.example", aliases=("00u-ann",), employee_id="E100"),
        Account("jsm", display_name="Jon Smyth", email="jsm@corp.example"),
        Account("svc-old"),
    ]
    return AccountIndex([(a, resolver.link(a)) for a in accounts], resolver)


@pytest.mark.parametrize("name", ["alee", "ALEE", "00u-ann", "ann.lee@corp.example", "Ann.Lee"])
def test_person_of_through_a_directory_account(resolver: Resolver, name: str) -> None:
    found = index(resolver)
    assert found.person_of(name) == "E100"
    assert [a.username for a, _ in found.accounts(name)] == ["alee"]


def test_person_of_falls_back_to_employee_id_or_email(resolver: Resolver) -> None:
    found = index(resolver)
    assert found.person_of("e101") == "E101"
    assert found.person_of("Ben.Ortiz@corp.example") == "E101"
    assert found.person_of("ben.ortiz") == ""  # a local part alone needs a directory account
    assert found.person_of("nobody") == ""
    assert found.accounts("nobody") == []


def test_person_of_ignores_suggestions_and_orphans(resolver: Resolver) -> None:
    found = index(resolver)
    assert found.accounts("jsm")[0][1].method == "suggested"
    assert found.person_of("jsm") == ""
    assert found.person_of("svc-old") == ""


def test_person_of_uses_the_linked_account_when_a_name_is_shared(resolver: Resolver) -> None:
    shared = [
        (Account("kim"), Link("", "none")),
        (Account("kim.b", aliases=("kim",)), Link("E101", "email")),
    ]
    found = AccountIndex(shared, resolver)
    assert [a.username for a, _ in found.accounts("KIM")] == ["kim", "kim.b"]
    assert found.person_of("kim") == "E101"
