"""Make the labeled values of the corpus: names, phones, birth dates and national identifiers."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, timedelta

import phonenumbers
from faker import Faker
from stdnum import iban

from dataward.demo.engine import identifiers as ids
from dataward.demo.engine.clients import BPO_DOMAIN
from dataward.demo.engine.contact import PH_MOBILE, US_AREAS, public_ipv4, public_ipv6
from dataward.demo.engine.corpus_build import Ctx, Factory, Value
from dataward.demo.engine.documents import FREE_MAIL, LOCALES
from dataward.demo.engine.model import ascii_fold
from dataward.demo.engine.people import PH_FIRST, PH_LAST

REGIONS = ("US", "GB", "IN", "PH")
MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July", "August")
MONTHS += ("September", "October", "November", "December")
DATE_STYLES = {
    "US": ("{m:02d}/{d:02d}/{y}", "{mn} {d}, {y}", "{y}-{m:02d}-{d:02d}", "{m}/{d}/{y}"),
    "GB": ("{d:02d}/{m:02d}/{y}", "{d} {mn} {y}", "{d:02d}-{ma}-{y}", "{y}-{m:02d}-{d:02d}"),
    "IN": ("{d:02d}/{m:02d}/{y}", "{d:02d}-{m:02d}-{y}", "{d:02d}.{m:02d}.{y}", "{d} {ma} {y}"),
    "PH": ("{m:02d}/{d:02d}/{y}", "{mn} {d}, {y}", "{y}-{m:02d}-{d:02d}", "{d} {mn} {y}"),
}
TODAY = date(2026, 11, 29)
POOL_SEED, POOL_NAMES, POOL_ADDRESSES = 2026, 1500, 400
IBAN_BBAN = {"DE": "##################", "IE": "##############", "NL": "##########"}
IBAN_BANKS = {"DE": ("",), "IE": ("AIBK", "BOFI", "IPBS"), "NL": ("ABNA", "INGB", "RABO")}
WORK_DOMAINS = (BPO_DOMAIN, "northbank-cards.com", "carewellhealth.org", "telora.co.uk")


def _digits(ctx: Ctx, count: int) -> str:
    """Return ``count`` random digits."""
    return "".join(string.digits[ctx.rng.randrange(10)] for _ in range(count))


@dataclass(frozen=True)
class Pool:
    """Names and one-line addresses drawn once from a Faker locale, to pick from quickly."""

    firsts: tuple[str, ...]
    lasts: tuple[str, ...]
    addresses: tuple[str, ...]


_POOLS: dict[str, Pool] = {}


def pool(region: str) -> Pool:
    """Return the region's pool, drawing it from Faker with a fixed seed on first use."""
    if region not in _POOLS:
        fake = Faker(LOCALES[region])
        fake.seed_instance(POOL_SEED)
        firsts = tuple(ascii_fold(fake.first_name()) for _ in range(POOL_NAMES))
        lasts = tuple(ascii_fold(fake.last_name()) for _ in range(POOL_NAMES))
        if region == "PH":
            firsts, lasts = firsts + PH_FIRST * 100, lasts + PH_LAST * 100
        addresses = tuple(
            ascii_fold(fake.address()).replace("\n", ", ") for _ in range(POOL_ADDRESSES)
        )
        _POOLS[region] = Pool(firsts, lasts, addresses)
    return _POOLS[region]


def name_for(ctx: Ctx, region: str) -> tuple[str, str]:
    """Return a (first, last) name typical of a region."""
    names = pool(region)
    return ctx.pick(names.firsts), ctx.pick(names.lasts)


def _person(role: str, local: bool) -> Factory:
    """Return a factory for a named person; it also fills ``<role>_first`` and ``_last``.

    Number only ``other`` slots (``other2``): a numbered ``cust2`` would overwrite the parts.
    """

    def make(ctx: Ctx) -> Value:
        region = ctx.region if local else ctx.pick(REGIONS)
        first, last = name_for(ctx, region)
        if role != "other":
            ctx.cache[f"{role}_first"] = ("PERSON", first)
            ctx.cache[f"{role}_last"] = ("PERSON", last)
        return "PERSON", f"{first} {last}"

    return make


def _part(role: str, which: str) -> Factory:
    """Return a factory for the first or last name of a role's person."""

    def make(ctx: Ctx) -> Value:
        ctx.get(role)
        return ctx.cache[f"{role}_{which}"]

    return make


def _email(ctx: Ctx) -> Value:
    """Return the customer's personal email address."""
    first, last = ctx.text("cust_first").lower(), ctx.text("cust_last").lower()
    local = ctx.pick((f"{first}.{last}", f"{first}{last[:1]}", f"{first[:1]}{last}", first))
    local = local.replace(" ", "").replace("'", "") + str(ctx.rng.randint(1, 99))
    return "EMAIL_ADDRESS", f"{local}@{ctx.pick(FREE_MAIL[ctx.region])}"


