"""Write Telora Mobile's shares, including the planted credentials in a general share."""

from __future__ import annotations

import random
from datetime import timedelta

from dataward.demo.engine import identifiers as ids
from dataward.demo.engine.contact import public_ipv4, public_ipv6
from dataward.demo.engine.documents import Customer, customers, share
from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import (
    Para,
    csv_doc,
    docx_doc,
    eml_doc,
    json_doc,
    lines_doc,
    pdf_doc,
    xlsx_doc,
    zip_doc,
)
from dataward.demo.engine.model import Cell, S, Text
from dataward.demo.engine.people import Employee

SLUG = "telora"
NETWORKS = ("EE", "Vodafone UK", "Three", "O2")
PEM_BEGIN = "-----BEGIN RSA PRIVATE KEY-----"
PLANS = (("SIM-ONLY-30GB", 12.0), ("SIM-ONLY-UNL", 22.0), ("HANDSET-24M-A15", 31.5))


def write_telora(estate: Estate, people: list[Employee]) -> None:
    """Write every Telora share file and plant the secrets file."""
    rng = estate.rng(f"share:{SLUG}")
    uk = customers(estate, f"{SLUG}:uk", "GB", 45)
    india = customers(estate, f"{SLUG}:in", "IN", 40)
    staff = [p for p in people if p.clients == [SLUG] and p.role == "agent"]
    lead = next(
        p for p in people if p.clients == [SLUG] and p.role == "team_lead" and p.site.key == "leeds"
    )
    ibans = {c.email: S("IBAN_CODE", ids.gb_iban(rng)) for c in uk}
    pans = {c.email: S("IN_PAN", ids.in_pan(rng, c.last)) for c in india}
    _kyc_uk(estate, rng, uk[:30], ibans)
    _kyc_in(estate, rng, india[:25], pans)
    _priority_register(estate, rng, uk[30:36], staff)
    _complaint(estate, rng, uk[2], ibans)
    _escalation(estate, rng, uk[7], lead)
    _agent_notes(estate, rng, india[:12], staff)
    _exports(estate, rng, uk[15:45], india[15:40], ibans, pans)


def _kyc_uk(estate: Estate, rng: random.Random, subs: list[Customer], ibans: dict[str, S]) -> None:
    """Write UK subscriber KYC with NI numbers and direct-debit IBANs."""
    header = (
        "account_id",
        "full_name",
        "date_of_birth",
        "ni_number",
        "email",
        "phone",
        "address",
        "direct_debit_iban",
    )
    rows: list[list[Cell]] = [
        [
            f"TLU{rng.randint(10000000, 99999999)}",
            c.person(),
            c.birth(),
            S("UK_NINO", ids.uk_nino(rng)),
            c.mail(),
            c.tel(),
            c.addr(),
            ibans[c.email],
        ]
        for c in subs
    ]
    share(estate, SLUG, "restricted/subscriber_kyc_uk.csv", csv_doc(header, rows), 9)


def _kyc_in(estate: Estate, rng: random.Random, subs: list[Customer], pans: dict[str, S]) -> None:
    """Write Indian subscriber KYC with Aadhaar and PAN."""
    header = (
        "account_id",
        "full_name",
        "date_of_birth",
        "aadhaar",
        "pan",
        "email",
        "phone",
        "address",
    )
    rows: list[list[Cell]] = [
        [
            f"TLI{rng.randint(10000000, 99999999)}",
            c.person(),
            c.birth(),
            S("IN_AADHAAR", ids.in_aadhaar(rng)),
            pans[c.email],
            c.mail(),
            c.tel(),
            c.addr(),
        ]
        for c in subs
    ]
    share(
        estate,
        SLUG,
        "restricted/subscriber_kyc_in.xlsx",
        xlsx_doc([("Subscribers", header, rows)], estate.at(11)),
        11,
    )


def _priority_register(
    estate: Estate, rng: random.Random, subs: list[Customer], staff: list[Employee]
) -> None:
    """Write the priority services register (medical dependency, with NHS numbers)."""
    paras: list[Para] = [("Title", "Priority Services Register - medical dependency")]
    for c in subs:
        paras.append(("Heading 1", c.person()))
        paras.append(
            (
                "Normal",
                (
                    "NHS number ",
                    S("UK_NHS", ids.uk_nhs(rng)),
                    "; contact ",
                    c.tel(),
                    "; address ",
                    c.addr(),
                ),
            )
        )
        paras.append(
            (
                "Normal",
                ("Needs: home oxygen, no disconnection. Reviewed by ", rng.choice(staff).person()),
            )
        )
    share(
        estate,
        SLUG,
        "restricted/priority_services_register.docx",
        docx_doc(paras, estate.at(15), "Priority Services Register"),
        15,
    )


