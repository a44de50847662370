"""Everything one client report shows, gathered once and rendered into HTML, XLSX, PDF or OSCAL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dataward.reports.engine.snapshot import AssessmentSnapshot

SEVERITIES = ("critical", "high", "medium", "low")
LIKELIHOOD_ROWS = tuple(f"likelihood {n}" for n in (5, 4, 3, 2, 1))
IMPACT_COLUMNS = tuple(f"impact {n}" for n in (1, 2, 3, 4, 5))
RISK_COLUMNS = ("ref", "rating", "likelihood", "impact", "status", "owner", "due", "title")


@dataclass(frozen=True)
class ReportData:
    """A client's posture, checklist, failures and trend as of one assessment."""

    client_slug: str
    client_name: str
    industry: str
    categories: tuple[str, ...]
    frameworks: tuple[str, ...]
    generated: datetime
    catalog: str  # title and version
    snapshot: AssessmentSnapshot | None
    areas: tuple[tuple[str, str, float | None], ...]  # (id, title, score)
    trend: tuple[tuple[str, float | None], ...]  # (label, overall)
    checklist: tuple[dict[str, Any], ...]
    changes: dict[str, int] = field(default_factory=dict)
    risks: tuple[dict[str, Any], ...] = ()  # the client's register (not closed), when generated

    @property
    def overall(self) -> float | None:
        """Return the overall posture score of the assessment."""
        if self.snapshot is None:
            return None
        value = self.snapshot.posture.get("overall")
        return float(value) if value is not None else None

    def failures(self) -> list[dict[str, Any]]:
        """Return failing and erroring results, most severe first."""
        if self.snapshot is None:
            return []
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        rows = [
            {
                "check": r.check_id,
                "severity": r.severity,
                "status": r.status,
                "subject": r.subject,
                "summary": r.summary,
                "controls": ", ".join(r.controls),
            }
            for r in self.snapshot.results
            if r.status in ("fail", "error")
        ]
        return sorted(rows, key=lambda r: (rank.get(r["severity"], 9), r["check"], r["subject"]))

    def heat(self) -> dict[tuple[str, str], int]:
        """Return failing results counted by area title and severity."""
        titles = {area_id: title for area_id, title, _ in self.areas}
        area_of = {row["control"]: row["area"] for row in self.checklist}
        counts: dict[tuple[str, str], int] = {}
        if self.snapshot is None:
            return counts
        for r in self.snapshot.results:
            if r.status != "fail":
                continue
            areas = {area_of.get(c) for c in r.controls} - {None}
            for area in areas or {"unmapped"}:
                key = (titles.get(str(area), str(area)), r.severity)
                counts[key] = counts.get(key, 0) + 1
        return counts

    def risk_heat(self) -> dict[tuple[str, str], int]:
        """Return the register's risks counted by likelihood (rows) and impact (columns)."""
        counts: dict[tuple[str, str], int] = {}
        for r in self.risks:
            key = (f"likelihood {r['likelihood']}", f"impact {r['impact']}")
            counts[key] = counts.get(key, 0) + 1
        return counts

    def status_counts(self) -> dict[str, int]:
        """Return how many results had each status."""
        out: dict[str, int] = {}
        for r in self.snapshot.results if self.snapshot else ():
            out[r.status] = out.get(r.status, 0) + 1
        return out
