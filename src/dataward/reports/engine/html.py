"""Render a client report as one self-contained HTML page (inline CSS and SVG, no script)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from dataward.reports.engine import charts
from dataward.reports.engine.report_data import (
    IMPACT_COLUMNS,
    LIKELIHOOD_ROWS,
    RISK_COLUMNS,
    SEVERITIES,
    ReportData,
)

CHECKLIST = ["control", "title", "status", "applies_because", "owner", "due", "requirements"]
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933;margin:2rem auto;
max-width:1100px;padding:0 1rem;line-height:1.45}
h1{margin:0 0 .2rem;font-size:1.7rem}h2{margin-top:2rem;border-bottom:2px solid #e4e7eb;
padding-bottom:.3rem;font-size:1.25rem}.meta{color:#52606d;font-size:.9rem}
.kpis{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}.kpi{border:1px solid #d9dee3;
border-radius:6px;padding:.6rem 1rem;min-width:9rem}.kpi b{display:block;font-size:1.6rem}
table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border-bottom:1px solid #e4e7eb;
text-align:left;padding:.35rem .5rem;vertical-align:top;overflow-wrap:anywhere}
th{background:#f5f7fa}
.fail{color:#c53030;font-weight:600}.pass{color:#2f855a}.warn{color:#b7791f}
.note{font-size:.85rem;color:#52606d}@media print{body{margin:0;max-width:none}h2{break-after:avoid}
tr{break-inside:avoid}}
"""


def _table(rows: Iterable[dict[str, Any]], columns: Sequence[str], status_col: str = "") -> str:
    """Return an escaped HTML table."""
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            value = "" if row.get(c) is None else str(row.get(c))
            cls = ""
            if c == status_col:
                cls = (
                    ' class="fail"'
                    if value.startswith(("fail", "error"))
                    else (
                        ' class="pass"'
                        if value.startswith(("pass", "attested"))
                        else ' class="warn"'
                    )
                )
            cells.append(f"<td{cls}>{escape(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


METHOD = (
    "Each control in scope scores 1 when its checks pass (0.5 when excepted or warning, 0 when "
    "failing) and, when it asks for one, a current attestation exists; controls weigh by their "
    "most severe check (low 1 to critical 4, attestation-only 2); scores are weighted averages "
    "x 100. Findings hold masked previews only, never a sensitive value. Produced by dataward."
)


def _meta(data: ReportData, when: str) -> str:
    """Return the line under the title: client, data, frameworks, assessment, catalog."""
    snap = data.snapshot
    generated = data.generated.strftime("%Y-%m-%d %H:%M UTC")
    items = [
        f"Client {data.client_slug}",
        data.industry or "-",
        f"data {', '.join(data.categories) or '-'}",
        f"frameworks {', '.join(data.frameworks) or '-'}",
    ]
    second = [
        f"Assessment {snap.assessment_id if snap else '-'} of {when}",
        f"catalog {data.catalog}",
        f"generated {generated}",
    ]
    return f'<p class="meta">{escape(" · ".join(items))}<br>{escape(" · ".join(second))}</p>'


def render(data: ReportData) -> str:
    """Return the report page."""
    snap = data.snapshot
    counts = data.status_counts()
    overall = "n/a" if data.overall is None else f"{data.overall:.1f}"
    when = snap.started_at.strftime("%Y-%m-%d %H:%M UTC") if snap else "never assessed"
    kpis = [
        ("Posture (0-100)", overall),
        ("Controls in scope", str(len(data.checklist))),
        ("Failing results", str(counts.get("fail", 0))),
        ("Excepted", str(counts.get("excepted", 0))),
        ("Newly failing", str(data.changes.get("newly_failing", 0))),
        ("Fixed", str(data.changes.get("fixed", 0))),
    ]
    kpi_html = "".join(f'<div class="kpi"><b>{escape(v)}</b>{escape(k)}</div>' for k, v in kpis)
    areas = [(title, score) for _, title, score in data.areas]
    heat_rows = sorted({a for a, _ in data.heat()})
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{escape(data.client_name)} security baseline report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{escape(data.client_name)}: data-security baseline</h1>",
        _meta(data, when),
        f'<div class="kpis">{kpi_html}</div>',
        "<h2>Posture by area</h2>",
        charts.bars(areas),
        "<h2>Trend</h2>",
        charts.trend(list(data.trend)),
        "<h2>Risk register: likelihood by impact</h2>",
        charts.heat(list(LIKELIHOOD_ROWS), IMPACT_COLUMNS, data.risk_heat())
        if data.risks
        else "<p>No open risks in the register.</p>",
        _table(data.risks, list(RISK_COLUMNS), "rating") if data.risks else "",
        "<h2>Failing checks by area and severity</h2>",
        charts.heat(heat_rows, SEVERITIES, data.heat())
        if heat_rows
        else "<p>No failing checks.</p>",
        "<h2>Controls in scope</h2>",
        _table(data.checklist, CHECKLIST, "status"),
        "<h2>Failing checks</h2>",
        _table(data.failures(), ["severity", "check", "subject", "summary", "controls"])
        if data.failures()
        else "<p>None.</p>",
        f"<h2>Method</h2><p class=note>{escape(METHOD)}</p>",
        "</body></html>",
    ]
    return "\n".join(parts)