def _complaint(estate: Estate, rng: random.Random, c: Customer, ibans: dict[str, S]) -> None:
    """Write a complaint response letter as PDF."""
    case = f"TL-CMP-{rng.randint(100000, 999999)}"
    lines: list[Text] = [
        "Telora Mobile - Final Response to your complaint",
        f"Reference {case}",
        ("Dear ", c.person(), ","),
        ("Address: ", c.addr()),
        (
            "We refunded GBP 48.20 to the account ",
            S("IBAN_CODE", ids.group_iban(ibans[c.email].value)),
            ".",
        ),
        "If you are unhappy you may refer this to the Communications Ombudsman within 6 months.",
    ]
    share(
        estate,
        SLUG,
        f"restricted/final_response_{case}.pdf",
        pdf_doc([lines], estate.at(12), f"Complaint {case}"),
        12,
    )


def _escalation(estate: Estate, rng: random.Random, c: Customer, lead: Employee) -> None:
    """Write a vulnerable-customer escalation email."""
    case = f"TL-ESC-{rng.randint(1000, 9999)}"
    headers: list[tuple[str, Text]] = [
        ("From", (lead.person(), " <", lead.mail(), ">")),
        ("To", S("EMAIL_ADDRESS", "vulnerable.customers@teloramobile.co.uk")),
        ("Subject", f"{case} - disconnection hold request"),
    ]
    body: list[Text] = [
        "Hi team,",
        ("Please hold disconnection for ", c.person(), " (", c.tel(), ")."),
        ("NI number given on the call: ", S("UK_NINO", ids.uk_nino(rng)), "."),
        ("Regards, ", lead.person()),
    ]
    share(
        estate,
        SLUG,
        f"restricted/escalation_{case}.eml",
        eml_doc(headers, body, estate.at(4), f"{estate.seed:x}.{case.lower()}@mail.meridiancs.com"),
        4,
    )


def _agent_notes(
    estate: Estate, rng: random.Random, subs: list[Customer], staff: list[Employee]
) -> None:
    """Write Pune agents' notes for Indian subscribers."""
    day = estate.as_of - timedelta(days=3)
    lines: list[Text] = [f"Telora India care - agent notes {day}"]
    for c in subs:
        lines.append(
            (
                f"{day} ",
                rng.choice(staff).person(),
                ": ",
                c.person(),
                " ",
                c.tel(),
                " asked about roaming pack; email ",
                c.mail(),
            )
        )
    share(estate, SLUG, "restricted/agent_notes_pune.txt", lines_doc(lines), 3)


def _exports(
    estate: Estate,
    rng: random.Random,
    uk: list[Customer],
    india: list[Customer],
    ibans: dict[str, S],
    pans: dict[str, S],
) -> None:
    """Write the zipped subscriber export and the number-porting requests JSON."""
    uk_rows: list[list[Cell]] = [[c.person(), c.mail(), c.tel(), ibans[c.email]] for c in uk[:15]]
    in_rows: list[list[Cell]] = [[c.person(), c.mail(), c.tel(), pans[c.email]] for c in india[:15]]
    members = [
        ("subscribers_uk.csv", csv_doc(("full_name", "email", "phone", "iban"), uk_rows)),
        ("subscribers_in.csv", csv_doc(("full_name", "email", "phone", "pan"), in_rows)),
    ]
    share(
        estate,
        SLUG,
        f"exports/subscriber_export_{estate.as_of:%Y-%m}.zip",
        zip_doc(members, estate.at(2)),
        2,
    )
    requests = [
        {
            "request_id": f"PORT-{rng.randint(100000, 999999)}",
            "msisdn": c.tel(),
            "subscriber": c.person(),
            "email": c.mail(),
            "donor_network": rng.choice(NETWORKS),
            "pac_code": f"{rng.choice('ABCDEFGH')}{rng.choice('JKLMN')}{rng.choice('PQRST')}"
            f"{rng.randint(100000, 999999)}",
            "submitted_from": S(
                "IP_ADDRESS", public_ipv6(rng, "GB") if n % 2 else public_ipv4(rng, "GB")
            ),
        }
        for n, c in enumerate(uk[15:27])
    ]
    share(
        estate,
        SLUG,
        f"exports/porting_requests_{estate.as_of:%Y-%m}.json",
        json_doc({"requests": requests}),
        1,
    )
