"""Score risks on a 5 x 5 likelihood x impact scale and draw the heat map."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dataward.errors import DatawardError

LEVELS = (1, 2, 3, 4, 5)
CATEGORIES = ("service_continuity", "contractual", "audit", "client_trust", "regulatory")
TREATMENTS = ("mitigate", "accept", "transfer", "avoid")
STATUSES = ("open", "proposed_closure", "accepted", "closed")
#: Words registers commonly use for the five levels, mapped to 1..5.
LIKELIHOOD_WORDS = {
    "rare": 1, "very low": 1, "unlikely": 2, "low": 2, "possible": 3, "medium": 3,
    "moderate": 3, "likely": 4, "high": 4, "almost certain": 5, "very high": 5, "certain": 5,
}  # fmt: skip
IMPACT_WORDS = {
    "insignificant": 1, "negligible": 1, "very low": 1, "minor": 2, "low": 2, "moderate": 3,
    "medium": 3, "major": 4, "high": 4, "severe": 5, "critical": 5, "very high": 5,
    "catastrophic": 5,
}  # fmt: skip
#: A failing check's severity gives the likelihood and impact of the risk it raises.
SEVERITY_LEVELS = {"critical": (4, 5), "high": (4, 4), "medium": (3, 3), "low": (2, 2)}
#: Days allowed to treat a risk raised from a failing control, by severity.
TREATMENT_DAYS = {"critical": 14, "high": 30, "medium": 60, "low": 90}
#: The register category a control area's failures fall under.
AREA_CATEGORY = {
    "data_awareness": "regulatory",
    "access_control": "client_trust",
    "identity_protection": "client_trust",
    "device_endpoint": "service_continuity",
    "encryption_transmission": "regulatory",
    "logging_monitoring": "audit",
    "retention_disposal": "regulatory",
    "process_discipline": "contractual",
    "training": "audit",
    "vendor_client": "contractual",
    "incident_readiness": "regulatory",
    "risk_governance": "audit",
}
BANDS = ((20, "critical"), (12, "high"), (6, "medium"), (1, "low"))


def score(likelihood: int, impact: int) -> int:
    """Return likelihood x impact (1..25)."""
    return likelihood * impact


def band(value: int) -> str:
    """Return the rating band of a score: low, medium, high or critical."""
    return next(name for floor, name in BANDS if value >= floor)


def level(value: str | int, words: dict[str, int], what: str) -> int:
    """Return a level 1..5 from a number or a common word, or a one-line error."""
    text = str(value).strip().lower()
    if text.isdigit() and int(text) in LEVELS:
        return int(text)
    if text in words:
        return words[text]
    raise DatawardError(
        f"{what} {value!r} is not 1-5", what, f"write 1-5 or one of: {', '.join(sorted(words))}"
    )


def category(value: str) -> str:
    """Return a register category from its name in any spelling (Client trust, client-trust)."""
    text = "_".join(value.strip().lower().replace("-", " ").split())
    if text not in CATEGORIES:
        raise DatawardError(
            f"category {value!r} is unknown", "category", f"use one of: {', '.join(CATEGORIES)}"
        )
    return text


def choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    """Return a value from a closed list in any case, or a one-line error."""
    text = value.strip().lower().replace(" ", "_")
    if text not in allowed:
        raise DatawardError(f"{what} {value!r} is unknown", what, f"use {', '.join(allowed)}")
    return text


@dataclass(frozen=True)
class Cell:
    """One square of the heat map."""

    likelihood: int
    impact: int
    count: int
    refs: tuple[str, ...]


def heat_map(points: Iterable[tuple[str, int, int]]) -> list[Cell]:
    """Return the 25 cells (likelihood 5..1 by impact 1..5) with the risks that fall in each."""
    refs: dict[tuple[int, int], list[str]] = {}
    for ref, likelihood, impact in points:
        refs.setdefault((likelihood, impact), []).append(ref)
    return [
        Cell(li, im, len(refs.get((li, im), [])), tuple(sorted(refs.get((li, im), []))))
        for li in reversed(LEVELS)
        for im in LEVELS
    ]
