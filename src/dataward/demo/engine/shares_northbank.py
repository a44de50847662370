"""Write Northbank Retail Bank's shares: restricted, exports and the general team share."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from dataward.demo.engine import identifiers as ids
from dataward.demo.engine.documents import (
    Customer,
    customers,
    quarter,
    share,
)
from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import (
    Para,
    csv_doc,
    docx_doc,
    lines_doc,
    pdf_doc,
    xlsx_doc,
)
from dataward.demo.engine.model import Cell, S, Text
from dataward.demo.engine.people import Employee

SLUG = "northbank"
MERCHANTS = ("AMZN Mktp US", "Shell Oil 5744", "Uber Trip", "Target T-1184", "Netflix.com")
PLANTED_CARDS = 40


@dataclass(frozen=True)
class Banking:
    """A Northbank customer's financial identifiers."""

    who: Customer
    customer_id: str
    ssn: S
    account: S
    routing: S
    card: S


def _bank(rng: random.Random, who: Customer) -> Banking:
    """Return valid identifiers for one customer."""
    return Banking(
        who,
        f"NB-{rng.randint(1000000, 9999999)}",
        S("US_SSN", ids.us_ssn(rng)),
        S("US_BANK_NUMBER", ids.us_bank_account(rng)),
        S("ABA_ROUTING_NUMBER", ids.us_routing(rng)),
        S("CREDIT_CARD", ids.card_number(rng)),
    )


def write_northbank(estate: Estate, people: list[Employee]) -> list[Banking]:
    """Write Northbank's restricted files; return the customer book the other files share."""
    rng = estate.rng(f"share:{SLUG}")
    book = [_bank(rng, c) for c in customers(estate, SLUG, "US", 70)]
    staff = [p for p in people if p.clients == [SLUG] and p.role == "agent"]
    _restricted(estate, rng, book, staff)
    return book


def _restricted(
    estate: Estate, rng: random.Random, book: list[Banking], staff: list[Employee]
) -> None:
    """Write the approved restricted files: master, KYC, letter, notes, call log."""
    header = (
        "customer_id",
        "full_name",
        "email",
        "phone",
        "address",
        "date_of_birth",
        "ssn",
        "account_number",
        "routing_number",
        "card_number",
        "card_expiry",
        "opened_on",
    )
    rows: list[list[Cell]] = [
        [
            b.customer_id,
            b.who.person(),
            b.who.mail(),
            b.who.tel(),
            b.who.addr(),
            b.who.birth(),
            b.ssn,
            b.account,
            b.routing,
            b.card,
            f"{rng.randint(1, 12):02d}/{rng.randint(27, 31)}",
            str(estate.as_of - timedelta(days=rng.randint(200, 4000))),
        ]
        for b in book[:30]
    ]
    share(
        estate,
        SLUG,
        f"restricted/customer_master_{quarter(estate.as_of)}.csv",
        csv_doc(header, rows),
        6.2,
    )
    kyc_header = (
        "full_name",
        "date_of_birth",
        "ssn",
        "passport_number",
        "address",
        "reviewed_by",
        "outcome",
    )
    kyc: list[list[Cell]] = [
        [
            b.who.person(),
            b.who.birth(),
            b.ssn,
            S("US_PASSPORT", ids.us_passport(rng)),
            b.who.addr(),
            rng.choice(staff).person(),
            rng.choice(("cleared", "cleared", "refer")),
        ]
        for b in book[:15]
    ]
    summary: list[list[Cell]] = [
        ["cleared", sum(r[-1] == "cleared" for r in kyc)],
        ["refer", sum(r[-1] == "refer" for r in kyc)],
    ]
    share(
        estate,
        SLUG,
        f"restricted/kyc_review_{estate.as_of:%Y-%m}.xlsx",
        xlsx_doc(
            [("KYC", kyc_header, kyc), ("Summary", ("outcome", "count"), summary)], estate.at(4.1)
        ),
        4.1,
    )
    _letter(estate, rng, book[3])
    _hardship(estate, book[5], staff[0])
    _call_notes(estate, rng, book[:12], staff)


def _letter(estate: Estate, rng: random.Random, b: Banking) -> None:
    """Write a two-page dispute acknowledgement PDF."""
    case = f"NB-DSP-{rng.randint(100000, 999999)}"
    page1: list[Text] = [
        "Northbank Retail Bank - Card Dispute Acknowledgement",
        f"Case {case}    Date {estate.as_of - timedelta(days=9)}",
        ("Customer: ", b.who.person()),
        ("Address: ", b.who.addr()),
        ("Card number: ", S("CREDIT_CARD", ids.group_card(b.card.value))),
        ("Settlement account: ", b.account),
        "We have received your dispute and issued a provisional credit within 10 business days.",
    ]
    page2: list[Text] = ["Disputed transactions"]
    page2 += [
        f"{estate.as_of - timedelta(days=20 + n)}  {m:<18} USD {rng.uniform(9, 400):8.2f}"
        for n, m in enumerate(MERCHANTS)
    ]
    share(
        estate,
        SLUG,
        f"restricted/dispute_letter_{case}.pdf",
        pdf_doc([page1, page2], estate.at(9), f"Dispute {case}"),
        9,
    )


def _hardship(estate: Estate, b: Banking, agent: Employee) -> None:
    """Write hardship case notes as DOCX."""
    paras: list[Para] = [
        ("Title", "Financial hardship case notes"),
        ("Normal", ("Customer: ", b.who.person(), ", callback ", b.who.tel())),
        ("Normal", ("Checking account ", b.account, " routing ", b.routing)),
        ("Normal", "Customer lost their job in September; requested a 3-month payment pause."),
        ("Normal", ("Case owner: ", agent.person())),
    ]
    share(
        estate,
        SLUG,
        "restricted/hardship_case_notes.docx",
        docx_doc(paras, estate.at(11), "Hardship case notes"),
        11,
    )


def _call_notes(
    estate: Estate, rng: random.Random, book: list[Banking], staff: list[Employee]
) -> None:
    """Write a day of agent call notes."""
    day = estate.as_of - timedelta(days=2)
    lines: list[Text] = [f"Northbank inbound queue - call notes {day}"]
    for n, b in enumerate(book):
        notes = (
            f"card ending {b.card.value[-4:]} reported lost, replacement ordered",
            "asked for overdraft fee reversal, approved one-time courtesy",
            "address change requested, sent verification code",
        )
        lines.append(
            (
                f"{day} {9 + n // 2:02d}:{rng.randint(0, 59):02d} | agent ",
                rng.choice(staff).person(),
                " | caller ",
                b.who.person(),
                " | cb ",
                b.who.tel(),
                " | DOB verified ",
                b.who.birth(),
                " | ",
                rng.choice(notes),
            )
        )
    share(estate, SLUG, f"restricted/call_notes_{day}.txt", lines_doc(lines), 2)
