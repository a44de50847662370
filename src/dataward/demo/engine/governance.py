"""Write the vendor register and the approved transfer channels."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dataward.demo.engine.contact import public_ipv4
from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import csv_doc, json_doc
from dataward.demo.engine.model import Cell, S

# vendor, service, clients, categories, risk tier, days since last review
VENDORS = (
    (
        "Nimbus CX Cloud",
        "Cloud contact-centre telephony and call recording",
        "northbank;carewell;telora",
        "PII;FINANCIAL",
        "high",
        200,
    ),
    (
        "Paperline Mail Services",
        "Print and mail of customer letters",
        "northbank;carewell",
        "PII;PHI;FINANCIAL",
        "high",
        150,
    ),
    (
        "VaultBox Offsite Archive",
        "Offsite backup and archive storage",
        "northbank;carewell;telora",
        "PII;PCI;PHI;FINANCIAL",
        "high",
        410,
    ),
    (
        "LinguaBridge Interpreting",
        "Telephone interpreting for members and subscribers",
        "carewell;telora",
        "PII;PHI",
        "medium",
        90,
    ),
    (
        "ShieldPay Tokenisation",
        "Card tokenisation for dispute handling",
        "northbank",
        "PCI",
        "high",
        60,
    ),
    (
        "Brightdesk QA Analytics",
        "Speech analytics for quality scoring",
        "northbank;telora",
        "PII",
        "medium",
        120,
    ),
)
OVERDUE_VENDOR = "VaultBox Offsite Archive"


def vendor_rows(estate: Estate) -> list[list[Cell]]:
    """Return the vendor register; one high-risk vendor's review is 45 days overdue."""
    rows: list[list[Cell]] = []
    for name, service, clients, categories, tier, since in VENDORS:
        last = estate.as_of - timedelta(days=since)
        due = (
            estate.as_of - timedelta(days=45)
            if name == OVERDUE_VENDOR
            else last + timedelta(days=365 if tier != "high" else 270)
        )
        rows.append(
            [name, service, clients, categories, last.isoformat(), due.isoformat(), tier, True]
        )
    return rows


def write_vendors(estate: Estate) -> None:
    """Write vendors/vendors.csv and plant the overdue review."""
    header = (
        "vendor",
        "service",
        "clients_served",
        "data_categories",
        "last_review",
        "next_review_due",
        "risk_tier",
        "dpa_signed",
    )
    path = estate.write(
        "vendors/vendors.csv",
        csv_doc(header, vendor_rows(estate)),
        client=None,
        kind="vendors",
        days_ago=3.4,
    )
    row = 2 + [v[0] for v in VENDORS].index(OVERDUE_VENDOR)
    estate.plant(
        "governance-vendor-review-overdue",
        "governance",
        None,
        kind="vendor_review_overdue",
        path=path,
        detail=f"row {row}, vendor {OVERDUE_VENDOR}, next_review_due 45 days before as_of",
        expect={
            "check": "vendors_reviews_current",
            "count": 1,
            "subject": OVERDUE_VENDOR,
        },
        description="The high-risk offsite archive vendor, which holds data for all three "
        "clients, missed its annual security review by 45 days.",
    )


def _channel(cid: str, client: str, proto: str, host: str, port: int, **extra: Any) -> Any:
    """Return one transfer-channel record."""
    tls = extra.pop("tls", None)
    return {
        "id": cid,
        "client": client,
        "protocol": proto,
        "url": f"{proto}://{host}:{port}{extra.pop('url_path', '/')}",
        "host": host,
        "port": port,
        "transport_encryption": {"sftp": "ssh", "ftp": "none"}.get(proto, "tls"),
        "tls_min_version": tls,
        "approved": True,
        **extra,
    }


def channels_doc(estate: Estate) -> dict[str, Any]:
    """Return the channel register: SFTP and HTTPS per client, plus one plain-FTP legacy feed."""
    rng = estate.rng("channels")
    egress = [S("IP_ADDRESS", public_ipv4(rng, r)) for r in ("PH", "IN", "GB", "US")]
    common = {"allowed_source_ips": egress}
    return {
        "schema": "dataward-demo-channels/1",
        "channels": [
            _channel(
                "nb-sftp-disputes",
                "northbank",
                "sftp",
                "sftp.northbankretail.com",
                22,
                direction="inbound",
                purpose="Daily card dispute files",
                **common,
            ),
            _channel(
                "nb-https-api",
                "northbank",
                "https",
                "api.northbankretail.com",
                443,
                tls="1.2",
                direction="outbound",
                purpose="Case updates",
                **common,
            ),
            _channel(
                "cw-sftp-claims",
                "carewell",
                "sftp",
                "mft.carewellhealth.com",
                22,
                direction="inbound",
                purpose="Claims appeal packets",
                **common,
            ),
            _channel(
                "cw-https-eligibility",
                "carewell",
                "https",
                "eligibility-api.carewellhealth.com",
                443,
                tls="1.2",
                direction="outbound",
                purpose="Eligibility lookups",
                **common,
            ),
            _channel(
                "cw-ftp-legacy-eligibility",
                "carewell",
                "ftp",
                "legacy-eligibility.carewellhealth.com",
                21,
                url_path="/drop/",
                direction="inbound",
                purpose="Legacy nightly eligibility file",
                **common,
            ),
            _channel(
                "tl-sftp-porting",
                "telora",
                "sftp",
                "sftp.teloramobile.co.uk",
                22,
                direction="inbound",
                purpose="Number porting requests",
                **common,
            ),
            _channel(
                "tl-https-billing",
                "telora",
                "https",
                "billing-api.teloramobile.co.uk",
                443,
                tls="1.3",
                direction="outbound",
                purpose="Billing adjustments",
                **common,
            ),
        ],
    }


def write_channels(estate: Estate) -> None:
    """Write channels/transfer_channels.json and plant the plain-FTP channel."""
    path = estate.write(
        "channels/transfer_channels.json",
        json_doc(channels_doc(estate)),
        client=None,
        kind="channels",
        days_ago=6.3,
    )
    estate.plant(
        "encryption-insecure-transfer-channel",
        "encryption",
        "carewell",
        kind="plaintext_transfer_channel",
        path=path,
        detail="channel cw-ftp-legacy-eligibility: ftp:// on port 21, no TLS",
        expect={
            "check": "encryption_transfer_channels_are_encrypted",
            "count": 1,
            "subject": "cw-ftp-legacy-eligibility",
        },
        description="Carewell's legacy eligibility feed still moves member files over plain "
        "FTP, so member data crosses the network unencrypted.",
    )
