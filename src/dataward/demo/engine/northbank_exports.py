"""Write Northbank's exports: ACH returns, the dispute ZIP, a fraud email, a stale extract."""

from __future__ import annotations

import random
from datetime import timedelta

from dataward.demo.engine import identifiers as ids
from dataward.demo.engine.contact import public_ipv4
from dataward.demo.engine.documents import (
    share,
)
from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import (
    csv_doc,
    eml_doc,
    json_doc,
    zip_doc,
)
from dataward.demo.engine.model import Cell, S, Text
from dataward.demo.engine.people import Employee
from dataward.demo.engine.shares_northbank import MERCHANTS, SLUG, Banking


def write_northbank_exports(estate: Estate, book: list[Banking], people: list[Employee]) -> None:
    """Write ACH returns, the card-dispute ZIP, a fraud email and the stale contact extract."""
    rng = estate.rng(f"share:{SLUG}:exports")
    staff = [p for p in people if p.clients == [SLUG] and p.role == "agent"]
    header = (
        "return_id",
        "customer_name",
        "routing_number",
        "account_number",
        "amount",
        "return_code",
        "effective_date",
    )
    rows: list[list[Cell]] = [
        [
            f"ACHR-{rng.randint(10000, 99999)}",
            b.who.person(),
            b.routing,
            b.account,
            round(rng.uniform(20, 2500), 2),
            rng.choice(("R01", "R02", "R03", "R08")),
            str(estate.as_of - timedelta(days=rng.randint(1, 25))),
        ]
        for b in book[20:45]
    ]
    share(estate, SLUG, f"exports/ach_returns_{estate.as_of:%Y-%m}.csv", csv_doc(header, rows), 3)
    dz = ("case_id", "customer_name", "card_number", "amount", "merchant", "status", "agent")
    disputes: list[list[Cell]] = [
        [
            f"NB-DSP-{rng.randint(100000, 999999)}",
            b.who.person(),
            b.card,
            round(rng.uniform(9, 900), 2),
            rng.choice(MERCHANTS),
            rng.choice(("open", "won", "lost")),
            rng.choice(staff).mail(),
        ]
        for b in book[45:65]
    ]
    summary = {"cases": len(disputes), "prepared_by": staff[1].mail(), "currency": "USD"}
    when = estate.at(5)
    share(
        estate,
        SLUG,
        f"exports/card_disputes_{estate.as_of:%Y-%m}.zip",
        zip_doc(
            [
                ("card_disputes.csv", csv_doc(dz, disputes)),
                ("dispute_summary.json", json_doc(summary)),
            ],
            when,
        ),
        5,
    )
    _fraud_email(estate, rng, book[8], staff[2])
    _stale_extract(estate, book)


def _fraud_email(estate: Estate, rng: random.Random, b: Banking, agent: Employee) -> None:
    """Write a fraud referral email to the client's SOC."""
    case = f"NB-FRD-{rng.randint(10000, 99999)}"
    headers: list[tuple[str, Text]] = [
        ("From", (agent.person(), " <", agent.mail(), ">")),
        ("To", S("EMAIL_ADDRESS", "soc@northbankretail.com")),
        ("Subject", f"Suspected account takeover - case {case}"),
    ]
    body: list[Text] = [
        "Hi SOC team,",
        "",
        ("Customer ", b.who.person(), " called from ", b.who.tel(), " about card payments"),
        (
            "they did not make. Card ",
            S("CREDIT_CARD", ids.group_card(b.card.value)),
            " is now blocked.",
        ),
        (
            "Online banking login came from ",
            S("IP_ADDRESS", public_ipv4(rng, "US")),
            " an hour before the first charge.",
        ),
        ("Account ", b.account, " - please review and confirm the chargeback."),
        "",
        ("Regards, ", agent.person()),
    ]
    digest = f"{estate.seed:x}.{case.lower()}@mail.meridiancs.com"
    share(
        estate,
        SLUG,
        f"exports/fraud_referral_{case}.eml",
        eml_doc(headers, body, estate.at(7), digest),
        7,
    )


def _stale_extract(estate: Estate, book: list[Banking]) -> None:
    """Write a customer contact extract well past the one-year PII retention, and plant it."""
    days = 365 + 155
    made = estate.as_of - timedelta(days=days)
    header = ("customer_id", "full_name", "email", "phone", "address")
    rows: list[list[Cell]] = [
        [b.customer_id, b.who.person(), b.who.mail(), b.who.tel(), b.who.addr()]
        for b in book[30:55]
    ]
    path = share(
        estate,
        SLUG,
        f"exports/customer_contact_extract_{made:%Y-%m}.csv",
        csv_doc(header, rows),
        days,
    )
    estate.plant(
        "retention-export-past-retention",
        "retention",
        SLUG,
        kind="export_past_retention",
        path=path,
        detail=f"file last modified {days} days before as_of; "
        "Northbank keeps PII extracts 365 days",
        expect={
            "check": "retention_files_within_retention_period",
            "count": 1,
            "subject": path,
            "also": ["discovery_no_stale_sensitive_files"],
        },
        description="A Northbank customer contact extract has been kept for about seventeen "
        "months although the contract allows one year.",
    )
