"""Write tabular exports (tickets, CRM, payroll, orders) and KYC onboarding forms."""

from __future__ import annotations

from collections.abc import Sequence

from dataward.demo.engine.corpus_build import Builder, Ctx, choose

Columns = Sequence[tuple[str, str]]
DESC = "<free-text description>"

TICKET_COLUMNS: Columns = (
    ("ticket_id", "{ticket}"),
    ("created_at", "{ts}"),
    ("customer_name", "{cust}"),
    ("customer_email", "{email}"),
    ("phone", "{phone}"),
    ("channel", "{channel}"),
    ("assigned_to", "{agent}"),
    ("description", DESC),
    ("status", "{status}"),
)
DESCRIPTIONS = (
    "Card declined at checkout",
    "Customer says card {card} was charged twice",
    "Refund for order {order}",
    "Wants statements sent to {email2}",
    "Callback requested on {phone2}",
    "Password reset loop on app {version}",
    "Parcel {tracking} lost",
    "Address change; DOB {dob} verified",
    "Complaint about Customer Service wait time",
    "Duplicate of {ticket2}",
)
REGION_ID_COLUMN = {
    "US": (("ssn", "{ssn}"), ("checking_account", "{acct}"), ("passport_no", "{passport}")),
    "GB": (("ni_number", "{nino}"), ("iban", "{iban}"), ("nhs_number", "{nhs}")),
    "IN": (("pan", "{pan}"), ("aadhaar", "{aadhaar}")),
    "PH": (("sss_no", "{sss}"), ("tin", "{tin}")),
}
CRM_COLUMNS: Columns = (
    ("customer_id", "{cust_id}"),
    ("first_name", "{cust_first}"),
    ("last_name", "{cust_last}"),
    ("email", "{email}"),
    ("mobile", "{phone}"),
    ("date_of_birth", "{dob_csv}"),
    ("segment", "{product}"),
    ("created", "{ts}"),
    ("lifetime_value", "{amount}"),
)
PAYROLL_COLUMNS: Columns = (
    ("emp_id", "{emp_id}"),
    ("employee_name", "{cust}"),
    ("pay_date", "{date_csv}"),
    ("gross", "{amount}"),
    ("net", "{amount2}"),
    ("dob", "{dob_csv}"),
    ("work_email", "{agent_email}"),
)
ORDER_COLUMNS: Columns = (
    ("order_no", "{order}"),
    ("sku", "{sku}"),
    ("ordered_at", "{ts}"),
    ("amount", "{amount}"),
    ("invoice", "{invoice}"),
    ("tracking", "{tracking}"),
    ("carrier_build", "{version}"),
    ("epoch", "{epoch}"),
)


def _table(b: Builder, ctx: Ctx, columns: Columns, rows: int, sep: str = ",") -> None:
    """Write a header and ``rows`` rows, each row drawing a fresh set of values."""
    b.line(sep.join(name for name, _ in columns), ctx)
    for _ in range(rows):
        row = ctx.fresh()
        row.cache["channel"] = (None, row.pick(("phone", "email", "chat", "web")))
        row.cache["status"] = (None, row.pick(("open", "pending", "solved", "closed")))
        for i, (_, template) in enumerate(columns):
            if i:
                b.add(sep)
            if template == DESC:
                b.add('"')
                b.fill(row.pick(DESCRIPTIONS), row)
                b.add('"')
            else:
                b.fill(template, row)
        b.add("\n")


def _amount_plain(ctx: Ctx) -> None:
    """Make the context write amounts without thousands commas (they would split cells)."""
    value = ctx.rng.randint(100, 999_999) / 100
    ctx.cache["amount"] = (None, f"{value:.2f}")


