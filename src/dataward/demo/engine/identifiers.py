"""Generate identifiers that pass their real validation rules (checked with python-stdnum)."""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable

from stdnum import iban, luhn, verhoeff
from stdnum.gb import nhs
from stdnum.in_ import aadhaar, pan
from stdnum.us import rtn, ssn

# Well-known documentation and gateway test numbers that must never be generated.
TEST_CARDS = frozenset(
    {
        "4111111111111111",
        "4242424242424242",
        "4012888888881881",
        "4000056655665556",
        "5555555555554444",
        "5105105105105100",
        "2223003122003222",
        "378282246310005",
        "371449635398431",
        "6011111111111117",
        "6011000990139424",
    }
)
CARD_PREFIXES = (("4", 16), ("51", 16), ("53", 16), ("55", 16), ("2221", 16), ("6011", 16))
CARD_PREFIXES_AMEX = (("34", 15), ("37", 15))
NINO_BAD_FIRST = set("DFIQUV")
NINO_BAD_SECOND = set("DFIOQUV")
NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
NINO_RE = re.compile(r"^([A-Z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])$")
PH_TIN_RE = re.compile(r"^[1-9]\d{2}-\d{3}-\d{3}-\d{3}$")
PH_SSS_RE = re.compile(r"^(0[1-9]|[1-3]\d)-\d{7}-\d$")
PASSPORT_RE = re.compile(r"^[1-9]\d{8}$")
GB_BANKS = ("NWBK", "BARC", "LOYD", "HBUK", "MIDL")
ROUTING_PREFIXES = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "21")
AWS_ALPHABET = string.ascii_uppercase + "234567"
B64 = string.ascii_letters + string.digits + "+/"


def _until_valid(make: Callable[[], str], valid: Callable[[str], bool]) -> str:
    """Draw candidates until one validates (a handful of tries at most)."""
    while True:
        candidate = make()
        if valid(candidate):
            return candidate


def _digits(rng: random.Random, count: int) -> str:
    """Return ``count`` random decimal digits."""
    return "".join(rng.choice(string.digits) for _ in range(count))


def card_number(rng: random.Random, amex: bool = False) -> str:
    """Return a Luhn-valid card number with a real issuer prefix, never a test number."""
    prefix, length = rng.choice(CARD_PREFIXES_AMEX if amex else CARD_PREFIXES)
    body = prefix + _digits(rng, length - len(prefix) - 1)
    number = body + luhn.calc_check_digit(body)
    return number if number not in TEST_CARDS else card_number(rng, amex)


def group_card(number: str) -> str:
    """Format a card number in groups of four as printed on letters."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def us_ssn(rng: random.Random) -> str:
    """Return a US SSN (AAA-GG-SSSS) that obeys the area, group and serial rules."""

    def make() -> str:
        area = rng.choice([n for n in range(1, 900) if n != 666])
        return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"

    return _until_valid(make, ssn.is_valid)


def gb_iban(rng: random.Random) -> str:
    """Return a GB IBAN with a valid mod-97 checksum."""
    bban = rng.choice(GB_BANKS) + _digits(rng, 14)
    check = iban.calc_check_digits("GB00" + bban)
    number = f"GB{check}{bban}"
    return number if iban.is_valid(number) else gb_iban(rng)


def group_iban(number: str) -> str:
    """Format an IBAN in groups of four."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def uk_nhs(rng: random.Random) -> str:
    """Return an NHS number (mod-11) formatted 3-3-4."""

    def make() -> str:
        body = str(rng.randint(400, 499)) + _digits(rng, 6)
        weighted = sum(w * int(d) for w, d in enumerate(reversed(body), start=2))
        return f"{body}{(-weighted) % 11 % 10}"

    number = _until_valid(make, nhs.is_valid)
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def is_uk_nino(value: str) -> bool:
    """Return whether a value is a well-formed UK National Insurance number."""
    match = NINO_RE.match(value)
    if not match:
        return False
    prefix = match.group(1)
    return (
        prefix[0] not in NINO_BAD_FIRST
        and prefix[1] not in NINO_BAD_SECOND
        and prefix not in NINO_BAD_PREFIXES
    )


def uk_nino(rng: random.Random) -> str:
    """Return a UK NINO with an allocatable prefix, formatted QQ 12 34 56 C."""

    def make() -> str:
        prefix = "".join(rng.choice(string.ascii_uppercase) for _ in range(2))
        d = _digits(rng, 6)
        return f"{prefix} {d[:2]} {d[2:4]} {d[4:]} {rng.choice('ABCD')}"

    return _until_valid(make, is_uk_nino)


