"""Make the corpus's secrets and its hard negatives: look-alikes that must stay unlabeled."""

from __future__ import annotations

import string
import uuid
from datetime import date, datetime, timedelta

from dataward.demo.engine import identifiers as ids
from dataward.demo.engine.corpus_build import Ctx, Factory, Value
from dataward.demo.engine.corpus_values import TODAY, format_date, pool

ALNUM = string.ascii_letters + string.digits
COMPANIES = (
    "Northbank Card Services",
    "Carewell Health Partners",
    "Telora Mobile",
    "Meridian Contact Solutions",
    "Brightpath Insurance",
    "Harbour Lane Utilities",
)
PRODUCTS = (
    "Premier Rewards Card",
    "Carewell Plus Plan",
    "Telora Unlimited 5G",
    "HomeShield Cover",
    "Everyday Saver Account",
    "FlexPay Instalments",
)
HOSTS = ("db-prod-{n:02d}.corp.internal", "crm-app-{n:02d}.ops.local", "jump{n:02d}.mcs.lan")
CURRENCY = {"US": "$", "GB": "GBP ", "IN": "INR ", "PH": "PHP "}
TEST_CARDS = ("4111 1111 1111 1111", "4242 4242 4242 4242", "5555 5555 5555 4444")


def _chars(ctx: Ctx, alphabet: str, count: int) -> str:
    """Return ``count`` characters drawn from an alphabet."""
    return "".join(alphabet[ctx.rng.randrange(len(alphabet))] for _ in range(count))


def _num(ctx: Ctx, count: int) -> str:
    """Return ``count`` random digits."""
    return _chars(ctx, string.digits, count)


def _aws_id(ctx: Ctx) -> Value:
    """Return an AWS access key id and remember its secret for ``aws_secret``."""
    key_id, secret = ids.aws_key_pair(ctx.rng)
    ctx.cache["aws_secret"] = ("SECRET", secret)
    return "SECRET", key_id


def _aws_secret(ctx: Ctx) -> Value:
    """Return the secret access key paired with the document's key id."""
    ctx.get("aws_id")
    return ctx.cache["aws_secret"]


def _address(ctx: Ctx) -> Value:
    """Return a one-line postal address typical of the region (unlabeled)."""
    return None, ctx.pick(pool(ctx.region).addresses)


def _token(ctx: Ctx) -> Value:
    """Return a GitHub, Slack or Stripe style token."""
    kind = ctx.rng.randrange(4)
    if kind == 0:
        return "SECRET", "ghp_" + _chars(ctx, ALNUM, 36)
    if kind == 1:
        return "SECRET", f"github_pat_{_chars(ctx, ALNUM, 22)}_{_chars(ctx, ALNUM, 59)}"
    if kind == 2:
        return "SECRET", f"xoxb-{_num(ctx, 12)}-{_num(ctx, 13)}-{_chars(ctx, ALNUM, 24)}"
    return "SECRET", ctx.pick(("sk_live_", "rk_live_")) + _chars(ctx, ALNUM, 28)


def _pem(ctx: Ctx) -> Value:
    """Return a whole private-key PEM block, armour lines included."""
    label = ctx.pick(("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"))
    body = "\n".join(ids.pem_body(ctx.rng, ctx.rng.randint(5, 12)))
    return "SECRET", f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


def _password(ctx: Ctx) -> Value:
    """Return a password value (as found after ``password=`` or inside a URL)."""
    if ctx.rng.random() < 0.3:
        word = ctx.pick(("Winter", "Harbour", "Mango", "Falcon", "Orchid", "Copper"))
        return "SECRET", f"{word}{_num(ctx, 4)}{ctx.pick('!#$*')}{_chars(ctx, ALNUM, 3)}"
    return "SECRET", ids.password(ctx.rng).replace("*", "#")


def _recent(ctx: Ctx) -> date:
    """Return a date within the last two years."""
    return TODAY - timedelta(days=ctx.rng.randint(0, 700))


def _stamp(ctx: Ctx) -> Value:
    """Return a timestamp in an ISO or log style."""
    moment = datetime.combine(_recent(ctx), datetime.min.time()) + timedelta(
        seconds=ctx.rng.randint(0, 86399)
    )
    style = ctx.pick(
        ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%b %d %H:%M:%S")
    )
    return None, moment.strftime(style)


def _epoch(ctx: Ctx) -> Value:
    """Return a Unix time in seconds or milliseconds."""
    seconds = ctx.rng.randint(1_730_000_000, 1_764_400_000)
    return None, str(seconds) if ctx.rng.random() < 0.6 else f"{seconds}{_num(ctx, 3)}"


def _version(ctx: Ctx) -> Value:
    """Return a software version or build number."""
    r = ctx.rng.randint
    forms = (
        f"v{r(1, 9)}.{r(0, 20)}.{r(0, 40)}",
        f"10.0.{r(17000, 26100)}",
        f"{r(2, 9)}.{r(1, 30)}.{r(1000, 9999)}.{r(1, 9)}",
        f"build {r(19000, 26100)}.{r(1000, 5000)}",
    )
    return None, ctx.pick(forms)


