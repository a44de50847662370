"""Write Carewell Health Insurance's shares, including the duplicated claims extract."""

from __future__ import annotations

import random
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
    eml_doc,
    lines_doc,
    pdf_doc,
    xlsx_doc,
)
from dataward.demo.engine.model import Cell, S, Text
from dataward.demo.engine.people import Employee

SLUG = "carewell"
ICD10 = ("E11.9", "I10", "J45.909", "M54.5", "K21.9", "F41.1", "N39.0")
CPT = ("99213", "99214", "80053", "93000", "71046")
PLANS = ("Carewell Silver PPO", "Carewell Gold HMO", "Carewell Bronze EPO")


def _member_id(rng: random.Random) -> str:
    """Return a Carewell member id (alphanumeric, not a government id)."""
    return f"CWM-{rng.randint(10000000, 99999999)}"


def write_carewell(estate: Estate, people: list[Employee]) -> None:
    """Write every Carewell share file and plant the duplicate extract."""
    rng = estate.rng(f"share:{SLUG}")
    members = customers(estate, SLUG, "US", 60)
    ph_members = customers(estate, f"{SLUG}:ph", "PH", 15)
    mids = {m.email: _member_id(rng) for m in members + ph_members}
    staff = [p for p in people if p.clients == [SLUG] and p.role == "agent"]
    lead = next(p for p in people if p.clients == [SLUG] and p.role == "team_lead")
    _eligibility(estate, rng, members[:30], mids)
    _ph_members(estate, rng, ph_members, mids)
    _appeal(estate, rng, members[4], mids)
    _prior_auth(estate, rng, members[6:9], staff)
    _call_notes(estate, rng, members[10:22], staff)
    _escalation(estate, rng, members[12], lead)
    _claims(estate, rng, members[20:45], mids)
    _premiums(estate, rng, members[30:55], mids)


def _eligibility(
    estate: Estate, rng: random.Random, members: list[Customer], mids: dict[str, str]
) -> None:
    """Write the member eligibility workbook."""
    header = (
        "member_id",
        "full_name",
        "date_of_birth",
        "ssn",
        "phone",
        "email",
        "address",
        "plan",
        "effective_date",
    )
    rows: list[list[Cell]] = [
        [
            mids[m.email],
            m.person(),
            m.birth(),
            S("US_SSN", ids.us_ssn(rng)),
            m.tel(),
            m.mail(),
            m.addr(),
            rng.choice(PLANS),
            f"{estate.as_of.year}-01-01",
        ]
        for m in members
    ]
    share(
        estate,
        SLUG,
        f"restricted/member_eligibility_{quarter(estate.as_of)}.xlsx",
        xlsx_doc([("Eligibility", header, rows)], estate.at(10)),
        10,
    )


def _ph_members(
    estate: Estate, rng: random.Random, members: list[Customer], mids: dict[str, str]
) -> None:
    """Write the international plan's Philippine members with TIN and SSS numbers."""
    header = (
        "member_id",
        "full_name",
        "date_of_birth",
        "phone",
        "email",
        "tin",
        "sss_number",
        "address",
    )
    rows: list[list[Cell]] = [
        [
            mids[m.email],
            m.person(),
            m.birth(),
            m.tel(),
            m.mail(),
            S("PH_TIN", ids.ph_tin(rng)),
            S("PH_SSS", ids.ph_sss(rng)),
            m.addr(),
        ]
        for m in members
    ]
    share(estate, SLUG, "restricted/intl_members_ph.csv", csv_doc(header, rows), 14)


def _appeal(estate: Estate, rng: random.Random, m: Customer, mids: dict[str, str]) -> None:
    """Write a claim appeal decision letter as PDF."""
    case = f"APL-{rng.randint(100000, 999999)}"
    lines: list[Text] = [
        "Carewell Health Insurance - Appeal Decision",
        f"Appeal {case}   Member id {mids[m.email]}",
        ("Member: ", m.person(), "   Date of birth: ", m.birth()),
        ("Address: ", m.addr()),
        f"Diagnosis {rng.choice(ICD10)}; procedure {rng.choice(CPT)}; billed USD 1,240.00",
        "Decision: the denial is overturned and the claim will be reprocessed.",
    ]
    share(
        estate,
        SLUG,
        f"restricted/appeal_decision_{case}.pdf",
        pdf_doc([lines], estate.at(13), f"Appeal {case}"),
        13,
    )