def in_aadhaar(rng: random.Random) -> str:
    """Return a Verhoeff-valid Aadhaar number formatted 4-4-4."""

    def make() -> str:
        body = str(rng.randint(2, 9)) + _digits(rng, 10)
        return body + verhoeff.calc_check_digit(body)

    number = _until_valid(make, aadhaar.is_valid)
    return f"{number[:4]} {number[4:8]} {number[8:]}"


def in_pan(rng: random.Random, surname: str) -> str:
    """Return an individual's PAN: AAA + P + surname initial + 4 digits + letter."""
    initial = (surname[:1] or "K").upper()
    if initial not in string.ascii_uppercase:
        initial = "K"

    def make() -> str:
        head = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
        return f"{head}P{initial}{rng.randint(1, 9999):04d}{rng.choice(string.ascii_uppercase)}"

    return _until_valid(make, pan.is_valid)


def is_ph_tin(value: str) -> bool:
    """Return whether a value looks like a Philippine TIN with branch code (123-456-789-000)."""
    return bool(PH_TIN_RE.match(value)) and len(set(value.replace("-", ""))) > 2


def ph_tin(rng: random.Random) -> str:
    """Return a Philippine TIN with the head-office branch code 000."""

    def make() -> str:
        d = str(rng.randint(1, 9)) + _digits(rng, 8)
        return f"{d[:3]}-{d[3:6]}-{d[6:]}-000"

    return _until_valid(make, is_ph_tin)


def is_ph_sss(value: str) -> bool:
    """Return whether a value is a well-formed Philippine SSS number (NN-NNNNNNN-N)."""
    return bool(PH_SSS_RE.match(value)) and len(set(value.replace("-", ""))) > 2


def ph_sss(rng: random.Random) -> str:
    """Return a Philippine SSS number formatted 34-1234567-8."""
    return _until_valid(
        lambda: f"{rng.randint(1, 39):02d}-{_digits(rng, 7)}-{rng.randint(0, 9)}", is_ph_sss
    )


def us_routing(rng: random.Random) -> str:
    """Return an ABA routing number with a Federal Reserve prefix and a valid checksum."""

    def make() -> str:
        body = rng.choice(ROUTING_PREFIXES) + _digits(rng, 6)
        return body + rtn.calc_check_digit(body)

    return _until_valid(make, rtn.is_valid)


def us_bank_account(rng: random.Random) -> str:
    """Return a US bank account number of 10 to 12 digits."""
    return str(rng.randint(1, 9)) + _digits(rng, rng.randint(9, 11))


def is_us_passport(value: str) -> bool:
    """Return whether a value is a nine-digit US passport book number."""
    return bool(PASSPORT_RE.match(value))


def us_passport(rng: random.Random) -> str:
    """Return a nine-digit US passport book number."""
    return str(rng.randint(5, 6)) + _digits(rng, 8)


def aws_key_pair(rng: random.Random) -> tuple[str, str]:
    """Return an AWS-style access key id (AKIA...) and a 40-character secret."""
    key_id = "AKIA" + "".join(rng.choice(AWS_ALPHABET) for _ in range(16))
    secret = "".join(rng.choice(B64) for _ in range(40))
    return key_id, secret


def password(rng: random.Random) -> str:
    """Return a strong-looking password that fits in a connection string."""
    alphabet = string.ascii_letters + string.digits + "!*-_"
    return "".join(rng.choice(alphabet) for _ in range(18))


def pem_body(rng: random.Random, lines: int = 8) -> list[str]:
    """Return the base64 body lines of a fake RSA private key block."""
    body = ["MIIEowIBAAKCAQEA" + "".join(rng.choice(B64) for _ in range(48))]
    body += ["".join(rng.choice(B64) for _ in range(64)) for _ in range(lines - 2)]
    body.append("".join(rng.choice(B64) for _ in range(40)) + "==")
    return body


def not_luhn_digits(rng: random.Random, count: int) -> str:
    """Return digits that look like a card number but fail Luhn (false-positive bait)."""
    return _until_valid(lambda: str(rng.randint(1, 9)) + _digits(rng, count - 1), _not_luhn)


def _not_luhn(value: str) -> bool:
    """Return whether a digit string fails Luhn and is not SSN- or Aadhaar-shaped-valid."""
    return not luhn.is_valid(value) and not aadhaar.is_valid(value) and not ssn.is_valid(value)
