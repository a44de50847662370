"""Write certificates of disposal in the style of NIST SP 800-88 (Appendix G), as CSV or PDF.

One row per item: what it was (path, size, SHA-256 before), the method and the level it reaches
(NIST calls deletion and a single overwrite "Clear" at best; see docs/retention.md for what that
does not achieve on SSDs and network shares), when, who performed it, who verified (approved) it,
how it was verified, and the outcome.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.fonts import FontFace

COLUMNS = (
    "plan",
    "item",
    "client",
    "path",
    "size",
    "sha256_before",
    "method",
    "level",
    "disposed_at",
    "operator",
    "verifier",
    "verification",
    "outcome",
)
PREAMBLE = (
    "Record of media sanitization after NIST SP 800-88 Rev. 1, Appendix G: each item, the "
    "method and the sanitization level it reaches, the time, the person who performed it and "
    "the person who verified (approved) the plan. Deleting or overwriting a file does not purge "
    "copies held by SSD wear levelling, snapshots, backups or a network share's server."
)
LEVEL = {
    "delete": "logical deletion (below Clear)",
    "overwrite": "single overwrite (Clear on magnetic disks only; not SSDs, snapshots, shares)",
}
NOTE_ESCAPES = (
    "Characters the PDF fonts cannot show (outside Latin-1, and control characters such as "
    "line breaks) are written as <U+XXXX>; the CSV certificate holds every path as it is."
)


@dataclass(frozen=True)
class Entry:
    """One certificate row."""

    plan: str
    item: int
    client: str
    path: str
    size: int
    sha256_before: str
    method: str
    disposed_at: str
    operator: str
    verifier: str
    outcome: str

    def row(self) -> dict[str, object]:
        """Return the row with the derived level and verification columns."""
        verified = "file absent after removal" if "verified absent" in self.outcome else ""
        return {
            "plan": self.plan,
            "item": self.item,
            "client": self.client,
            "path": self.path,
            "size": self.size,
            "sha256_before": self.sha256_before,
            "method": self.method,
            "level": LEVEL.get(self.method, self.method),
            "disposed_at": self.disposed_at,
            "operator": self.operator,
            "verifier": self.verifier,
            "verification": verified or "see outcome",
            "outcome": self.outcome,
        }


def to_csv(entries: Sequence[Entry]) -> str:
    """Return the certificate as CSV text (one row per disposed item)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for e in entries:
        writer.writerow({k: _inert(v) for k, v in e.row().items()})
    return out.getvalue()


def _inert(value: object) -> object:
    """Keep a spreadsheet from reading a cell as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_pdf(entries: Sequence[Entry], title: str, issued: str) -> bytes:
    """Return the certificate as an A4 landscape PDF, one block per item."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=9)
    pdf.multi_cell(
        0,
        5,
        f"Issued {issued}. {PREAMBLE} {NOTE_ESCAPES}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    head = FontFace(emphasis="BOLD", fill_color=(235, 238, 242))
    pdf.set_font("helvetica", size=7)
    with pdf.table(
        col_widths=(8, 70, 16, 46, 30, 30, 22, 22, 29),
        headings_style=head,
        line_height=4,
        text_align="LEFT",
        repeat_headings=1,
    ) as table:
        row = table.row()
        for name in (
            "item",
            "path",
            "size",
            "sha256 before",
            "method / level",
            "disposed at",
            "operator",
            "verifier",
            "outcome",
        ):
            row.cell(name)
        for e in entries:
            r = e.row()
            row = table.row()
            for value in (
                r["item"],
                r["path"],
                r["size"],
                r["sha256_before"],
                f"{r['method']} / {r['level']}",
                r["disposed_at"],
                r["operator"],
                r["verifier"],
                r["outcome"],
            ):
                row.cell(_latin(value))
    return bytes(pdf.output())


def _latin(text: object) -> str:
    """Return text the core fonts can print, every other character as an unambiguous <U+XXXX>."""
    return "".join(
        c if (" " <= c <= "~" or "\xa0" <= c <= "\xff") and c != "<" else f"<U+{ord(c):04X}>"
        for c in str(text)
    )
