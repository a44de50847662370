"""The plain-Python incident engine: workflow moves, rules, clocks, playbooks, register."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from dataward.errors import DatawardError
from dataward.incidents.engine.clocks import Clock, clock_state, due_clocks, left, personal_data
from dataward.incidents.engine.playbooks import parse_playbook
from dataward.incidents.engine.register import parse_impact, parse_register
from dataward.incidents.engine.rules import Affected, applies, parse_rules
from dataward.incidents.engine.when import parse_instant
from dataward.incidents.engine.workflow import WorkflowError, move_kind
from dataward.incidents.library import shipped_playbooks, shipped_rules

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
LESSONS = "Mail-merge lists are now checked by a second person."


@pytest.mark.parametrize(
    ("current", "new", "kw", "expected"),
    [
        ("reported", "triage", {}, "forward"),
        ("reported", "recovered", {}, "forward"),  # skipping ahead is allowed
        ("triage", "closed", {"lessons": LESSONS}, "close"),  # a false alarm closes from triage
        ("contained", "triage", {"note": "scope is wider"}, "back"),
        ("closed", "triage", {"note": "more mail found", "admin": True}, "reopen"),
    ],
)
def test_allowed_moves(current: str, new: str, kw: dict, expected: str) -> None:
    assert move_kind(current, new, where="INC-0001", **kw) == expected


@pytest.mark.parametrize(
    ("current", "new", "kw", "needle"),
    [
        ("triage", "triage", {}, "already triage"),
        ("triage", "done", {}, "unknown status 'done'"),
        ("contained", "triage", {}, "needs a reason"),
        ("recovered", "closed", {}, "closing needs lessons learned"),
        ("recovered", "closed", {"lessons": "n/a"}, "closing needs lessons learned"),
        ("recovered", "closed", {"lessons": LESSONS, "unsettled": ["clock x", "task 2"]},
         "cannot close while clock x is open and 1 more"),
        ("closed", "triage", {"note": "why"}, "only an admin may reopen"),
        ("closed", "triage", {"admin": True}, "reopening needs a reason"),
    ],
)  # fmt: skip
def test_refused_moves(current: str, new: str, kw: dict, needle: str) -> None:
    with pytest.raises(WorkflowError, match=needle) as caught:
        move_kind(current, new, where="INC-0001", **kw)
    assert "\n" not in caught.value.line()
    assert caught.value.line().startswith("INC-0001: ")


def _who(**kw) -> Affected:  # type: ignore[no-untyped-def]
    base = {"client": "c", "frameworks": (), "categories": ("PII",), "records": 10,
            "personal_data": True, "contract_hours": None}  # fmt: skip
    return Affected(**{**base, **kw})


RULES = {r.id: r for r in shipped_rules()}


@pytest.mark.parametrize(
    ("rule", "who", "expected"),
    [
        ("gdpr_art33", _who(frameworks=("GDPR",)), True),
        ("gdpr_art33", _who(frameworks=("HIPAA",)), False),
        ("gdpr_art33", _who(frameworks=("GDPR",), personal_data=False), False),
        ("gdpr_art33", _who(frameworks=("GDPR",), records=0), False),  # nobody's data reached
        ("gdpr_art33", _who(frameworks=("GDPR",), records=None), True),  # unknown: assume so
        ("hipaa_individuals", _who(frameworks=("HIPAA",), categories=("PHI",)), True),
        ("hipaa_individuals", _who(frameworks=("HIPAA",), categories=("PII",)), False),
        ("hipaa_individuals", _who(frameworks=("HIPAA",), categories=("PHI",), records=0), False),
        ("hipaa_individuals", _who(frameworks=("HIPAA",), categories=("PHI",), records=None), True),
        ("hipaa_hhs_media", _who(frameworks=("HIPAA",), categories=("PHI",), records=499), False),
        ("hipaa_hhs_media", _who(frameworks=("HIPAA",), categories=("PHI",), records=500), True),
        ("hipaa_hhs_media", _who(frameworks=("HIPAA",), categories=("PHI",), records=None), True),
        ("contract", _who(contract_hours=24, records=0, personal_data=False), True),
        ("contract", _who(contract_hours=None), False),
    ],
)
def test_shipped_rules_apply_when_they_should(rule: str, who: Affected, expected: bool) -> None:
    assert applies(RULES[rule], who) is expected


def test_due_clocks_count_from_awareness() -> None:
    who = [
        _who(client="eu", frameworks=("GDPR",), contract_hours=24),
        _who(client="us", frameworks=("HIPAA",), categories=("PHI",), contract_hours=48),
    ]
    due = {(d.client, d.rule): d.due_at - T0 for d in due_clocks(shipped_rules(), T0, who)}
    assert due == {
        ("eu", "gdpr_art33"): timedelta(hours=72),
        ("eu", "contract"): timedelta(hours=24),
        ("us", "hipaa_individuals"): timedelta(days=60),
        ("us", "contract"): timedelta(hours=48),
    }


DUE = T0 + timedelta(hours=72)
SOON = timedelta(hours=24)


@pytest.mark.parametrize(
    ("notified", "decision", "now", "state"),
    [
        (DUE - timedelta(hours=1), "notified", DUE + timedelta(days=5), "met"),
        (DUE, "notified", DUE + timedelta(days=5), "met"),  # at the deadline is on time
        (DUE + timedelta(minutes=1), "notified", DUE + timedelta(days=5), "met late"),
        (None, "", DUE + timedelta(minutes=1), "overdue"),
        (None, "", DUE - timedelta(hours=23), "due soon"),
        (None, "", DUE - timedelta(hours=25), "open"),
        (None, "not required", DUE + timedelta(days=9), "not required"),
    ],
)
def test_clock_states(notified, decision: str, now: datetime, state: str) -> None:  # type: ignore[no-untyped-def]
    assert clock_state(DUE, SOON, notified, decision, now) == state
    clock = Clock("INC-1", "c", "gdpr_art33", "sa", "t", DUE, SOON, notified, decision)
    assert clock.state(now) == state


def test_day_based_rules_warn_a_week_ahead() -> None:
    hipaa = RULES["hipaa_individuals"]
    assert hipaa.soon == timedelta(days=7)
    due = T0 + timedelta(days=60)
    assert clock_state(due, hipaa.soon, None, "", due - timedelta(days=6)) == "due soon"
    assert clock_state(due, hipaa.soon, None, "", due - timedelta(days=8)) == "open"


def test_left_reads_at_a_glance() -> None:
    assert left(T0 + timedelta(days=2, hours=5), T0) == "2d 5h"
    assert left(T0 + timedelta(hours=3, minutes=10), T0) == "3h 10m"
    assert left(T0 - timedelta(hours=3, minutes=10), T0) == "3h 10m late"


def test_personal_data_by_category() -> None:
    assert personal_data(["PHI"])
    assert personal_data(["PII", "FINANCIAL"])
    assert not personal_data(["FINANCIAL", "CREDENTIALS"])


def test_a_custom_rule_file() -> None:
    text = """