def ticket_csv(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write a helpdesk ticket export; nearly clean documents become order exports."""
    rows = ctx.rng.randint(3, 12) * (dense + 1) * ctx.scale
    if dense == 0:
        _orders(b, ctx, rows)
        return
    _table(b, ctx, TICKET_COLUMNS, rows)


def _orders(b: Builder, ctx: Ctx, rows: int) -> None:
    """Write an order export with no personal data at all."""
    b.line(",".join(name for name, _ in ORDER_COLUMNS), ctx)
    for _ in range(rows):
        row = ctx.fresh()
        _amount_plain(row)
        b.line(",".join(t for _, t in ORDER_COLUMNS), row)


def crm_csv(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write a CRM customer export with a region-specific identifier column."""
    columns = [c for c in CRM_COLUMNS if dense or c[0] != "date_of_birth"]
    columns += list(REGION_ID_COLUMN[ctx.region][:dense])
    sep = ctx.pick((",", ",", "|", "\t"))
    rows = ctx.rng.randint(3, 10) * (dense + 1) * ctx.scale
    b.line(sep.join(name for name, _ in columns), ctx)
    for _ in range(rows):
        row = ctx.fresh()
        _amount_plain(row)
        b.line(sep.join(t for _, t in columns), row)


def payroll_csv(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write a payroll export with national ids and bank details."""
    columns = list(PAYROLL_COLUMNS[: 5 + dense]) + list(REGION_ID_COLUMN[ctx.region][:2])
    b.line(",".join(name for name, _ in columns), ctx)
    for _ in range(ctx.rng.randint(4, 15) * ctx.scale):
        row = ctx.fresh()
        _amount_plain(row)
        net = float(row.text("amount")) * row.rng.uniform(0.62, 0.8)
        row.cache["amount2"] = (None, f"{net:.2f}")
        b.line(",".join(t for _, t in columns), row)


KYC_FIELDS = (
    "Full name: {cust}",
    "Date of birth: {dob}",
    "Residential address: {addr}",
    "Mobile: {phone}",
    "Email: {email}",
    "Occupation: Customer service associate at {company}",
    "Source of funds: salary",
    "Application no: {uuid}",
    "Submitted: {ts} from IP {ip}",
)
KYC_IDS = {
    "US": ("SSN: {ssn}", "Passport number: {passport}", "Bank account number: {acct}"),
    "GB": ("National Insurance number: {nino}", "NHS number: {nhs}", "IBAN: {iban}"),
    "IN": ("PAN: {pan}", "Aadhaar: {aadhaar}", "Alternate mobile: {phone2}"),
    "PH": ("TIN: {tin}", "SSS number: {sss}", "Alternate mobile: {phone2}"),
}


def kyc_form(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write a customer onboarding (KYC) form as key-value lines or a two-column grid."""
    b.line(ctx.pick(("CUSTOMER ONBOARDING FORM", "KYC - Individual", "Account Opening")), ctx)
    b.line("Institution: {company}\n", ctx)
    fields = choose(ctx, KYC_FIELDS, 3 + dense, 9)
    fields += choose(ctx, KYC_IDS[ctx.region], 1, 1 + dense)
    grid = ctx.rng.random() < 0.35
    for field in fields:
        key, _, value = field.partition(": ")
        b.line(f"| {key:<26} | {value} |" if grid else field, ctx)
    b.line(ctx.pick(("\nReviewed by: {agent}", "\nChecker: {mgr} on {date}", "")), ctx)


def crm_json(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write a CRM API response as pretty-printed JSON."""
    b.line('{\n  "exported_at": "{ts}",\n  "source": "{company}",\n  "records": [', ctx)
    count = ctx.rng.randint(2, 4 + 3 * dense) * ctx.scale
    for i in range(count):
        row = ctx.fresh()
        b.line("    {", row)
        fields = ['"id": "{cust_id}"', '"name": "{cust}"', '"email": "{email}"']
        fields += ['"phone": "{phone}"', '"last_login_ip": "{ip}"', '"updated": {epoch}']
        if dense:
            fields.append('"dob": "{dob}"')
        b.fill(",\n".join("      " + f for f in fields), row)
        b.line("\n    }" + ("," if i < count - 1 else ""), row)
    b.line("  ]\n}", ctx)
