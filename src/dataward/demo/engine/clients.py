"""Define the BPO's three clients and write clients.json."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import json_doc
from dataward.demo.engine.model import S

BPO_NAME = "Meridian Contact Solutions"
BPO_DOMAIN = "meridiancs.com"


@dataclass(frozen=True)
class App:
    """One client system the BPO's staff log into."""

    key: str
    name: str
    host: str
    permissions: tuple[str, ...]
    admin_permission: str


@dataclass(frozen=True)
class ClientDef:
    """Static facts about one client and what its contract allows."""

    slug: str
    name: str
    industry: str
    categories: tuple[str, ...]
    frameworks: tuple[str, ...]
    breach_hours: int
    retention: tuple[tuple[str, int, str], ...]
    phone_regions: tuple[str, ...]
    timezone: str
    working_hours: str
    security_contact: str
    domain: str
    apps: tuple[App, App]

    def approved_locations(self) -> list[str]:
        """Return the share folders approved for this client's data, and what each may hold.

        The restricted share takes everything the client entrusts; exports take what its
        export jobs write, so card data there is inside the PCI zone only for a card client.
        """
        cats = ",".join(self.categories)
        return [f"shares/{self.slug}/restricted", f"shares/{self.slug}/exports={cats}"]

    def retention_days(self, category: str) -> int:
        """Return the retention period in days for one data category."""
        return next(days for cat, days, _ in self.retention if cat == category)

    def hours(self) -> tuple[int, int]:
        """Return the first and last working hour (08:00-20:00 gives (8, 20))."""
        start, end = self.working_hours.split("-")
        return int(start[:2]), int(end[:2])


CLIENTS = (
    ClientDef(
        slug="northbank",
        name="Northbank Retail Bank",
        industry="Retail banking",
        categories=("PII", "PCI", "FINANCIAL"),
        frameworks=("PCI_DSS_4", "SOC2", "NIST_CSF_2"),
        breach_hours=72,
        retention=(
            ("PCI", 90, "Full card numbers only while a dispute is open; truncate within 90 days"),
            ("PII", 365, "Customer contact extracts are deleted after one year"),
            ("FINANCIAL", 2555, "Account and payment records are kept seven years"),
        ),
        phone_regions=("US",),
        timezone="America/New_York",
        working_hours="08:00-20:00",
        security_contact="soc@northbankretail.com",
        domain="northbankretail.com",
        apps=(
            App(
                "core_crm", "Northbank Core Banking CRM", "nb-crm-app01", ("view", "edit"), "admin"
            ),
            App(
                "card_disputes",
                "Northbank Card Dispute Tool",
                "nb-disputes-app01",
                ("view", "resolve"),
                "admin",
            ),
        ),
    ),
    ClientDef(
        slug="carewell",
        name="Carewell Health Insurance",
        industry="Health insurance",
        categories=("PII", "PHI", "FINANCIAL"),
        frameworks=("HIPAA", "SOC2", "ISO27001_2022"),
        breach_hours=48,
        retention=(
            ("PHI", 2190, "HIPAA documentation is kept six years"),
            ("PII", 365, "Member contact extracts are deleted after one year"),
            ("FINANCIAL", 2555, "Premium payment records are kept seven years"),
        ),
        phone_regions=("US", "PH"),
        timezone="America/Chicago",
        working_hours="07:00-19:00",
        security_contact="privacy.office@carewellhealth.com",
        domain="carewellhealth.com",
        apps=(
            App(
                "claims_portal",
                "Carewell Claims Portal",
                "cw-claims-app01",
                ("view", "adjudicate"),
                "admin",
            ),
            App("member_crm", "Carewell Member CRM", "cw-crm-app01", ("view", "edit"), "admin"),
        ),
    ),
    ClientDef(
        slug="telora",
        name="Telora Mobile",
        industry="Telecommunications",
        categories=("PII", "FINANCIAL", "CREDENTIALS"),
        frameworks=("GDPR", "ISO27001_2022", "CIS_V8"),
        breach_hours=24,
        retention=(
            ("PII", 365, "GDPR storage limitation: subscriber extracts kept one year"),
            ("FINANCIAL", 2190, "Billing records kept six years"),
            (
                "CREDENTIALS",
                90,
                "Credentials are never filed; copies found are purged within 90 days",
            ),
        ),
        phone_regions=("GB", "IN"),
        timezone="Europe/London",
        working_hours="08:00-22:00",
        security_contact="security@teloramobile.co.uk",
        domain="teloramobile.co.uk",
        apps=(
            App("billing", "Telora Billing", "tl-billing-app01", ("view", "adjust"), "admin"),
            App(
                "subscriber_crm", "Telora Subscriber CRM", "tl-crm-app01", ("view", "edit"), "admin"
            ),
        ),
    ),
)
BY_SLUG = {c.slug: c for c in CLIENTS}


def client_record(c: ClientDef) -> dict[str, Any]:
    """Return one clients.json record (the shape dataward's client import reads)."""
    return {
        "slug": c.slug,
        "name": c.name,
        "industry": c.industry,
        "data_categories": list(c.categories),
        "frameworks": list(c.frameworks),
        "breach_notification_hours": c.breach_hours,
        "retention_rules": [
            {"category": cat, "days": days, "note": note} for cat, days, note in c.retention
        ],
        "approved_locations": c.approved_locations(),
        "phone_regions": list(c.phone_regions),
        "timezone": c.timezone,
        "working_hours": c.working_hours,
        "security_contact": S("EMAIL_ADDRESS", c.security_contact),
    }


def write_clients(estate: Estate) -> None:
    """Write clients.json, the list of client records."""
    records = [client_record(c) for c in CLIENTS]
    estate.write("clients.json", json_doc(records), client=None, kind="clients", days_ago=1.5)
