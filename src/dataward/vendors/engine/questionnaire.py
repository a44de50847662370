"""The due-diligence questionnaire: load the template, validate answers, list the gaps."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from dataward.errors import DatawardError
from dataward.vendors.engine.model import ACCESS_KINDS, TIERS, Answer, VendorFacts

TEMPLATE = Path(__file__).resolve().parents[1] / "questionnaire.yaml"
TYPES = ("yes_no", "choice", "number", "date", "text")
YES = frozenset({"yes", "y", "true"})
NO = frozenset({"no", "n", "false"})
QUESTION_KEYS = frozenset(
    {
        "id", "text", "type", "options", "unit", "required_for", "applies_if", "bad", "bad_above",
        "bad_below", "bad_older_than_days", "evidence", "finding",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Question:
    """One question of the template."""

    id: str
    section: str
    text: str
    type: str
    required_for: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # applies only to vendors holding one of these
    access: tuple[str, ...] = ()  # applies only to vendors with one of these access kinds
    bad: tuple[str, ...] = ()
    bad_above: float | None = None
    bad_below: float | None = None
    bad_older_than_days: int | None = None
    evidence: bool = False
    finding: str = ""

    def applies(self, vendor: VendorFacts) -> bool:
        """Return whether the question concerns this vendor at all."""
        if self.categories and not set(self.categories) & set(vendor.data_categories):
            return False
        return not self.access or bool(set(self.access) & set(vendor.access))

    def required(self, vendor: VendorFacts) -> bool:
        """Return whether the vendor must answer it at its tier."""
        return vendor.tier in self.required_for and self.applies(vendor)

    def is_bad(self, value: Any, today: date) -> bool:
        """Return whether an answer is a finding."""
        if self.type in ("yes_no", "choice"):
            return str(value) in self.bad
        if self.type == "number":
            above = self.bad_above is not None and float(value) > self.bad_above
            return above or (self.bad_below is not None and float(value) < self.bad_below)
        if self.type == "date" and self.bad_older_than_days is not None:
            answered = value if isinstance(value, date) else date.fromisoformat(str(value))
            return answered < today - timedelta(days=self.bad_older_than_days)
        return False


@dataclass(frozen=True)
class Template:
    """The questionnaire: its version, sections and questions in order."""

    version: str
    title: str
    sections: tuple[tuple[str, str], ...]
    questions: tuple[Question, ...]

    def question(self, qid: str) -> Question | None:
        """Return the question with this id, if any."""
        return next((q for q in self.questions if q.id == qid), None)


@dataclass(frozen=True)
class Gap:
    """One thing missing or wrong in a vendor's answers."""

    question: str
    section: str
    problem: str  # unanswered, bad answer, evidence missing
    detail: str


