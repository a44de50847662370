"""Read an existing risk register (CSV or XLSX) into drafts, with errors naming row and field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dataward.core.engine.tabular import Row, quoted, read_rows, shape
from dataward.errors import DatawardError
from dataward.risks.engine import scoring

COLUMNS: dict[str, tuple[str, ...]] = {
    "external_ref": ("id", "risk_id", "ref", "reference", "risk_ref", "risk_no", "no"),
    "title": ("risk", "risk_title", "name", "risk_name", "summary"),
    "description": ("details", "risk_description", "cause"),
    "category": ("type", "risk_category", "risk_type"),
    "likelihood": ("probability", "inherent_likelihood", "l"),
    "impact": ("consequence", "inherent_impact", "i"),
    "residual_likelihood": ("residual_probability",),
    "residual_impact": ("residual_consequence",),
    "owner": ("risk_owner", "responsible", "owned_by"),
    "treatment": ("response", "strategy", "risk_response", "treatment_option"),
    "plan": ("treatment_plan", "mitigation", "action_plan", "actions", "controls_planned"),
    "due": ("due_date", "target_date", "deadline", "treatment_due"),
    "status": ("risk_status", "state"),
    "accepted_by": ("approver", "approved_by", "acceptance_approver"),
    "acceptance_expires": ("acceptance_expiry", "accepted_until", "expiry"),
    "controls": ("control", "control_ids", "linked_controls"),
}
REQUIRED = ("external_ref", "title", "likelihood", "impact")
MAX_LENGTH = {"external_ref": 64, "owner": 254, "accepted_by": 150}
"""The longest text each short field holds (PostgreSQL refuses longer; name the cell first)."""
STATUS_WORDS = {
    "open": "open", "new": "open", "in progress": "open", "in_progress": "open",
    "identified": "open", "treating": "open", "accepted": "accepted", "closed": "closed",
    "resolved": "closed", "retired": "closed",
}  # fmt: skip


@dataclass(frozen=True)
class Draft:
    """One imported risk, validated."""

    row: int
    external_ref: str
    title: str
    description: str
    category: str
    likelihood: int
    impact: int
    residual_likelihood: int | None
    residual_impact: int | None
    owner: str
    treatment: str
    plan: str
    due: date | None
    status: str
    accepted_by: str
    acceptance_expires: date | None
    controls: tuple[str, ...]


def read(path: Path, mapping: Mapping[str, str] | None = None) -> Iterator[Draft]:
    """Yield one draft per data row; the first bad cell raises a one-line error."""
    seen: dict[str, int] = {}
    for row in read_rows(path, COLUMNS, REQUIRED, mapping or {}):
        draft = _draft(row)
        if draft.external_ref in seen:
            raise row.error(
                "external_ref",
                f"{quoted(draft.external_ref)} repeats row {seen[draft.external_ref]}",
                "give each risk its own id",
            )
        seen[draft.external_ref] = row.number
        yield draft


def _level(row: Row, name: str, words: dict[str, int], required: bool) -> int | None:
    """Return a 1-5 level from a cell, or None when an optional cell is empty."""
    text = row.text(name, required=required)
    if not text:
        return None
    try:
        return scoring.level(text, words, name)
    except DatawardError as exc:
        raise row.error(name, f"is not 1-5 ({shape(text)})", exc.hint or "write 1-5") from None


def _pick(row: Row, name: str, convert: object, default: str) -> str:
    """Return a closed-list cell converted, or the default when empty."""
    text = row.text(name)
    if not text:
        return default
    try:
        return convert(text)  # type: ignore[operator,no-any-return]
    except DatawardError as exc:
        raise row.error(
            name, f"is unknown ({shape(text)})", exc.hint or "see docs/risks.md"
        ) from None


def _status(row: Row) -> str:
    """Return open, accepted or closed from the register's own status words."""
    text = row.text("status").lower()
    if not text:
        return "open"
    if text not in STATUS_WORDS:
        raise row.error("status", f"is unknown ({shape(text)})", "write open, accepted or closed")
    return STATUS_WORDS[text]


def _bounded(row: Row, name: str, required: bool = False) -> str:
    """Return a cell's text, refusing one longer than the register stores."""
    text = row.text(name, required=required)
    if len(text) > MAX_LENGTH[name]:
        raise row.error(
            name,
            f"is longer than {MAX_LENGTH[name]} characters",
            "shorten it or map another column",
        )
    return text


def _draft(row: Row) -> Draft:
    """Validate one row."""
    likelihood = _level(row, "likelihood", scoring.LIKELIHOOD_WORDS, True) or 1
    impact = _level(row, "impact", scoring.IMPACT_WORDS, True) or 1  # required: never empty
    ref = _bounded(row, "external_ref", required=True)
    return Draft(
        row=row.number,
        external_ref=ref,
        title=row.text("title", required=True)[:200],
        description=row.text("description"),
        category=_pick(row, "category", scoring.category, "audit"),
        likelihood=likelihood,
        impact=impact,
        residual_likelihood=_level(row, "residual_likelihood", scoring.LIKELIHOOD_WORDS, False),
        residual_impact=_level(row, "residual_impact", scoring.IMPACT_WORDS, False),
        owner=_bounded(row, "owner"),
        treatment=_pick(
            row,
            "treatment",
            lambda t: scoring.choice(t, scoring.TREATMENTS, "treatment"),
            "mitigate",
        ),
        plan=row.text("plan"),
        due=row.day("due"),
        status=_status(row),
        accepted_by=_bounded(row, "accepted_by"),
        acceptance_expires=row.day("acceptance_expires"),
        controls=tuple(c.upper() for c in row.items("controls")),
    )
