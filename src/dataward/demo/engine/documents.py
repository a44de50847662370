"""Make synthetic customers and the clean, number-ish working files of general shares."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from dataward.demo.engine.contact import phone
from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import Para, Rendered, csv_doc, docx_doc, lines_doc
from dataward.demo.engine.identifiers import not_luhn_digits
from dataward.demo.engine.model import S, Text, ascii_fold
from dataward.demo.engine.people import PH_FIRST, PH_LAST

FREE_MAIL = {
    "US": ("gmail.com", "yahoo.com", "outlook.com", "icloud.com"),
    "PH": ("gmail.com", "yahoo.com.ph"),
    "GB": ("gmail.com", "btinternet.com", "outlook.com"),
    "IN": ("gmail.com", "rediffmail.com", "yahoo.co.in"),
}
LOCALES = {"US": "en_US", "PH": "en_PH", "GB": "en_GB", "IN": "en_IN"}


@dataclass(frozen=True)
class Customer:
    """A client's customer, member or subscriber with tagged contact details."""

    first: str
    last: str
    email: str
    phone: str
    address: str
    dob: str
    region: str

    def person(self) -> S:
        """Return the full name as a PERSON."""
        return S("PERSON", f"{self.first} {self.last}")

    def mail(self) -> S:
        """Return the email as an EMAIL_ADDRESS."""
        return S("EMAIL_ADDRESS", self.email)

    def tel(self) -> S:
        """Return the phone number as a PHONE_NUMBER."""
        return S("PHONE_NUMBER", self.phone)

    def addr(self) -> S:
        """Return the postal address as a LOCATION."""
        return S("LOCATION", self.address)

    def birth(self) -> S:
        """Return the date of birth as a DATE_OF_BIRTH."""
        return S("DATE_OF_BIRTH", self.dob)


def customers(estate: Estate, area: str, region: str, count: int) -> list[Customer]:
    """Return ``count`` distinct customers from a region (US, PH, GB or IN)."""
    rng = estate.rng(f"customers:{area}")
    fake = estate.faker(LOCALES[region], f"customers:{area}")
    out: list[Customer] = []
    names: set[str] = set()
    while len(out) < count:
        if region == "PH":
            first, last = rng.choice(PH_FIRST), rng.choice(PH_LAST)
        else:
            first, last = ascii_fold(fake.first_name()), ascii_fold(fake.last_name())
        if f"{first} {last}" in names:
            continue
        names.add(f"{first} {last}")
        local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        email = f"{local}{rng.randint(1, 98)}@{rng.choice(FREE_MAIL[region])}"
        out.append(
            Customer(
                first,
                last,
                email,
                phone(rng, region, rng.random() < 0.6),
                _address(fake, region),
                _dob(rng),
                region,
            )
        )
    return out


def _address(f: Faker, region: str) -> str:
    """Return a one-line postal address for the region."""
    if region == "US":
        text = f"{f.street_address()}, {f.city()}, {f.state_abbr()} {f.zipcode()}"
    elif region == "GB":
        text = f"{f.street_address()}, {f.city()}, {f.postcode()}"
    else:
        text = str(f.address())
    return ascii_fold(text.replace("\n", ", "))


def _dob(rng: random.Random) -> str:
    """Return an adult's date of birth as YYYY-MM-DD."""
    return (date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000))).isoformat()


def order_rows(rng: random.Random, as_of: date, count: int) -> list[list[str | float]]:
    """Return clean reconciliation rows whose numbers look like, but are not, identifiers."""
    rows: list[list[str | float]] = []
    for n in range(count):
        stamp = (
            f"{as_of - timedelta(days=rng.randint(1, 30))}T{rng.randint(0, 23):02d}:"
            f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
        )
        rows.append(
            [
                not_luhn_digits(rng, 16),
                f"SKU-{rng.randint(1000, 9999)}-{rng.randint(100, 999)}",
                f"TKT-{as_of.year}-{rng.randint(100000, 999999)}",
                not_luhn_digits(rng, 9),
                round(rng.uniform(5, 900), 2),
                stamp,
                f"v{rng.randint(2, 4)}.{rng.randint(0, 19)}.{n % 7}",
            ]
        )
    return rows


def order_csv(estate: Estate, area: str) -> Rendered:
    """Return a clean order/ticket reconciliation CSV (false-positive bait only)."""
    header = ("order_number", "sku", "ticket", "batch_id", "amount", "created_at", "app_version")
    return csv_doc(header, order_rows(estate.rng(area), estate.as_of, 30))


def handover_txt(estate: Estate, area: str, queue: str) -> Rendered:
    """Return a clean shift handover note: queue numbers, tickets and versions, no people."""
    rng = estate.rng(area)
    lines: list[Text] = [f"Shift handover - {queue} - {estate.as_of - timedelta(days=1)}", ""]
    for shift in ("Early", "Day", "Late"):
        offered = rng.randint(300, 900)
        lines.append(
            f"{shift}: offered {offered}, handled {offered - rng.randint(5, 60)}, "
            f"AHT {rng.randint(240, 520)}s, SLA {rng.randint(78, 96)}%, "
            f"backlog ticket TKT-{estate.as_of.year}-{rng.randint(100000, 999999)}"
        )
    lines += [
        "",
        f"Known issue: CRM build {rng.randint(2, 4)}.{rng.randint(0, 19)}.{rng.randint(0, 9)} "
        f"slow on search; vendor ref INC{not_luhn_digits(rng, 10)}.",
        f"Batch {not_luhn_digits(rng, 12)} re-run at 03:00, {rng.randint(1000, 5000)} rows OK.",
        "No customer data in this note - use the restricted share for case details.",
    ]
    return lines_doc(lines)


def sop_docx(estate: Estate, title: str, steps: list[str]) -> Rendered:
    """Return a clean standard-operating-procedure document."""
    paras: list[Para] = [("Title", title), ("Normal", f"Version 3.{len(steps)} - owner: QA")]
    paras += [("List Number", step) for step in steps]
    paras.append(("Normal", "Never paste full card, account or ID numbers into tickets."))
    return docx_doc(paras, estate.at(30), title)


def share(estate: Estate, client: str, rel: str, rendered: Rendered, days_ago: float) -> str:
    """Write one file under shares/<client>/ (a few working hours into its day)."""
    path = f"shares/{client}/{rel}"
    hours = 4 + int(hashlib.sha256(path.encode()).hexdigest()[:4], 16) % 600 / 60
    return estate.write(path, rendered, client=client, kind="share", days_ago=days_ago - hours / 24)


def quarter(day: date, back: int = 0) -> str:
    """Return a quarter label like 2026q4, optionally ``back`` quarters earlier."""
    index = day.year * 4 + (day.month - 1) // 3 - back
    return f"{index // 4}q{index % 4 + 1}"