def _agent_email(ctx: Ctx) -> Value:
    """Return the agent's work email address."""
    first, last = ctx.text("agent_first").lower(), ctx.text("agent_last").lower()
    local = f"{first}.{last}".replace(" ", "").replace("'", "")
    return "EMAIL_ADDRESS", f"{local}@{ctx.pick(WORK_DOMAINS)}"


def _us_phone(ctx: Ctx) -> str:
    """Return a US number in one of the written forms."""
    area, line = ctx.pick(US_AREAS), _digits(ctx, 4)
    exchange = str(ctx.rng.randint(2, 9)) + _digits(ctx, 2)
    forms = ("({a}) {e}-{n}", "{a}-{e}-{n}", "+1 {a} {e} {n}", "+1 ({a}) {e}-{n}", "{a}.{e}.{n}")
    return ctx.pick(forms).format(a=area, e=exchange, n=line)


def _gb_phone(ctx: Ctx) -> str:
    """Return a UK mobile or landline in one of the written forms."""
    if ctx.rng.random() < 0.6:
        block, rest = "7" + ctx.pick("45789") + _digits(ctx, 2), _digits(ctx, 6)
        forms = ("0{b} {r}", "+44 {b} {r}", "+44 (0){b} {r}", "0{b}{r}")
        return ctx.pick(forms).format(b=block, r=rest)
    if ctx.rng.random() < 0.5:
        num = ctx.pick("378") + _digits(ctx, 7)
        return ctx.pick(("020 {a} {b}", "+44 20 {a} {b}")).format(a=num[:4], b=num[4:])
    area = ctx.pick(("113", "161", "121", "117", "131", "141"))
    num = ctx.pick("2345") + _digits(ctx, 6)
    return ctx.pick(("0{c} {a} {b}", "+44 {c} {a} {b}")).format(c=area, a=num[:3], b=num[3:])


def _in_phone(ctx: Ctx) -> str:
    """Return an Indian mobile in one of the written forms."""
    num = ctx.pick("6789") + _digits(ctx, 9)
    forms = ("+91 {a} {b}", "0{a} {b}", "+91-{a}-{b}", "{a} {b}", "+91 {a}{b}")
    return ctx.pick(forms).format(a=num[:5], b=num[5:])


def _ph_phone(ctx: Ctx) -> str:
    """Return a Philippine mobile or Manila landline in one of the written forms."""
    if ctx.rng.random() < 0.15:
        num = "8" + _digits(ctx, 7)
        return ctx.pick(("(02) {a} {b}", "+63 2 {a} {b}")).format(a=num[:4], b=num[4:])
    prefix, rest = ctx.pick(PH_MOBILE.split()), _digits(ctx, 7)
    forms = ("0{p} {a} {b}", "+63 {p} {a} {b}", "0{p}-{a}-{b}", "+63{p}{a}{b}")
    return ctx.pick(forms).format(p=prefix, a=rest[:3], b=rest[3:])


PHONES = {"US": _us_phone, "GB": _gb_phone, "IN": _in_phone, "PH": _ph_phone}


def is_valid_phone(text: str, region: str) -> bool:
    """Return whether ``phonenumbers`` accepts a written number as valid for a region."""
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(text, region)))
    except phonenumbers.NumberParseException:
        return False


def _phone(ctx: Ctx) -> Value:
    """Return a phone number of the document's region that phonenumbers accepts."""
    while True:
        text = PHONES[ctx.region](ctx)
        if is_valid_phone(text, ctx.region):
            return "PHONE_NUMBER", text


def format_date(ctx: Ctx, day: date, commas: bool = True) -> str:
    """Return a date written the way people in the document's region write it."""
    styles = DATE_STYLES[ctx.region]
    style = ctx.pick(styles if commas else tuple(s for s in styles if "," not in s))
    month = MONTHS[day.month - 1]
    return style.format(d=day.day, m=day.month, y=day.year, mn=month, ma=month[:3])


def _dob(ctx: Ctx, commas: bool = True) -> Value:
    """Return a birth date between 1950 and 2006."""
    day = date(1950, 1, 1) + timedelta(days=ctx.rng.randint(0, 20_500))
    return "DATE_OF_BIRTH", format_date(ctx, day, commas)


