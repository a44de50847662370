"""The vendor engine: tier rule, cadence, register validation, questionnaire, rules, duties."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dataward.core.engine.clients import DATA_CATEGORIES
from dataward.errors import DatawardError
from dataward.vendors.engine import questionnaire as q
from dataward.vendors.engine import responsibilities as r
from dataward.vendors.engine.model import (
    HIGH_CATEGORIES,
    PERSONAL_CATEGORIES,
    Answer,
    VendorFacts,
    add_months,
    compute_tier,
    higher,
)
from dataward.vendors.engine.register import Known, from_options
from dataward.vendors.engine.rules import agreements, diligence, reviews

TODAY = date(2026, 11, 28)
KNOWN = Known(frozenset({"northbank", "carewell"}), frozenset({"mona"}))


def test_the_tier_vocabulary_is_the_clients_vocabulary() -> None:
    assert set(HIGH_CATEGORIES | PERSONAL_CATEGORIES) <= set(DATA_CATEGORIES)


@pytest.mark.parametrize(
    ("categories", "clients", "access", "tier"),
    [
        (["PCI"], ["a"], [], "high"),
        (["PHI"], ["a"], [], "high"),
        (["FINANCIAL"], [], [], "high"),
        (["GOVERNMENT_ID"], ["a"], [], "high"),
        (["CREDENTIALS"], ["a"], [], "high"),
        (["PII"], ["a", "b"], [], "high"),  # more than one client
        ([], [], ["network"], "high"),
        ([], ["a"], ["privileged"], "high"),
        (["PII"], ["a"], [], "medium"),
        (["HR"], [], [], "medium"),
        ([], ["a"], [], "low"),
        ([], [], [], "low"),
    ],
)
def test_tier_rule(categories: list[str], clients: list[str], access: list[str], tier: str) -> None:
    computed = compute_tier(categories, clients, access)
    assert computed.tier == tier
    assert computed.reasons


def test_the_declared_tier_only_raises_the_computed_one() -> None:
    assert higher("", "medium") == "medium"
    assert higher("high", "low") == "high"
    assert higher("low", "medium") == "medium"
    low_but_declared = VendorFacts("x", clients=("a",), declared_tier="high")
    assert (low_but_declared.computed.tier, low_but_declared.tier) == ("low", "high")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 28), 12, date(2027, 11, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 15), 36, date(2029, 5, 15)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def _v(**kw: object) -> VendorFacts:
    base: dict[str, object] = {
        "name": "Acme",
        "clients": ("northbank",),
        "data_categories": ("PII",),
    }
    return VendorFacts(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("vendor", "status", "words"),
    [
        (_v(), "fail", "never been reviewed"),
        (_v(last_review=date(2025, 1, 1), next_review_due=date(2026, 11, 1)), "fail", "27 days"),
        (_v(last_review=date(2026, 1, 1), next_review_due=date(2026, 12, 10)), "warning", "in 12"),
        (
            _v(last_review=date(2026, 6, 1), next_review_due=date(2029, 6, 1)),
            "warning",
            "24 months",
        ),
        (_v(last_review=date(2026, 6, 1)), "pass", "2028-06-01"),  # medium: 24 months by default
        (_v(last_review=date(2026, 6, 1), data_categories=("PCI",)), "pass", "2027-06-01"),
        (_v(last_review=date(2026, 6, 1), last_outcome="rejected"), "fail", "rejected"),
    ],
)
def test_review_rule(vendor: VendorFacts, status: str, words: str) -> None:
    [finding] = reviews([vendor], TODAY)
    assert finding.status == status
    assert words in finding.summary
    assert "northbank" not in str(finding.evidence)  # evidence never names clients


def test_agreement_rule_judges_only_vendors_receiving_personal_data() -> None:
    found = agreements(
        [
            _v(name="NoDpa", data_categories=("PHI",)),
            _v(name="Dpa", dpa_signed=True, dpa_date=date(2025, 3, 1)),
            _v(name="Creds", data_categories=("CREDENTIALS",)),
        ]
    )
    assert [(f.subject, f.status) for f in found] == [("NoDpa", "fail"), ("Dpa", "pass")]
    assert "PHI" in found[0].summary
    assert "2025-03-01" in found[1].summary


def test_the_shipped_template_loads_with_unique_ids() -> None:
    template = q.load_template()
    ids = [x.id for x in template.questions]
    assert len(ids) == len(set(ids)) >= 20
    assert template.version
    assert {s for s, _ in template.sections} == {x.section for x in template.questions}
    for x in template.questions:
        assert x.required_for, x.id
        assert x.finding or x.type == "text" or not (x.bad or x.bad_above or x.bad_below), x.id


def test_a_broken_template_names_the_question(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("sections:\n- id: s\n  questions:\n  - {id: Q-1, type: maybe}\n")
    with pytest.raises(DatawardError, match="question Q-1"):
        q.load_template(path)


def _parse(answers: object, evidence: tuple[str, ...] = ()) -> list[q.Given]:
    return q.parse_answers({"answers": answers}, q.load_template(), evidence, "a.yaml", TODAY)


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({"NOPE-1": "yes"}, "question NOPE-1: is not in the questionnaire"),
        ({"GOV-01": "maybe"}, "question GOV-01: answer is not yes or no"),
        ({"INC-02": "sometimes"}, "question INC-02: answer is not one of the options"),
        ({"OPS-01": "fast"}, "question OPS-01: answer is not a number"),
        ({"OPS-01": -3}, "question OPS-01: answer is not a number of 0 or more"),
        ({"OPS-02": "2027-01-01"}, "question OPS-02: answer is a date in the future"),
        ({"OPS-02": "last spring"}, "question OPS-02: answer is not a date"),
        ({"GOV-02": "  "}, "question GOV-02: answer is empty"),
        ({"GOV-01": {"answer": True, "evidence": ["soc2.pdf"]}}, "question GOV-01: cites evidence"),
        ({"GOV-01": {"answer": True, "proof": "x"}}, "question GOV-01: unknown key 'proof'"),
        # numbers no comparison can judge: a NaN answer would pass every bad_above
        ({"OPS-01": "nan"}, "question OPS-01: answer is not a number of 0 or more"),
        ({"OPS-01": float("nan")}, "question OPS-01: answer is not a number of 0 or more"),
        ({"OPS-01": "inf"}, "question OPS-01: answer is not a number of 0 or more"),
        ({"OPS-01": "1e400"}, "question OPS-01: answer is not a number of 0 or more"),
        ({"GOV-01": {"answer": "yes", "evidence": 5}}, "question GOV-01: evidence is not a list"),
        ({"GOV-01": {"answer": "yes", "evidence": {"a": 1}}}, "GOV-01: evidence is not a list"),
        ({"GOV-02": "yes\x00"}, "question GOV-02: answer holds a NUL character"),
        ({"GOV-01": {"answer": "yes", "comment": "a\x00b"}}, "GOV-01: comment holds a NUL"),
    ],
)
def test_answer_errors_name_the_question(answers: object, words: str) -> None:
    with pytest.raises(DatawardError) as caught:
        _parse(answers)
    assert words in caught.value.line()
    assert "\n" not in caught.value.line()


def test_a_yaml_timestamp_answers_a_date_question() -> None:
    import yaml

    doc = yaml.safe_load("answers: {OPS-02: 2026-10-01 10:00:00}")
    (given,) = q.parse_answers(doc, q.load_template(), (), "a.yaml", TODAY)
    assert given.value == "2026-10-01"
    late = yaml.safe_load("answers: {OPS-02: 2027-10-01 10:00:00}")
    with pytest.raises(DatawardError, match="in the future"):
        q.parse_answers(late, q.load_template(), (), "a.yaml", TODAY)


def test_answers_are_normalised() -> None:
    given = _parse(
        {
            "GOV-01": {"answer": True, "evidence": "soc2.pdf", "comment": "Type II"},
            "DAT-05": False,
            "INC-02": "Tested",
            "OPS-01": "14",
            "OPS-02": date(2026, 3, 1),
            "GOV-04": None,  # left blank in a skeleton
        },
        ("soc2.pdf",),
    )
    values = {g.question: g.value for g in given}
    assert values == {
        "GOV-01": "yes",
        "DAT-05": "no",
        "INC-02": "tested",
        "OPS-01": 14,
        "OPS-02": "2026-03-01",
    }
    assert given[0].evidence == ("soc2.pdf",)


def _answered(
    vendor: VendorFacts, values: dict[str, object], proof: tuple[str, ...] = ()
) -> VendorFacts:
    answers = {k: Answer(k, v, "", proof) for k, v in values.items()}
    return VendorFacts(**{**vendor.__dict__, "answers": answers})


def test_gaps_follow_tier_applicability_bad_answers_and_evidence() -> None:
    template = q.load_template()
    low = _v(data_categories=())
    required_low = {x.id for x in template.questions if x.required(low)}
    assert required_low == {"GOV-02", "DAT-03", "INC-01"}
    networked = _v(data_categories=(), access=("network",))
    assert "ACC-03" in {x.id for x in template.questions if x.required(networked)}
    card = _v(data_categories=("PCI",), clients=("northbank",))
    assert card.tier == "high"
    assert {"PCI-01", "OPS-02"} <= {x.id for x in template.questions if x.required(card)}
    filled = _answered(low, {"GOV-02": "sec@vendor.example", "DAT-03": "yes", "INC-01": 24})
    assert q.gaps(template, filled, TODAY) == []
    bad = _answered(low, {"GOV-02": "x", "DAT-03": "no", "INC-01": 72, "DAT-05": "yes"})
    problems = {(g.question, g.problem) for g in q.gaps(template, bad, TODAY)}
    assert problems == {
        ("DAT-03", "bad answer"),
        ("INC-01", "bad answer"),
        ("DAT-05", "bad answer"),
    }
    old_test = _answered(card, {"OPS-02": "2025-01-10", "GOV-01": "yes"}, ())
    found = {g.question: g.problem for g in q.gaps(template, old_test, TODAY)}
    assert found["OPS-02"] == "bad answer"  # older than 400 days
    assert found["GOV-01"] == "evidence missing"
    assert found["PCI-01"] == "unanswered"


def test_diligence_rule_warns_without_answers_and_fails_on_gaps() -> None:
    template = q.load_template()
    low = _v(data_categories=())
    none, gappy, done, stale = diligence(
        [
            low,
            _answered(low, {"DAT-03": "no"}),
            _answered(low, {"GOV-02": "x", "DAT-03": "yes", "INC-01": 24}),
            VendorFacts(
                **{
                    **_answered(low, {"GOV-02": "x", "DAT-03": "yes", "INC-01": 24}).__dict__,
                    "answered_on": date(2023, 1, 1),
                }
            ),
        ],
        template,
        TODAY,
    )
    assert none.status == "warning"
    assert "no due-diligence questionnaire" in none.summary
    assert gappy.status == "fail"
    assert {e["question"] for e in gappy.evidence} == {"DAT-03", "GOV-02", "INC-01"}
    assert done.status == "pass"
    assert stale.status == "warning"


def test_skeleton_parses_back_as_unanswered() -> None:
    import yaml

    template = q.load_template()
    doc = yaml.safe_load(q.skeleton(template, "Acme: Ltd"))
    assert doc["vendor"] == "Acme: Ltd"
    assert set(doc["answers"]) == {x.id for x in template.questions}
    assert q.parse_answers(doc, template, (), "s.yaml", TODAY) == []


@pytest.mark.parametrize(
    ("values", "one", "expected"),
    [
        (["vendor"], True, ("vendor",)),
        (["Vendor, operation"], False, ("vendor", "operation")),
        (["client", "client"], False, ("client",)),
    ],
)
def test_parties(values: list[str], one: bool, expected: tuple[str, ...]) -> None:
    assert r.parties(values, "--responsible", one) == expected


@pytest.mark.parametrize(
    ("values", "one", "words"),
    [
        (["vendor,client"], True, "exactly one party"),
        (["supplier"], False, "'supplier' is not a party"),
        ([], False, "no party given"),
    ],
)
def test_bad_parties(values: list[str], one: bool, words: str) -> None:
    with pytest.raises(DatawardError, match=words):
        r.parties(values, "--accountable", one)


def test_matrix_lists_defaults_then_own_activities() -> None:
    assert r.activity_name("Log Retention") == "log_retention"
    own = r.Assignment("pen_testing", ("vendor",), "operation")
    rows = r.matrix(
        {"patching": r.Assignment("patching", ("vendor",), "vendor"), "pen_testing": own}
    )
    assert rows[0] == r.Assignment("patching", ("vendor",), "vendor")
    assert rows[1:7] == list(r.ACTIVITIES)[1:]
    assert rows[-1] == own
    with pytest.raises(DatawardError):
        r.activity_name("!")


@pytest.mark.parametrize(
    ("given", "option", "words"),
    [
        ({"clients": ["northbank;acme"]}, "--client", "unknown client 'acme'"),
        ({"data_categories": ["PII", "cards"]}, "--category", "unknown category 'CARDS'"),
        ({"access": ["root"]}, "--access", "unknown access 'root'"),
        ({"owner": "somebody"}, "--owner", "neither a dataward user nor an e-mail"),
        ({"declared_tier": "extreme"}, "--tier", "not a tier"),
        ({"last_review": date(2027, 1, 1)}, "--last-review", "in the future"),
        (
            {"last_review": date(2026, 5, 1), "next_review_due": date(2026, 4, 1)},
            "--next-review",
            "not after last_review",
        ),
        ({"dpa_signed": False, "dpa_date": date(2026, 1, 1)}, "--dpa/--no-dpa", "DPA date"),
        ({"owner": "a" * 250 + "@x.example"}, "--owner", "260 characters long, over 254"),
        ({"services": ["Admin\x00support"]}, "--service", "NUL character"),
    ],
)
def test_option_errors_name_the_option(given: dict[str, object], option: str, words: str) -> None:
    with pytest.raises(DatawardError) as caught:
        from_options("Acme", given, KNOWN, TODAY)
    assert caught.value.where == option
    assert words in caught.value.what


def test_options_are_normalised() -> None:
    spec = from_options(
        "  Acme   Ltd ",
        {
            "clients": ["Northbank, carewell"],
            "data_categories": ["pii", "government id"],
            "access": ["none"],
            "owner": "Sec@Acme.Example",
            "declared_tier": "Critical",
            "dpa_date": date(2025, 2, 1),
        },
        KNOWN,
        TODAY,
    )
    assert spec.name == "Acme Ltd"
    assert spec.fields == {
        "clients": ("northbank", "carewell"),
        "data_categories": ("PII", "GOVERNMENT_ID"),
        "access": (),
        "owner": "sec@acme.example",
        "declared_tier": "high",
        "dpa_date": date(2025, 2, 1),
        "dpa_signed": True,
    }


def test_a_name_too_long_for_the_store_names_the_argument() -> None:
    with pytest.raises(DatawardError) as caught:
        from_options("V" * 201, {}, KNOWN, TODAY)
    assert (caught.value.where, caught.value.what) == ("VENDOR", "is 201 characters long, over 200")


def test_no_dpa_clears_the_dpa_date() -> None:
    assert from_options("Acme", {"dpa_signed": False}, KNOWN, TODAY).fields == {
        "dpa_signed": False,
        "dpa_date": None,
    }
