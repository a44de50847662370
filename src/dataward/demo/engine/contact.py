"""Generate phone numbers, emails and IP addresses in formats real to each region."""

from __future__ import annotations

import ipaddress
import random
import re

US_AREAS = [
    "212",
    "213",
    "214",
    "305",
    "312",
    "404",
    "415",
    "469",
    "503",
    "512",
    "602",
    "617",
    "646",
    "702",
    "704",
    "713",
    "773",
    "817",
    "832",
    "917",
    "929",
    "980",
]
PH_MOBILE = "905 906 915 916 917 926 927 935 936 945 955 956 965 966 975 995 997 918 919 920 939"
IN_FIRST = "6789"
GB_MOBILE_FIRST = ("74", "75", "77", "78", "79")
PUBLIC_V4_FIRST = {
    "US": (24, 68, 73, 98, 104),
    "PH": (49, 112, 119, 122, 180),
    "IN": (49, 103, 106, 117, 157),
    "GB": (81, 86, 90, 109, 151),
}
V6_PREFIXES = {"US": "2600:1700", "PH": "2001:4456", "IN": "2405:201", "GB": "2a00:23c7"}
PHONE_PATTERNS = {
    "US": re.compile(r"^(\+1 \d{3}-\d{3}-\d{4}|\(\d{3}\) \d{3}-\d{4})$"),
    "PH": re.compile(r"^(\+63 9\d{2} \d{3} \d{4}|09\d{2} \d{3} \d{4})$"),
    "GB": re.compile(r"^(\+44 7\d{3} \d{6}|07\d{3} \d{6})$"),
    "IN": re.compile(r"^\+91 [6-9]\d{4} \d{5}$"),
}


def phone(rng: random.Random, region: str, international: bool = True) -> str:
    """Return a mobile or landline number valid for the region (US, PH, GB or IN)."""
    return {"US": _us, "PH": _ph, "GB": _gb, "IN": _in}[region](rng, international)


def _line(rng: random.Random, count: int) -> str:
    """Return ``count`` random digits."""
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def _us(rng: random.Random, international: bool) -> str:
    """Return a NANP number: real area code, exchange 2-9 not N11 and not 555."""
    area = rng.choice(US_AREAS)
    while True:
        exchange = str(rng.randint(2, 9)) + _line(rng, 2)
        if exchange[1:] != "11" and exchange != "555":
            break
    line = _line(rng, 4)
    return f"+1 {area}-{exchange}-{line}" if international else f"({area}) {exchange}-{line}"


def _ph(rng: random.Random, international: bool) -> str:
    """Return a Philippine mobile number on a real network prefix."""
    prefix = rng.choice(PH_MOBILE.split())
    rest = f"{_line(rng, 3)} {_line(rng, 4)}"
    return f"+63 {prefix} {rest}" if international else f"0{prefix} {rest}"


def _gb(rng: random.Random, international: bool) -> str:
    """Return a UK mobile number outside Ofcom's drama range (07700 900xxx)."""
    while True:
        block = rng.choice(GB_MOBILE_FIRST) + _line(rng, 2)
        rest = _line(rng, 6)
        if not (block == "7700" and rest.startswith("900")):
            break
    return f"+44 {block} {rest}" if international else f"0{block} {rest}"


def _in(rng: random.Random, international: bool) -> str:
    """Return an Indian mobile number (first digit 6-9), always in +91 form."""
    digits = rng.choice(IN_FIRST) + _line(rng, 9)
    return f"+91 {digits[:5]} {digits[5:]}"


def is_phone(value: str, region: str) -> bool:
    """Return whether a value has the shape this module writes for the region."""
    return bool(PHONE_PATTERNS[region].match(value))


def public_ipv4(rng: random.Random, region: str) -> str:
    """Return a globally routable IPv4 address from ISP space typical of the region."""
    while True:
        first = rng.choice(PUBLIC_V4_FIRST[region])
        address = f"{first}.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if ipaddress.ip_address(address).is_global:
            return address


def public_ipv6(rng: random.Random, region: str) -> str:
    """Return a globally routable IPv6 address in compressed form."""
    tail = ":".join(f"{rng.randint(1, 0xFFFF):x}" for _ in range(6))
    return str(ipaddress.ip_address(f"{V6_PREFIXES[region]}:{tail}"))


def site_ipv4(rng: random.Random, site_octet: int) -> str:
    """Return a private workstation address inside a site's 10.x.0.0/16."""
    return f"10.{site_octet}.{rng.randint(1, 30)}.{rng.randint(10, 250)}"


def email_for(first: str, last: str, domain: str, rng: random.Random | None = None) -> str:
    """Return a lowercase email built from a name, with a number suffix when rng is given."""
    local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    if rng is not None and rng.random() < 0.5:
        local += str(rng.randint(1, 99))
    return f"{local}@{domain}"