def _prior_auth(
    estate: Estate, rng: random.Random, members: list[Customer], staff: list[Employee]
) -> None:
    """Write prior-authorisation notes as DOCX."""
    paras: list[Para] = [("Title", "Prior authorisation follow-ups")]
    for m in members:
        paras.append(("Heading 1", m.person()))
        paras.append(
            ("Normal", ("DOB ", m.birth(), ", phone ", m.tel(), f", diagnosis {rng.choice(ICD10)}"))
        )
        paras.append(("Normal", ("Handled by ", rng.choice(staff).person())))
    share(
        estate,
        SLUG,
        "restricted/prior_auth_followups.docx",
        docx_doc(paras, estate.at(8), "Prior authorisation follow-ups"),
        8,
    )


def _call_notes(
    estate: Estate, rng: random.Random, members: list[Customer], staff: list[Employee]
) -> None:
    """Write Manila agents' member call notes."""
    day = estate.as_of - timedelta(days=1)
    lines: list[Text] = [f"Carewell member services - Manila night shift - {day}"]
    for m in members:
        note = rng.choice(("claim status enquiry", "ID card reissue", "pharmacy coverage question"))
        lines.append(
            (
                f"{day} ",
                rng.choice(staff).person(),
                " spoke to ",
                m.person(),
                " (",
                m.tel(),
                ", DOB ",
                m.birth(),
                f") - {note}",
            )
        )
    share(estate, SLUG, "restricted/agent_call_notes_manila.txt", lines_doc(lines), 1)


def _escalation(estate: Estate, rng: random.Random, m: Customer, lead: Employee) -> None:
    """Write an escalation email to the privacy office."""
    case = f"CW-ESC-{rng.randint(1000, 9999)}"
    headers: list[tuple[str, Text]] = [
        ("From", (lead.person(), " <", lead.mail(), ">")),
        ("To", S("EMAIL_ADDRESS", "privacy.office@carewellhealth.com")),
        ("Subject", f"Escalation {case} - misdirected EOB"),
    ]
    body: list[Text] = [
        "Hello Privacy Office,",
        "",
        ("Member ", m.person(), " (DOB ", m.birth(), ") received another member's EOB."),
        ("The member can be reached on ", m.tel(), " or ", m.mail(), "."),
        "We have logged it as a possible HIPAA incident.",
        "",
        ("Thanks, ", lead.person()),
    ]
    share(
        estate,
        SLUG,
        f"restricted/escalation_{case}.eml",
        eml_doc(headers, body, estate.at(6), f"{estate.seed:x}.{case.lower()}@mail.meridiancs.com"),
        6,
    )


def _claims(
    estate: Estate, rng: random.Random, members: list[Customer], mids: dict[str, str]
) -> None:
    """Write the claims extract to exports and a byte-identical copy under restricted/archive."""
    header = (
        "claim_id",
        "member_id",
        "full_name",
        "date_of_birth",
        "diagnosis_code",
        "procedure_code",
        "billed_amount",
        "service_date",
    )
    rows: list[list[Cell]] = [
        [
            f"CLM-{rng.randint(10000000, 99999999)}",
            mids[m.email],
            m.person(),
            m.birth(),
            rng.choice(ICD10),
            rng.choice(CPT),
            round(rng.uniform(80, 4000), 2),
            str(estate.as_of - timedelta(days=rng.randint(5, 60))),
        ]
        for m in members
    ]
    rendered = csv_doc(header, rows)
    name = f"member_claims_extract_{estate.as_of:%Y-%m}"
    first = share(estate, SLUG, f"exports/{name}.csv", rendered, 5)
    copy = share(estate, SLUG, f"restricted/archive/{name} (1).csv", rendered, 3)
    estate.plant(
        "retention-duplicate-claims-extract",
        "retention",
        SLUG,
        kind="duplicate_extract",
        path=copy,
        detail=f"same bytes as {first}",
        expect={
            "check": "retention_no_duplicate_extracts",
            "count": 1,
            "subject": first,
            "also": ["discovery_no_duplicate_extracts"],
        },
        description="The same Carewell member claims extract is kept twice, once in exports "
        "and once as a copy in the restricted archive.",
    )


def _premiums(
    estate: Estate, rng: random.Random, members: list[Customer], mids: dict[str, str]
) -> None:
    """Write premium payments by bank debit."""
    header = (
        "payment_id",
        "member_id",
        "full_name",
        "routing_number",
        "account_number",
        "amount",
        "paid_on",
    )
    rows: list[list[Cell]] = [
        [
            f"PAY-{rng.randint(1000000, 9999999)}",
            mids[m.email],
            m.person(),
            S("ABA_ROUTING_NUMBER", ids.us_routing(rng)),
            S("US_BANK_NUMBER", ids.us_bank_account(rng)),
            round(rng.uniform(120, 900), 2),
            str(estate.as_of - timedelta(days=rng.randint(1, 28))),
        ]
        for m in members
    ]
    share(
        estate, SLUG, f"exports/premium_payments_{estate.as_of:%Y-%m}.csv", csv_doc(header, rows), 2
    )
