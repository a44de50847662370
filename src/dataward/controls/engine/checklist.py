"""Select the controls that apply to a client, and say why each applies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dataward.controls.engine.catalog import Catalog, Control

#: Discovery entity categories that put a data category's controls in scope when found.
FOUND_LABEL = {
    "PCI": "card data",
    "PHI": "health data",
    "PII": "personal data",
    "FINANCIAL": "financial account data",
    "CREDENTIALS": "credentials",
    "GOVERNMENT_ID": "national identifiers",
    "HR": "HR data",
}


@dataclass(frozen=True)
class ClientScope:
    """What decides applicability: declared categories and frameworks, and what scans found."""

    categories: frozenset[str]
    frameworks: frozenset[str]
    found: Mapping[str, int]  # data category -> locations where discovery found it


@dataclass(frozen=True)
class ChecklistEntry:
    """A control in scope for a client, with the reason it is in scope."""

    control: Control
    reason: str


def _reason(control: Control, scope: ClientScope) -> str:
    """Return why a control applies to the client, or '' when it does not."""
    if control.always:
        return "baseline: applies to every client"
    why = []
    for cat in sorted(control.categories):
        found = scope.found.get(cat, 0)
        if found:
            label = FOUND_LABEL.get(cat, cat)
            why.append(f"{label} found by discovery in {found} location{'s' * (found != 1)}")
        elif cat in scope.categories:
            why.append(f"the client entrusts {cat} data")
    why += [
        f"the client audits against {fw}" for fw in sorted(control.frameworks & scope.frameworks)
    ]
    return "; ".join(why)


def build(
    catalog: Catalog,
    scope: ClientScope,
    frameworks: Iterable[str] = (),
    required: Mapping[str, str] | None = None,
) -> list[ChecklistEntry]:
    """Return the controls in scope, in catalog order.

    With ``frameworks`` (built-in ids) and/or ``required`` (control id -> why a client's own
    framework requires it), only controls mapped to one of them are listed; a control a client's
    own framework requires is listed even when its data or framework would not put it in scope.
    """
    wanted = set(frameworks)
    extra = dict(required or {})
    selecting = bool(wanted or extra)
    entries = []
    for control in catalog.controls:
        mapped = bool(wanted & set(control.mappings))
        if selecting and not mapped and control.id not in extra:
            continue
        reasons = [r for r in (_reason(control, scope), extra.get(control.id, "")) if r]
        if reasons:
            entries.append(ChecklistEntry(control, "; ".join(reasons)))
    return entries