def load_template(path: Path = TEMPLATE) -> Template:
    """Load and validate a questionnaire template, naming the question at fault."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        raise DatawardError("is not a readable YAML file", str(path), "fix the file") from None
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        raise DatawardError("has no list of sections", str(path), "see the shipped template")
    sections, questions = [], []
    for section in data["sections"]:
        sid, title = str(section.get("id", "")), str(section.get("title", ""))
        sections.append((sid, title))
        for raw in section.get("questions") or []:
            questions.append(_question(raw, sid, path))
    ids = [q.id for q in questions]
    repeated = next((i for i in ids if ids.count(i) > 1), None)
    if repeated:
        raise DatawardError(f"question {repeated} appears twice", str(path), "give unique ids")
    return Template(
        str(data.get("version", "")), str(data.get("title", "")), tuple(sections), tuple(questions)
    )


def _question(raw: Any, section: str, path: Path) -> Question:
    """Return one validated question of a template."""
    qid = str(raw.get("id", "")) if isinstance(raw, dict) else ""
    where = f"{path}, question {qid or '?'}"
    if not qid or not isinstance(raw, dict):
        raise DatawardError("a question needs an id", where, "add id: XXX-01")
    extra = sorted(set(raw) - QUESTION_KEYS)
    if extra:
        raise DatawardError(f"unknown key {extra[0]!r}", where, f"use {sorted(QUESTION_KEYS)}")
    if raw.get("type") not in TYPES:
        raise DatawardError("type must be one of " + ", ".join(TYPES), where, "fix the type")
    tiers = tuple(raw.get("required_for") or ())
    if not set(tiers) <= set(TIERS):
        raise DatawardError("required_for takes low, medium, high", where, "fix the list")
    applies = raw.get("applies_if") or {}
    if not set(applies) <= {"categories", "access"} or not set(applies.get("access", ())) <= set(
        ACCESS_KINDS
    ):
        raise DatawardError("applies_if takes categories and access", where, "fix it")
    options = tuple(str(o) for o in raw.get("options") or ())
    bad = tuple(str(b) for b in raw.get("bad") or ())
    allowed = options if raw["type"] == "choice" else ("yes", "no")
    if raw["type"] in ("yes_no", "choice") and not set(bad) <= set(allowed):
        raise DatawardError("bad names an answer the question cannot take", where, "fix it")
    return Question(
        id=qid,
        section=section,
        text=" ".join(str(raw.get("text", "")).split()),
        type=raw["type"],
        required_for=tiers,
        options=options,
        categories=tuple(applies.get("categories", ())),
        access=tuple(applies.get("access", ())),
        bad=bad,
        bad_above=raw.get("bad_above"),
        bad_below=raw.get("bad_below"),
        bad_older_than_days=raw.get("bad_older_than_days"),
        evidence=raw.get("evidence") == "required",
        finding=str(raw.get("finding", "")),
    )


@dataclass(frozen=True)
class Given:
    """One answer read from an answers file, before it is stored."""

    question: str
    value: Any
    comment: str
    evidence: tuple[str, ...]  # file names, each given with --evidence


def parse_answers(
    data: Any, template: Template, evidence_names: Sequence[str], where: str, today: date
) -> list[Given]:
    """Validate an answers document; each error names the question id."""
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise DatawardError("has no 'answers' mapping", where, "write answers: {GOV-01: yes, ...}")
    extra = sorted(set(data) - {"vendor", "answered_on", "answers"})
    if extra:
        raise DatawardError(f"unknown key {extra[0]!r}", where, "use vendor, answered_on, answers")
    out = []
    for qid, raw in data["answers"].items():
        question = template.question(str(qid))
        at = f"{where}, question {qid}"
        if question is None:
            raise DatawardError(
                "is not in the questionnaire", at, "see vendors questionnaire template"
            )
        entry = raw if isinstance(raw, dict) else {"answer": raw}
        unknown = sorted(set(entry) - {"answer", "comment", "evidence"})
        if unknown:
            raise DatawardError(f"unknown key {unknown[0]!r}", at, "use answer, comment, evidence")
        if entry.get("answer") is None:
            continue  # left blank (e.g. in a skeleton): unanswered
        cited = _cited(entry.get("evidence"), evidence_names, at)
        value = _value(question, entry["answer"], at, today)
        comment = str(entry.get("comment") or "")
        if "\x00" in comment:
            raise DatawardError("comment holds a NUL character", at, "remove it")
        out.append(Given(question.id, value, comment, cited))
    return out


def _cited(raw: Any, evidence_names: Sequence[str], at: str) -> tuple[str, ...]:
    """Return the evidence file names an answer cites; each must be given with --evidence."""
    cited = [raw] if isinstance(raw, str) else raw or []
    if not isinstance(cited, list) or not all(isinstance(c, str | int) for c in cited):
        raise DatawardError("evidence is not a list of file names", at, "write [file.pdf, ...]")
    missing = [str(c) for c in cited if str(c) not in evidence_names]
    if missing:
        raise DatawardError(
            f"cites evidence {missing[0]!r} not given", at, "add it with --evidence FILE"
        )
    return tuple(str(c) for c in cited)


def _value(q: Question, raw: Any, at: str, today: date) -> Any:
    """Return an answer in its stored form, or fail naming the question."""
    text = str(raw).strip().lower() if not isinstance(raw, bool) else ("yes" if raw else "no")
    if q.type == "yes_no":
        if text in YES | NO:
            return "yes" if text in YES else "no"
        raise DatawardError("answer is not yes or no", at, "write yes or no")
    if q.type == "choice":
        match = next((o for o in q.options if o.lower() == text), None)
        if match is None:
            raise DatawardError(
                "answer is not one of the options", at, f"use {', '.join(q.options)}"
            )
        return match
    if q.type == "number":
        if isinstance(raw, bool) or not _number(raw) or not 0 <= float(raw) < math.inf:
            raise DatawardError("answer is not a number of 0 or more", at, "write e.g. 14")
        return float(raw) if not float(raw).is_integer() else int(float(raw))
    if q.type == "date":
        try:
            day = as_day(raw)
        except ValueError:
            raise DatawardError("answer is not a date", at, "write YYYY-MM-DD") from None
        if day > today:
            raise DatawardError("answer is a date in the future", at, "give the date it happened")
        return day.isoformat()
    if not str(raw).strip():
        raise DatawardError("answer is empty", at, "write the answer or leave it out")
    if "\x00" in str(raw):
        raise DatawardError("answer holds a NUL character", at, "remove it")
    return str(raw).strip()


def as_day(raw: Any) -> date:
    """Return a YAML date or timestamp, or YYYY-MM-DD text, as a date (else ValueError)."""
    if isinstance(raw, datetime):
        return raw.date()
    return raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())


def _number(raw: Any) -> bool:
    try:
        float(raw)
    except (TypeError, ValueError):
        return False
    return True


def gaps(template: Template, vendor: VendorFacts, today: date) -> list[Gap]:
    """Return what the vendor's answers lack for its tier: unanswered, bad, unevidenced."""
    out = []
    for q in template.questions:
        answer: Answer | None = vendor.answers.get(q.id)
        if answer is None:
            if q.required(vendor):
                out.append(Gap(q.id, q.section, "unanswered", f"required at {vendor.tier} tier"))
            continue
        if not q.applies(vendor):
            continue
        if q.is_bad(answer.value, today):
            out.append(Gap(q.id, q.section, "bad answer", q.finding or f"answered {answer.value}"))
        elif q.evidence and not answer.evidence:
            out.append(Gap(q.id, q.section, "evidence missing", "a good answer needs evidence"))
    return out


def skeleton(template: Template, vendor: str = "") -> str:
    """Return an answers file to fill in: every question id with its text as a comment."""
    named = f"vendor: {json.dumps(vendor)}" if vendor else "# vendor: VENDOR NAME"
    lines = [named, "answered_on:  # YYYY-MM-DD; empty means today", "answers:"]
    for q in template.questions:
        kind = f"one of {', '.join(q.options)}" if q.type == "choice" else q.type
        lines.append(f"  # {q.text} ({kind})")
        lines.append(f"  {q.id}:")
    return "\n".join(lines) + "\n"
