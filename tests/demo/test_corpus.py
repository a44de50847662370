"""The labeled corpus is deterministic, its labels are exact and valid, and scoring is right."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from stdnum import iban, luhn
from stdnum.gb import nhs
from stdnum.in_ import aadhaar, pan
from stdnum.us import ssn

from dataward.demo.engine import identifiers as ids
from dataward.demo.engine.corpus import LabeledDoc, Span, generate_corpus, write_corpus
from dataward.demo.engine.corpus_eval import mask_text, metrics, score
from dataward.demo.engine.corpus_noise import TEST_CARDS
from dataward.demo.engine.corpus_values import is_valid_phone
from dataward.discovery.engine.types import ENTITIES, Detection

EMAIL = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
PERSON = re.compile(r"^[A-Z][A-Za-z'-]*( [A-Z][A-Za-z'-]*)*$")
SECRET_SHAPES = (
    r"AKIA[A-Z2-7]{16}",
    r"[A-Za-z0-9+/]{40}",
    r"ghp_[A-Za-z0-9]{36}",
    r"github_pat_\w{82}",
    r"xoxb-\d+-\d+-\w+",
    r"[sr]k_live_\w+",
    r"[0-9a-f]{32}",
    r"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n"
    r"-----END ([A-Z]+ )?PRIVATE KEY-----",
    r"[A-Za-z0-9!#$*_-]{10,}",
)
DOB_FORMATS = ("%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%d-%b-%Y")
DOB_FORMATS += ("%d-%m-%Y", "%d.%m.%Y", "%d %b %Y")
BIRTH_WORDS = ("birth", "dob", "d.o.b", "born")


def _compact(value: str) -> str:
    return re.sub(r"[ -]", "", value)


def _dob(value: str) -> bool:
    for fmt in DOB_FORMATS:
        try:
            year = datetime.strptime(value, fmt).year
        except ValueError:
            continue
        return 1950 <= year <= 2007
    return False


def _card(value: str) -> bool:
    digits = _compact(value)
    return luhn.is_valid(digits) and len(digits) in (15, 16) and digits not in ids.TEST_CARDS


def _secret(value: str) -> bool:
    return any(re.fullmatch(shape, value) for shape in SECRET_SHAPES)


VALID: dict[str, Callable[[str, str], bool]] = {
    "EMAIL_ADDRESS": lambda v, _: bool(EMAIL.match(v)),
    "PHONE_NUMBER": is_valid_phone,
    "CREDIT_CARD": lambda v, _: _card(v),
    "US_SSN": lambda v, _: (
        ssn.is_valid(_compact(v)) and bool(re.fullmatch(r"\d{3}[- ]\d\d[- ]\d{4}", v))
    ),
    "IBAN_CODE": lambda v, _: iban.is_valid(v),
    "IP_ADDRESS": lambda v, _: bool(ipaddress.ip_address(v)),
    "US_BANK_NUMBER": lambda v, _: bool(re.fullmatch(r"\d{8,17}", v)),
    "US_PASSPORT": lambda v, _: bool(re.fullmatch(r"\d{9}|[A-Z]\d{8}", v)),
    "UK_NHS": lambda v, _: nhs.is_valid(_compact(v)),
    "UK_NINO": lambda v, _: ids.is_uk_nino(v),
    "IN_AADHAAR": lambda v, _: aadhaar.is_valid(_compact(v)),
    "IN_PAN": lambda v, _: pan.is_valid(v),
    "PH_TIN": lambda v, _: bool(re.fullmatch(r"[1-9]\d\d-\d{3}-\d{3}(-\d{3})?", v)),
    "PH_SSS": lambda v, _: ids.is_ph_sss(v),
    "DATE_OF_BIRTH": lambda v, _: _dob(v),
    "SECRET": lambda v, _: _secret(v),
    "PERSON": lambda v, _: bool(PERSON.match(v)),
}


@pytest.fixture(scope="module")
def corpus() -> list[LabeledDoc]:
    return generate_corpus(300)


def test_same_seed_gives_the_same_documents() -> None:
    first = generate_corpus(40, seed=5)
    assert first == generate_corpus(40, seed=5)
    assert first[:10] == generate_corpus(10, seed=5)
    assert [d.text for d in first] != [d.text for d in generate_corpus(40, seed=6)]


def _digest(n: int) -> str:
    return hashlib.sha256("".join(d.text for d in generate_corpus(n)).encode()).hexdigest()


def test_documents_do_not_depend_on_the_process() -> None:
    code = "from test_corpus import _digest; print(_digest(30))"
    env = {**os.environ, "PYTHONHASHSEED": "123", "PYTHONPATH": str(Path(__file__).parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == _digest(30)


def test_every_entity_type_appears(corpus: list[LabeledDoc]) -> None:
    seen = {s.entity_type for d in corpus for s in d.spans}
    assert seen == set(ENTITIES)
    assert {d.region for d in corpus} == {"US", "GB", "IN", "PH"}
    assert len({d.kind for d in corpus}) >= 10


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_labeled_value_is_valid(corpus: list[LabeledDoc], entity: str) -> None:
    bad = [
        mask_text(d.text[s.start : s.end])
        for d in corpus
        for s in d.spans
        if s.entity_type == entity and not VALID[entity](d.text[s.start : s.end], d.region)
    ]
    assert not bad, bad[:5]


def test_spans_are_exact_ordered_and_disjoint(corpus: list[LabeledDoc]) -> None:
    for doc in corpus:
        previous_end = 0
        for span in doc.spans:
            value = doc.text[span.start : span.end]
            assert value, doc.name
            assert value == value.strip(), doc.name
            assert span.start >= previous_end, doc.name
            previous_end = span.end


def test_dates_of_birth_have_birth_context(corpus: list[LabeledDoc]) -> None:
    for doc in corpus:
        header = doc.text.split("\n", 1)[0].lower()
        for span in (s for s in doc.spans if s.entity_type == "DATE_OF_BIRTH"):
            before = doc.text[max(0, span.start - 40) : span.start].lower()
            assert any(w in before or w in header for w in BIRTH_WORDS), doc.name


def test_density_varies(corpus: list[LabeledDoc]) -> None:
    counts = [len(d.spans) for d in corpus]
    assert sum(c <= 2 for c in counts) >= len(corpus) // 20
    assert sum(c >= 20 for c in counts) >= len(corpus) // 10


NEGATIVES = {
    "test card": r"4111 1111 1111 1111|4242 4242 4242 4242|5555 5555 5555 4444",
    "message id": r"<[A-Za-z0-9]+\.\d+@[a-z0-9.-]+>",
    "order number": r"ORD-2026-\d{6}|\d{3}-\d{7}-\d{7}",
    "invoice": r"INV-\d{6}|BILL-\d{6}",
    "ticket": r"\b(INC|REQ)\d{7}\b",
    "version": r"\bv\d+\.\d+\.\d+\b|\b10\.0\.\d{5}\b",
    "timestamp": r"\b20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ",
    "epoch": r"(?<=cursor=)\d+|(?<=\"updated\": )\d+",
    "sku": r"SKU-\d{5}-[A-Z]+",
    "tracking": r"\b1Z[A-Z0-9]{16}\b|9400( \d{4}){4} \d\d",
    "amount": r"(\$|GBP |INR |PHP )[\d,]+\.\d\d",
    "hostname": r"\b[a-z0-9-]+\.(corp\.internal|ops\.local|mcs\.lan)\b",
    "company": r"Northbank Card Services|Carewell Health Partners|Telora Mobile",
    "phrase": r"Customer Service",
    "uuid": r"\b[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\b",
    "example key": r"AKIA[A-Z2-7]{9}EXAMPLE",
    "non-birth date": r"(on|by|Date:) \d\d/\d\d/20\d\d",
    "bad ssn": r"\b(000|666|9\d\d)-\d\d-\d{4}\b|\b\d{3}-00-\d{4}\b|\b\d{3}-\d\d-0000\b",
    "claim": r"CLM-2026-\d{6}",
    "bad card": r"(?<=Ref number )\d{4} \d{4} \d{4} \d{4}",
}


@pytest.mark.parametrize(("label", "pattern"), NEGATIVES.items())
def test_hard_negatives_are_present_and_unlabeled(
    corpus: list[LabeledDoc], label: str, pattern: str
) -> None:
    found = 0
    for doc in corpus:
        for m in re.finditer(pattern, doc.text):
            found += 1
            hits = [s for s in doc.spans if s.start < m.end() and m.start() < s.end]
            assert not hits, (label, doc.name)
    assert found, label


@pytest.mark.parametrize(
    ("pattern", "valid"),
    [
        (r"(?<![\d-])\d{4}([ -]?)\d{4}\1\d{4}\1\d{4}(?![\d-]| \d)", luhn.is_valid),
        (r"(?<![\d-])\d{3}-\d\d-\d{4}(?![\d-])", ssn.is_valid),
    ],
)
def test_unlabeled_look_alikes_fail_their_checks(
    corpus: list[LabeledDoc], pattern: str, valid: Callable[[str], bool]
) -> None:
    for doc in corpus:
        for m in re.finditer(pattern, doc.text):
            if any(s.start <= m.start() and m.end() <= s.end for s in doc.spans):
                continue
            assert not valid(_compact(m.group())) or m.group() in TEST_CARDS, doc.name


def _t(entity: str, start: int, end: int) -> Span:
    return Span(entity, start, end)


def _p(entity: str, start: int, end: int) -> Detection:
    return Detection(entity, start, end, 0.9)


@pytest.mark.parametrize(
    ("truth", "predicted", "expected"),
    [
        ([_t("US_SSN", 0, 11)], [_p("US_SSN", 0, 11)], {"US_SSN": (1, 0, 0)}),
        ([_t("US_SSN", 0, 10)], [_p("US_SSN", 5, 20)], {"US_SSN": (1, 0, 0)}),
        ([_t("US_SSN", 0, 10)], [_p("US_SSN", 6, 20)], {"US_SSN": (0, 1, 1)}),
        ([_t("US_SSN", 0, 11)], [_p("PH_TIN", 0, 11)], {"US_SSN": (0, 0, 1), "PH_TIN": (0, 1, 0)}),
        ([_t("PERSON", 0, 8)], [_p("PERSON", 0, 8), _p("PERSON", 0, 4)], {"PERSON": (1, 1, 0)}),
        ([_t("PERSON", 0, 4), _t("PERSON", 5, 9)], [_p("PERSON", 0, 9)], {"PERSON": (1, 0, 1)}),
        ([], [_p("EMAIL_ADDRESS", 3, 9)], {"EMAIL_ADDRESS": (0, 1, 0)}),
        ([_t("SECRET", 10, 50)], [], {"SECRET": (0, 0, 1)}),
    ],
)
def test_score_matches_spans(
    truth: list[Span], predicted: list[Detection], expected: dict[str, tuple[int, int, int]]
) -> None:
    got = {k: (v["tp"], v["fp"], v["fn"]) for k, v in score(truth, predicted).items()}
    assert got == expected


def test_metrics_compute_f1_and_micro() -> None:
    table = metrics({"US_SSN": {"tp": 3, "fp": 1, "fn": 1}, "PERSON": {"tp": 1, "fp": 0, "fn": 3}})
    assert table["US_SSN"]["precision"] == pytest.approx(0.75)
    assert table["US_SSN"]["f1"] == pytest.approx(0.75)
    assert table["PH_SSS"]["support"] == 0
    assert table["micro"]["tp"] == 4
    assert table["micro"]["recall"] == pytest.approx(0.5)


def test_mask_text_hides_letters_and_digits() -> None:
    assert mask_text("AB 12-c") == "XX 99-x"


@pytest.mark.parametrize("total", [150_000, 1_200_000])
def test_write_corpus_writes_about_the_requested_size(tmp_path: Path, total: int) -> None:
    stats = write_corpus(tmp_path, total_bytes=total)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    assert stats.files == len(files)
    assert stats.bytes == size
    assert total <= size < total * 1.02 + 20_000
    assert {p.suffix for p in files} == {".txt", ".csv", ".eml", ".log", ".json"}


def test_generation_is_fast() -> None:
    start = time.perf_counter()
    generate_corpus(500, seed=3)
    assert time.perf_counter() - start < 5


def test_plain_documents_hold_nothing_and_raise_nothing() -> None:
    from dataward.demo.engine.corpus import make_plain_doc
    from dataward.discovery import detect

    docs = [make_plain_doc(i, seed=5) for i in range(60)]
    assert {d.kind for d in docs} == {"app_log", "work_note"}
    assert all(d.spans == () for d in docs)
    raised = [(d.name, x.entity_type) for d in docs for x in detect(d.text) if x.score >= 0.5]
    assert raised == []


def test_write_corpus_mixes_plain_files_by_share(tmp_path) -> None:
    from dataward.demo.engine.corpus import write_corpus

    stats = write_corpus(tmp_path, total_bytes=300_000, seed=3, sensitive_share=0.2)
    names = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    plain = sum("_plain." in n for n in names)
    assert stats.files == len(names)
    assert 0.6 < plain / len(names) < 0.95
