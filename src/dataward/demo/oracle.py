"""Compare what dataward raised with what the demo estate's manifest planted, per area."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

AREAS = ("discovery", "access", "devices", "encryption", "monitoring", "retention", "governance")


@dataclass(frozen=True)
class AreaOutcome:
    """What one package raised for its area: planted ids it found, and anything else it raised."""

    area: str
    found: tuple[str, ...] = ()
    false_alarms: tuple[str, ...] = field(default_factory=tuple)


def compare(manifest: Mapping[str, Any], outcomes: Iterable[AreaOutcome]) -> dict[str, Any]:
    """Return the verification report: per area planted, found, missed and false alarms."""
    by_area: dict[str, list[AreaOutcome]] = {}
    for outcome in outcomes:
        by_area.setdefault(outcome.area, []).append(outcome)
    areas: dict[str, Any] = {}
    for area in AREAS:
        planted = sorted(p["id"] for p in manifest.get("planted", []) if p["area"] == area)
        built = area in by_area
        found = sorted({i for o in by_area.get(area, []) for i in o.found} & set(planted))
        alarms = sorted({a for o in by_area.get(area, []) for a in o.false_alarms})
        areas[area] = {
            "built": built,
            "planted": len(planted),
            "found": len(found),
            "missed": [p for p in planted if p not in found] if built else [],
            "not_checked": [] if built else planted,
            "false_alarms": alarms,
        }
    ok = all(not a["missed"] and not a["false_alarms"] for a in areas.values())
    return {"ok": ok, "seed": manifest.get("seed"), "as_of": manifest.get("as_of"), "areas": areas}