rules:
  - id: dora_major_incident
    title: Initial notification of a major ICT incident
    audience: financial regulator
    hours: 4
    due_soon_hours: 2
    applies_when: {categories: [FINANCIAL], min_records: 1000}
"""
    (rule,) = parse_rules(text, "ours.yaml")
    assert (rule.hours, rule.soon, rule.min_records) == (4, timedelta(hours=2), 1000)
    assert parse_rules(json.dumps({"rules": [rule.as_dict()]}), "again") == [rule]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("rules: [", "ours.yaml: not valid YAML"),
        ("rules: []", "expected a list of rules"),
        ("rules: [{id: x1, audience: a}]", "rule 1 (x1): give exactly one of 'hours'"),
        ("rules: [{id: x1, audience: a, hours: 2, days: 3}]", "give exactly one of"),
        ("rules: [{id: x1, audience: a, hours: -2}]", "field 'hours' must be a whole number"),
        ("rules: [{id: X-1, audience: a, hours: 2}]", "rule 1: field 'id' must be lowercase"),
        ("rules: [{id: x1, hours: 2}]", "field 'audience' is required"),
        ("rules: [{id: x1, audience: a, hours: 2, when: {}}]", "unknown field 'when'"),
        ("rules: [{id: x1, audience: a, deadline: soon}]", "'deadline' takes only 'contract'"),
        ("rules: [{id: x1, audience: a, hours: 2, applies_when: {frameworks: [SOX]}}]",
         "'applies_when.frameworks' must list values among"),
        ("rules: [{id: x1, audience: a, hours: 2, applies_when: {personal_data: maybe}}]",
         "personal_data' must be true or false"),
        ("rules: [{id: x1, audience: a, hours: 2}, {id: x1, audience: b, hours: 3}]",
         "rule id 'x1' appears twice"),
    ],
)  # fmt: skip
def test_bad_rules_give_one_line(text: str, needle: str) -> None:
    with pytest.raises(DatawardError, match=re.escape(needle)) as caught:
        parse_rules(text, "ours.yaml")
    assert "\n" not in caught.value.line()


def test_the_shipped_playbooks_cover_the_usual_bpo_incidents() -> None:
    books = shipped_playbooks()
    assert set(books) == {
        "lost_or_stolen_laptop", "misdirected_email_or_file", "phishing_compromise",
        "ransomware", "insider_data_theft",
    }  # fmt: skip
    for book in books.values():
        assert len(book.tasks) >= 5
        assert {t.phase for t in book.tasks} >= {"triage", "contain"}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("name: x", "field 'name' must be lowercase"),
        ("name: own_book\ntasks: [a]", "field 'title' is required"),
        ("name: own_book\ntitle: T\ntasks: []", "field 'tasks' must list at least one task"),
        ("name: own_book\ntitle: T\ntasks: [{text: a, phase: later}]", "task 1: unknown phase"),
        ("name: own_book\ntitle: T\ntasks: [a, {phase: contain}]", "task 2: a task needs its text"),
        ("name: own_book\ntitle: T\nsteps: [a]", "unknown field 'steps'"),
        ("- a\n- b", "a playbook must be a mapping"),
        ("name: [", "not valid YAML"),
    ],
)
def test_bad_playbooks_give_one_line(text: str, needle: str) -> None:
    with pytest.raises(DatawardError, match=needle) as caught:
        parse_playbook(text, "own.yaml")
    assert "\n" not in caught.value.line()
    assert caught.value.line().startswith("own.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eurotel", ("eurotel", (), None)),
        ("eurotel:pii,financial", ("eurotel", ("PII", "FINANCIAL"), None)),
        ("medplan:PHI:140", ("medplan", ("PHI",), 140)),
        ("medplan::0", ("medplan", (), 0)),
    ],
)
def test_parse_impact(text: str, expected: tuple) -> None:
    spec = parse_impact(text, "--client")
    assert (spec.client, spec.categories, spec.records) == expected


@pytest.mark.parametrize("text", ["Eurotel", "x:PII:1:2", "eurotel:CARDS", "eurotel:PII:many"])
def test_bad_impacts_are_refused(text: str) -> None:
    with pytest.raises(DatawardError, match="--client"):
        parse_impact(text, "--client")


def test_instants_are_utc_and_never_in_the_future() -> None:
    assert parse_instant("2026-11-01T10:00+01:00", "x") == T0
    assert parse_instant("2026-11-01T09:00", "x") == T0
    assert parse_instant("2026-11-01T09:00Z", "x") == T0
    with pytest.raises(DatawardError, match="in the future"):
        parse_instant("2026-11-02", "--at", now=T0)
    with pytest.raises(DatawardError, match="is not a date and time"):
        parse_instant("yesterday", "--at")


def _register(*incidents: dict) -> str:
    return json.dumps({"schema": "dataward-incident-register/1", "incidents": list(incidents)})


GOOD = {"id": "R-1", "title": "Lost bag", "severity": "low", "detected_at": "2026-10-01T10:00Z"}


@pytest.mark.parametrize(
    ("entry", "needle"),
    [
        ({**GOOD, "severity": "huge"}, "incident 2 (R-1): field 'severity' is 'huge'"),
        ({**GOOD, "detected_at": "soon"}, "field 'detected_at' 'soon' is not a date and time"),
        ({**GOOD, "detected_at": "2027-01-01T00:00Z"}, "is in the future"),
        ({**GOOD, "occurred_at": "2026-10-02T10:00Z"}, "'occurred_at' is after detected_at"),
        ({**GOOD, "status": "closed"}, "'closed_at' is given exactly when status is closed"),
        ({**GOOD, "colour": "red"}, "field 'colour' is unknown"),
        ({**GOOD, "affected": [{"client": "eurotel", "records": -1}]},
         "affected 1: field 'records' must not be negative"),
        ({**GOOD, "affected": [{"client": "eurotel", "data_categories": ["CARDS"]}]},
         "data categories must be among"),
        ({**GOOD, "notifications": [{"rule": "x", "client": "eurotel", "not_required": True}]},
         "notification 1: field 'note' is required text"),
        ({**GOOD, "notifications": [{"rule": "x", "client": "c", "at": "2026-09-01T00:00Z"}]},
         "'at' is before the incident was detected"),
        ({k: v for k, v in GOOD.items() if k != "id"}, "incident 2: field 'id' is required"),
        ({**GOOD, "affected": [{"client": "eurotel", "records": 3},
                               {"client": "eurotel", "records": 0}]},
         "field 'affected' names client 'eurotel' twice"),
    ],
)  # fmt: skip
def test_bad_register_entries_give_one_line(entry: dict, needle: str) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(DatawardError, match=re.escape(needle)) as e:
        parse_register(_register(GOOD | {"id": "R-0"}, entry), "reg.json", now)
    assert "\n" not in e.value.line()
    assert e.value.line().startswith("reg.json, incident 2")
