"""Write the general team shares: clean working files plus the two planted discovery finds."""

from __future__ import annotations

import random
from datetime import timedelta

from dataward.demo.engine import identifiers as ids
from dataward.demo.engine.documents import (
    handover_txt,
    order_csv,
    quarter,
    share,
    sop_docx,
)
from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import (
    csv_doc,
    lines_doc,
    xlsx_doc,
)
from dataward.demo.engine.model import Cell, Hit, S, Text
from dataward.demo.engine.shares_northbank import MERCHANTS, Banking

PEM_BEGIN = "-----BEGIN RSA PRIVATE KEY-----"
PLANTED_CARDS = 40
PLANS = (("SIM-ONLY-30GB", 12.0), ("SIM-ONLY-UNL", 22.0), ("HANDSET-24M-A15", 31.5))


def northbank_general(estate: Estate, rng: random.Random, book: list[Banking]) -> None:
    """Write the general team share: clean files plus the planted card-number export."""
    share(
        estate,
        "northbank",
        f"general/order_reconciliation_{estate.as_of:%Y-%m}.csv",
        order_csv(estate, "clean:northbank:orders"),
        8,
    )
    share(
        estate,
        "northbank",
        "general/shift_handover.txt",
        handover_txt(estate, "clean:northbank:handover", "Northbank cards queue"),
        1,
    )
    share(
        estate,
        "northbank",
        "general/sop_dispute_handling.docx",
        sop_docx(
            estate,
            "SOP - Card dispute handling",
            [
                "Verify the caller with two factors.",
                "Open the case in the dispute tool.",
                "Quote only the last four digits of the card.",
                "Set a 10-day follow-up.",
            ],
        ),
        30,
    )
    header = (
        "dispute_id",
        "customer_name",
        "card_number",
        "amount",
        "merchant",
        "opened_on",
        "status",
    )
    rows: list[list[Cell]] = [
        [
            f"D-{rng.randint(1000000, 9999999)}",
            b.who.person(),
            b.card,
            round(rng.uniform(9, 900), 2),
            rng.choice(MERCHANTS),
            str(estate.as_of - timedelta(days=rng.randint(40, 120))),
            rng.choice(("won", "lost")),
        ]
        for b in book[10 : 10 + PLANTED_CARDS]
    ]
    path = share(
        estate,
        "northbank",
        f"general/{quarter(estate.as_of, 1)[-2:]}_dispute_export.csv",
        csv_doc(header, rows),
        12,
    )
    estate.plant(
        "discovery-card-numbers-general-share",
        "discovery",
        "northbank",
        kind="card_numbers_on_general_share",
        path=path,
        detail=f"column card_number, rows 2-{PLANTED_CARDS + 1}",
        expect={
            "check": "discovery_sensitive_data_in_approved_locations",
            "entity": "CREDIT_CARD",
            "count": PLANTED_CARDS,
            "also": ["discovery_card_data_in_pci_zone"],
        },
        description="A dispute export with forty full card numbers was saved to the Northbank "
        "general team share, which is not approved for card data.",
    )


def telora_general(estate: Estate, rng: random.Random) -> None:
    """Write the general share: clean notes and catalogue plus the planted IVR config."""
    share(
        estate,
        "telora",
        "general/shift_handover.txt",
        handover_txt(estate, "clean:telora:handover", "Telora UK care"),
        1,
    )
    rows: list[list[Cell]] = [
        [sku, price, f"{rng.randint(1, 3)}.{rng.randint(0, 9)}.0"] for sku, price in PLANS
    ]
    share(
        estate,
        "telora",
        "general/plan_catalogue.xlsx",
        xlsx_doc([("Plans", ("sku", "monthly_gbp", "catalogue_version"), rows)], estate.at(20)),
        20,
    )
    key_id, secret = ids.aws_key_pair(rng)
    pem = ids.pem_body(rng)
    lines: list[Text] = [
        "# IVR connector settings - copied from prod for troubleshooting",
        "region = eu-west-2",
        ("aws_access_key_id = ", S("SECRET", key_id)),
        ("aws_secret_access_key = ", S("SECRET", secret)),
        (
            "crm_db = postgresql://ivr_svc:",
            S("SECRET", ids.password(rng)),
            "@tl-crm-db01.internal:5432/subscribers?sslmode=require",
        ),
        "sip_trunk_version = 4.2.19",
        PEM_BEGIN,
        *pem,
        "-----END RSA PRIVATE KEY-----",
    ]
    start = lines.index(PEM_BEGIN) + 1
    data, hits = lines_doc(lines)
    hits.append(Hit({"line": start}, S("SECRET", "".join(pem))))
    path = share(estate, "telora", "general/ivr_connector_config.txt", (data, hits), 16)
    estate.plant(
        "discovery-secrets-general-share",
        "discovery",
        "telora",
        kind="secrets_on_general_share",
        path=path,
        detail=f"AWS access key id and secret on lines 3-4, database password on line 5, "
        f"RSA private key block on lines {start}-{start + len(pem) + 1}",
        expect={
            "check": "discovery_secrets_not_in_shares",
            "entity": "SECRET",
            "count": 4,
            "also": ["discovery_sensitive_data_in_approved_locations"],
        },
        description="A production IVR configuration with cloud keys, a database password and "
        "a private key was copied to the Telora general team share.",
    )


def carewell_general(estate: Estate) -> None:
    """Write Carewell's general share: clean files only."""
    share(
        estate,
        "carewell",
        f"general/call_volume_{estate.as_of:%Y-%m}.csv",
        order_csv(estate, "clean:carewell:orders"),
        4,
    )
    share(
        estate,
        "carewell",
        "general/shift_handover.txt",
        handover_txt(estate, "clean:carewell:handover", "Carewell member services"),
        1,
    )
    share(
        estate,
        "carewell",
        "general/sop_member_verification.docx",
        sop_docx(
            estate,
            "SOP - Member verification",
            [
                "Ask for member id and date of birth.",
                "Never read back a full SSN.",
                "Log the verification outcome in the CRM, not in email.",
            ],
        ),
        30,
    )


def write_general_shares(estate: Estate, book: list[Banking]) -> None:
    """Write all three general team shares."""
    northbank_general(estate, estate.rng("share:northbank:general"), book)
    carewell_general(estate)
    telora_general(estate, estate.rng("share:telora:general"))