def _order(ctx: Ctx) -> Value:
    """Return an order number in a retailer style."""
    forms = (
        f"ORD-2026-{_num(ctx, 6)}",
        f"{_num(ctx, 3)}-{_num(ctx, 7)}-{_num(ctx, 7)}",
        f"PO-{_num(ctx, 5)}",
        f"#{_num(ctx, 9)}",
    )
    return None, ctx.pick(forms)


def _tracking(ctx: Ctx) -> Value:
    """Return a parcel tracking number."""
    if ctx.rng.random() < 0.5:
        return None, f"1Z{_chars(ctx, string.ascii_uppercase + string.digits, 6)}{_num(ctx, 10)}"
    digits = "9400" + _num(ctx, 18)
    return None, " ".join(digits[i : i + 4] for i in range(0, 22, 4))


def _amount(ctx: Ctx) -> Value:
    """Return a money amount in the region's currency."""
    value = ctx.rng.randint(100, 9_999_900) / 100
    return None, f"{CURRENCY[ctx.region]}{value:,.2f}"


def _bad_ssn(ctx: Ctx) -> Value:
    """Return a number shaped like an SSN that breaks the area, group or serial rules."""
    r = ctx.rng.randint
    forms = (
        f"000-{r(10, 99)}-{r(1000, 9999)}",
        f"666-{r(10, 99)}-{r(1000, 9999)}",
        f"9{r(0, 99):02d}-{r(10, 99)}-{r(1000, 9999)}",
        f"{r(100, 665)}-00-{r(1000, 9999)}",
        f"{r(100, 665)}-{r(10, 99)}-0000",
    )
    return None, ctx.pick(forms)


def _bad_card(ctx: Ctx) -> Value:
    """Return sixteen digits that fail Luhn, grouped like a card."""
    digits = ids.not_luhn_digits(ctx.rng, 16)
    return None, " ".join(digits[i : i + 4] for i in range(0, 16, 4))


def _msgid(ctx: Ctx) -> Value:
    """Return an email Message-ID in angle brackets."""
    host = ctx.pick(("mail.gmail.com", "mx.meridiancs.com", "eu-west-1.amazonses.com"))
    return None, f"<{_chars(ctx, ALNUM, 22)}.{_num(ctx, 6)}@{host}>"


def _uuid(ctx: Ctx) -> Value:
    """Return a random version-4 UUID."""
    return None, str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4))


def _aws_example(ctx: Ctx) -> Value:
    """Return a documentation-style placeholder key id ending in EXAMPLE."""
    return None, "AKIA" + _chars(ctx, string.ascii_uppercase + "234567", 9) + "EXAMPLE"


NOISE: dict[str, Factory] = {
    "aws_id": _aws_id,
    "aws_secret": _aws_secret,
    "token": _token,
    "pem": _pem,
    "pw": _password,
    "apikey": lambda ctx: ("SECRET", _chars(ctx, string.hexdigits.lower()[:16], 32)),
    "ts": _stamp,
    "epoch": _epoch,
    "version": _version,
    "order": _order,
    "tracking": _tracking,
    "amount": _amount,
    "bad_ssn": _bad_ssn,
    "bad_card": _bad_card,
    "test_card": lambda ctx: (None, ctx.pick(TEST_CARDS)),
    "msgid": _msgid,
    "uuid": _uuid,
    "aws_example": _aws_example,
    "sha": lambda ctx: (None, _chars(ctx, "0123456789abcdef", 40)),
    "date": lambda ctx: (None, format_date(ctx, _recent(ctx))),
    "date_csv": lambda ctx: (None, format_date(ctx, _recent(ctx), commas=False)),
    "future": lambda ctx: (None, format_date(ctx, TODAY + timedelta(days=ctx.rng.randint(1, 60)))),
    "invoice": lambda ctx: (None, ctx.pick(("INV-", "INV/2026/", "BILL-")) + _num(ctx, 6)),
    "ticket": lambda ctx: (None, ctx.pick(("INC", "CS-", "TKT-", "REQ")) + _num(ctx, 7)),
    "sku": lambda ctx: (None, f"SKU-{_num(ctx, 5)}-{ctx.pick(('BLK', 'WHT', 'XL', 'M'))}"),
    "host": lambda ctx: (None, ctx.pick(HOSTS).format(n=ctx.rng.randint(1, 40))),
    "company": lambda ctx: (None, ctx.pick(COMPANIES)),
    "product": lambda ctx: (None, ctx.pick(PRODUCTS)),
    "emp_id": lambda ctx: (None, f"E{ctx.rng.randint(10100, 19999)}"),
    "cust_id": lambda ctx: (None, f"CUST-{_num(ctx, 8)}"),
    "claim_no": lambda ctx: (None, f"CLM-2026-{_num(ctx, 6)}"),
    "policy": lambda ctx: (None, f"POL{_num(ctx, 8)}"),
    "last_four": lambda ctx: (None, _num(ctx, 4)),
    "expiry": lambda ctx: (None, f"{ctx.rng.randint(1, 12):02d}/{ctx.rng.randint(27, 31)}"),
    "user": lambda ctx: (None, ctx.pick(("svc_", "app_", "etl_", "")) + ctx.pick(("crm", "ops"))),
    "port": lambda ctx: (None, ctx.pick(("5432", "3306", "1433", "6379", "27017"))),
    "mins": lambda ctx: (None, str(ctx.rng.randint(2, 48))),
    "addr": _address,
}
