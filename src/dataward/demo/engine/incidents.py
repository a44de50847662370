"""Write the BPO's incident register: three past incidents, one with a missed GDPR clock.

Times count back from midnight UTC of as_of, so the register reads the same on every run:
a stolen laptop at carewell (notified on time, closed), a phishing compromise at northbank
(no customer data reached, client told on time) and a misdirected email at telora whose
72-hour notification to the supervisory authority was never made (the planted problem).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import json_doc

SCHEMA = "dataward-incident-register/1"
LATE_ID = "MCS-IR-036"
LATE_REF = "INC-0003"  # the register's third incident, as `dataward demo` imports it
HANDLER = "demo-manager"
REPORTER = "demo-analyst"


def _t(estate: Estate, days_ago: float, plus_hours: float = 0) -> str:
    """Return an instant ``days_ago`` before as_of's midnight, moved on by ``plus_hours``."""
    when = estate.at(days_ago) + timedelta(hours=plus_hours)
    return when.strftime("%Y-%m-%dT%H:%MZ")


def _laptop(estate: Estate) -> dict[str, Any]:
    """Return the closed carewell laptop theft, every clock met."""
    seen = 41.6
    return {
        "id": "MCS-IR-031",
        "title": "Team lead laptop stolen from a parked car",
        "description": "A carewell team lead's laptop was taken from a car after a shift. The "
        "device's disk encryption had been suspended for a firmware update and not resumed, "
        "and a claims-appeal extract was in its downloads folder.",
        "severity": "high",
        "status": "closed",
        "occurred_at": _t(estate, seen + 0.5),
        "detected_at": _t(estate, seen),
        "reported_by": REPORTER,
        "handler": HANDLER,
        "affected": [
            {
                "client": "carewell",
                "data_categories": ["PHI", "PII"],
                "records": 140,
                "personal_data": True,
            },
        ],  # fmt: skip
        "notifications": [
            {
                "rule": "contract",
                "client": "carewell",
                "at": _t(estate, seen, 20),
                "by": HANDLER,
                "note": "Phoned and e-mailed the client's privacy office.",
            },
            {
                "rule": "hipaa_individuals",
                "client": "carewell",
                "at": _t(estate, seen, 18 * 24),
                "by": HANDLER,
                "note": "Letters sent by the client to 140 members; we drafted them.",
            },
        ],  # fmt: skip
        "timeline": [
            {
                "at": _t(estate, seen, 1),
                "actor": HANDLER,
                "text": "Remote wipe sent; the device never checked in again.",
            },
            {
                "at": _t(estate, seen, 5),
                "actor": HANDLER,
                "text": "Encryption found suspended since a firmware update; treated as a breach.",
            },
        ],  # fmt: skip
        "lessons_learned": "Firmware updates now resume disk encryption automatically and "
        "device management alerts when encryption stays suspended for more than a day; "
        "downloads folders are cleared at sign-out.",
        "closed_at": _t(estate, seen - 21),
    }


def _phishing(estate: Estate) -> dict[str, Any]:
    """Return the recovered northbank phishing compromise: no customer data reached."""
    seen = 12.3
    return {
        "id": "MCS-IR-034",
        "title": "Agent mailbox taken over through a fake payroll page",
        "description": "An agent on the northbank campaign entered their password and approved "
        "an MFA prompt on a fake payroll page. Sessions were revoked within two hours; the "
        "account's sign-ins showed no access to northbank systems.",
        "severity": "medium",
        "status": "recovered",
        "occurred_at": _t(estate, seen + 0.1),
        "detected_at": _t(estate, seen),
        "reported_by": REPORTER,
        "handler": HANDLER,
        "playbooks": ["phishing_compromise"],
        "affected": [
            {
                "client": "northbank",
                "data_categories": ["CREDENTIALS"],
                "records": 0,
                "personal_data": False,
            },
        ],  # fmt: skip
        "notifications": [
            {
                "rule": "contract",
                "client": "northbank",
                "at": _t(estate, seen, 30),
                "by": HANDLER,
                "note": "Told northbank's SOC that its systems were not reached.",
            },
        ],  # fmt: skip
        "timeline": [
            {
                "at": _t(estate, seen, 2),
                "actor": HANDLER,
                "text": "Sessions revoked, password reset, MFA methods re-registered.",
            },
        ],  # fmt: skip
    }


def _misdirected(estate: Estate) -> dict[str, Any]:
    """Return the contained telora misdirected email whose GDPR clock ran out."""
    seen = 4.6
    return {
        "id": LATE_ID,
        "title": "Billing-adjustment spreadsheet e-mailed to the wrong business customer",
        "description": "An agent sent a spreadsheet of billing adjustments for 38 telora "
        "subscribers to a business customer with a similar name. The recipient confirmed "
        "deletion the next day.",
        "severity": "medium",
        "status": "contained",
        "occurred_at": _t(estate, seen + 0.05),
        "detected_at": _t(estate, seen),
        "reported_by": REPORTER,
        "handler": HANDLER,
        "playbooks": ["misdirected_email_or_file"],
        "affected": [
            {
                "client": "telora",
                "data_categories": ["PII", "FINANCIAL"],
                "records": 38,
                "personal_data": True,
            },
        ],  # fmt: skip
        "notifications": [
            {
                "rule": "contract",
                "client": "telora",
                "at": _t(estate, seen, 5),
                "by": HANDLER,
                "note": "E-mailed telora's security team with the list of subscribers.",
            },
        ],  # fmt: skip
        "timeline": [
            {
                "at": _t(estate, seen, 20),
                "actor": HANDLER,
                "text": "Recipient confirmed in writing that the file was deleted.",
            },
        ],  # fmt: skip
    }


def register_doc(estate: Estate) -> dict[str, Any]:
    """Return the register document, oldest incident first."""
    return {
        "schema": SCHEMA,
        "incidents": [_laptop(estate), _phishing(estate), _misdirected(estate)],
    }


def write_incidents(estate: Estate) -> None:
    """Write incidents/incidents.json and plant the missed GDPR notification."""
    path = estate.write(
        "incidents/incidents.json",
        json_doc(register_doc(estate)),
        client=None,
        kind="incidents",
        days_ago=0.8,
    )
    estate.plant(
        "governance-incident-notification-overdue",
        "governance",
        "telora",
        kind="incident_notification_overdue",
        path=path,
        detail=f"incident {LATE_ID} (imported as {LATE_REF}): personal data of 38 telora "
        "subscribers, detected 4.6 days before as_of, no GDPR Art. 33 notification recorded",
        expect={
            "check": "incidents_notifications_on_time",
            "count": 1,
            "subject": f"{LATE_REF} gdpr_art33",
        },
        description="A misdirected e-mail exposed telora subscribers' personal data; the client "
        "was told within its 24 hours, but nobody told the supervisory authority within 72.",
    )
