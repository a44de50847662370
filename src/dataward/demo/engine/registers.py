"""Write the operation's existing risk register, as a BPO keeps it in a spreadsheet."""

from __future__ import annotations

from datetime import timedelta

from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import csv_doc
from dataward.demo.engine.model import Cell

HEADER = (
    "Risk ID", "Risk", "Category", "Likelihood", "Impact", "Owner", "Response", "Action plan",
    "Target date", "Status", "Approved by", "Accepted until",
)  # fmt: skip
# id, title, category, likelihood, impact, owner, response, plan, days to target, status,
# approver, days the acceptance still runs
RISKS: tuple[tuple[str, str, str, str, str, str, str, str, int, str, str, int], ...] = (
    ("OPS-01", "Typhoon closes the Manila site for several days", "Service continuity",
     "Possible", "Major", "Head of Operations", "Mitigate",
     "Warm seats in Cebu and remote-work kits for 40% of agents", 75, "Open", "", 0),
    ("OPS-02", "One telephony vendor carries every client's calls", "Service continuity",
     "Unlikely", "Severe", "IT Manager", "Transfer", "Contracted 99.95% uptime with credits",
     120, "Open", "", 0),
    ("OPS-03", "Agent attrition leaves client queues short of trained staff", "Contractual",
     "Likely", "Moderate", "Head of Operations", "Mitigate",
     "Bench of cross-trained agents per client", 45, "In progress", "", 0),
    ("OPS-04", "Client auditors find gaps in evidence of access reviews", "Audit", "Possible",
     "Moderate", "Compliance Lead", "Mitigate", "Quarterly reviews run in dataward", 30, "Open",
     "", 0),
    ("OPS-05", "Legacy QA screen recorder cannot mask card numbers", "Regulatory", "Possible",
     "Major", "IT Manager", "Accept", "", 0, "Accepted", "Chief Information Security Officer",
     150),
    ("OPS-06", "Night-shift supervisors share one reporting login", "Client trust", "Likely",
     "Moderate", "Head of Operations", "Accept", "", 0, "Accepted", "Head of Operations", 60),
)  # fmt: skip
PLANTED = "OPS-06"


def register_rows(estate: Estate) -> list[list[Cell]]:
    """Return the register; one acceptance was approved by the risk's own owner."""
    rows: list[list[Cell]] = []
    for rid, title, cat, li, im, owner, resp, plan, days, status, approver, runs in RISKS:
        target = (estate.as_of + timedelta(days=days)).isoformat() if days else ""
        until = (estate.as_of + timedelta(days=runs)).isoformat() if runs else ""
        rows.append([rid, title, cat, li, im, owner, resp, plan, target, status, approver, until])
    return rows


def write_risk_register(estate: Estate) -> None:
    """Write governance/risk_register.csv and plant the self-approved acceptance."""
    path = estate.write(
        "governance/risk_register.csv",
        csv_doc(HEADER, register_rows(estate)),
        client=None,
        kind="risk_register",
        days_ago=9.5,
    )
    row = 2 + [r[0] for r in RISKS].index(PLANTED)
    estate.plant(
        "governance-risk-accepted-by-owner",
        "governance",
        None,
        kind="risk_acceptance_self_approved",
        path=path,
        detail=f"row {row}, risk {PLANTED}: owner and approver are both the Head of Operations",
        expect={"check": "risks_acceptances_current", "count": 1, "subject": PLANTED},
        description="The operation's register shows a shared supervisor login accepted as a "
        "risk by the same manager who owns it, with nobody independent approving it.",
    )