def _card(ctx: Ctx) -> Value:
    """Return a Luhn-valid card number, grouped, dashed or run together."""
    amex = ctx.rng.random() < 0.15
    number = ids.card_number(ctx.rng, amex)
    cuts = (0, 4, 10, 15) if amex else (0, 4, 8, 12, 16)
    groups = [number[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    return "CREDIT_CARD", ctx.pick((" ", "-", "", " ")).join(groups)


def _foreign_iban(ctx: Ctx, country: str) -> str:
    """Return a checksum-valid German, Irish or Dutch IBAN."""
    while True:
        bban = ctx.pick(IBAN_BANKS[country]) + _digits(ctx, len(IBAN_BBAN[country]))
        number = f"{country}{iban.calc_check_digits(country + '00' + bban)}{bban}"
        if iban.is_valid(number):
            return number


def _iban(ctx: Ctx) -> Value:
    """Return a checksum-valid IBAN, mostly British, compact or in groups of four."""
    if ctx.rng.random() < 0.6:
        number = ids.gb_iban(ctx.rng)
    else:
        number = _foreign_iban(ctx, ctx.pick(("DE", "IE", "NL")))
    return "IBAN_CODE", ids.group_iban(number) if ctx.rng.random() < 0.5 else number


def _sep(ctx: Ctx, groups: list[str], seps: str) -> str:
    """Join groups with one separator drawn from ``seps`` ('_' means none)."""
    return ctx.pick(seps).replace("_", "").join(groups)


def _ssn(ctx: Ctx) -> Value:
    """Return a rule-abiding US SSN, dashed or spaced."""
    return "US_SSN", _sep(ctx, ids.us_ssn(ctx.rng).split("-"), "--- ")


def _nhs(ctx: Ctx) -> Value:
    """Return an NHS number spaced 3-3-4, dashed or run together."""
    return "UK_NHS", _sep(ctx, ids.uk_nhs(ctx.rng).split(" "), "  -_")


def _nino(ctx: Ctx) -> Value:
    """Return a UK National Insurance number, spaced or compact."""
    value = ids.uk_nino(ctx.rng)
    return "UK_NINO", value if ctx.rng.random() < 0.5 else value.replace(" ", "")


def _aadhaar(ctx: Ctx) -> Value:
    """Return an Aadhaar number, spaced 4-4-4, dashed or compact."""
    return "IN_AADHAAR", _sep(ctx, ids.in_aadhaar(ctx.rng).split(" "), "   -_")


def _pan(ctx: Ctx) -> Value:
    """Return the customer's PAN (its fifth letter is their surname's initial)."""
    return "IN_PAN", ids.in_pan(ctx.rng, ctx.text("cust_last"))


def _tin(ctx: Ctx) -> Value:
    """Return a Philippine TIN with or without the branch code."""
    value = ids.ph_tin(ctx.rng)
    return "PH_TIN", value if ctx.rng.random() < 0.6 else value[:11]


def _passport(ctx: Ctx) -> Value:
    """Return a US passport book number: nine digits or a letter and eight digits."""
    if ctx.rng.random() < 0.3:
        return "US_PASSPORT", ctx.pick("ACEFGH") + _digits(ctx, 8)
    return "US_PASSPORT", ids.us_passport(ctx.rng)


def _ip(ctx: Ctx) -> Value:
    """Return a public IPv4 address typical of the region."""
    return "IP_ADDRESS", public_ipv4(ctx.rng, ctx.region)


def _ip_lan(ctx: Ctx) -> Value:
    """Return a private workstation IPv4 address."""
    a, b, c = ctx.rng.randint(10, 60), ctx.rng.randint(1, 30), ctx.rng.randint(10, 250)
    return "IP_ADDRESS", f"10.{a}.{b}.{c}"


PII: dict[str, Factory] = {
    "cust": _person("cust", True),
    "agent": _person("agent", False),
    "mgr": _person("mgr", False),
    "other": _person("other", True),
    "email": _email,
    "agent_email": _agent_email,
    "phone": _phone,
    "dob": _dob,
    "dob_csv": lambda ctx: _dob(ctx, commas=False),
    "card": _card,
    "iban": _iban,
    "ssn": _ssn,
    "nhs": _nhs,
    "nino": _nino,
    "aadhaar": _aadhaar,
    "pan": _pan,
    "tin": _tin,
    "sss": lambda ctx: ("PH_SSS", ids.ph_sss(ctx.rng)),
    "acct": lambda ctx: ("US_BANK_NUMBER", ids.us_bank_account(ctx.rng)),
    "passport": _passport,
    "ip": _ip,
    "ip_lan": _ip_lan,
    "ip_six": lambda ctx: ("IP_ADDRESS", public_ipv6(ctx.rng, ctx.region)),
}
for _role in ("cust", "agent", "mgr"):
    for _which in ("first", "last"):
        PII[f"{_role}_{_which}"] = _part(_role, _which)
