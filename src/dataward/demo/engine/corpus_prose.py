"""Write free-text case notes: call notes, collections notes and claims notes."""

from __future__ import annotations

from dataward.demo.engine.corpus_build import Builder, Ctx, choose

ID_LINES = {
    "US": (
        "Verified identity with SSN {ssn}.",
        "Caller read back her social security number as {ssn} - matches the file.",
        "Secondary ID: US passport number {passport}, expiring {future}.",
        "Refund to go to checking account {acct} (routing on file).",
        "Customer asked us to update the direct debit to bank account no. {acct}.",
        "Passport #{passport} scanned and attached to the case.",
        "SSN provided: {ssn}. DOB {dob}.",
    ),
    "GB": (
        "NI number given as {nino}.",
        "Confirmed National Insurance no {nino} against the record.",
        "NHS number {nhs} quoted for the referral.",
        "Patient's NHS No. is {nhs}; GP surgery details unchanged.",
        "Refund to be paid to IBAN {iban}.",
        "Customer changed her payout account, new IBAN: {iban}.",
    ),
    "IN": (
        "Aadhaar number {aadhaar} shared for e-KYC.",
        "PAN card {pan} checked on the portal, name matches.",
        "Customer quoted Aadhaar {aadhaar} and PAN {pan}.",
        "Re-KYC pending: PAN {pan} uploaded, Aadhaar still missing.",
    ),
    "PH": (
        "TIN {tin} captured for the BIR form.",
        "SSS no. {sss} verified with the member.",
        "Member gave SSS number {sss} and TIN {tin}.",
        "Loan application lists SSS {sss}.",
    ),
}
CONTACT_LINES = (
    "Call back on {phone} after 5pm.",
    "Best number is {phone}; email {email} for the statement.",
    "{cust} asked that we stop calling {phone} and use {email} instead.",
    "Updated mobile to {phone}.",
    "Sent the reset link to {email}.",
    "DOB {dob} confirmed as the second security question.",
    "Customer gave date of birth {dob} and postcode to pass ID&V.",
    "Caller (born on {dob}) is the primary account holder.",
    "Card ending {last_four} replaced; new card {card} posted to the address on file.",
    "Customer read out the full card number {card} despite being asked not to.",
    "Login attempt from {ip} flagged by fraud, customer confirms it was not her.",
    "Lives at {addr}.",
)
NEUTRAL_LINES = (
    "Order {order} arrived damaged; replacement raised.",
    "Invoice {invoice} shows {amount} outstanding.",
    "Parcel tracking {tracking} shows delivered on {date}.",
    "Customer is on app version {version}.",
    "Escalated to the {company} back office team.",
    "Follow-up booked for {future}.",
    "Call lasted {mins} minutes; wrap code BILLING.",
    "Customer Service apologised for the delay and waived the late fee.",
    "Item {sku} out of stock until next week.",
    "Explained the {product} terms again.",
    "Previous ticket {ticket} closed as duplicate.",
    "Payment of {amount} received {date}, ref {invoice}.",
    "Reminded caller that we never ask for a full card number over chat.",
    "For the sandbox demo use test card {test_card} with any future expiry.",
    "Ref number {bad_card} on the letter is not a card, it is the statement reference.",
    "Old record shows placeholder SSN {bad_ssn}, which is not valid; asked for the real one.",
)
OPENERS = (
    "CALL NOTE {ticket} - {ts}\nAgent: {agent}\n\n",
    "Inbound call {ts} | {company} | handled by {agent}\n",
    "Notes - call with {cust} on {date}\n",
    "Spoke to {cust} ({phone}) re: billing dispute.\n",
    "[{ts}] Outbound follow-up, agent {agent_first}\n",
)
CLOSERS = (
    "\n-- {agent}\n",
    "\nLogged by {agent} ({agent_email})\n",
    "\nNext action: {agent_first} to call back by {future}.\n",
    "\nReviewed by team lead {mgr}.\n",
    "\n",
)


def _body(b: Builder, ctx: Ctx, dense: int) -> None:
    """Append identity, contact and neutral sentences as lines, bullets or one paragraph."""
    lines = choose(ctx, ID_LINES[ctx.region], 0, dense)
    lines += choose(ctx, CONTACT_LINES, dense // 2, dense + 1)
    lines += choose(ctx, NEUTRAL_LINES, 1, 4)
    ctx.rng.shuffle(lines)
    style = ctx.rng.randrange(3)
    if style == 2:
        b.line("Summary: " + " ".join(lines), ctx)
        return
    for line in lines:
        b.line(("* " if style else "") + line, ctx)


def call_note(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write an agent's call note."""
    b.fill(ctx.pick(OPENERS), ctx)
    if ctx.rng.random() < 0.6:
        b.line(
            ctx.pick(("Caller: {cust}", "Customer: {cust}", "Spoke with Mr/Ms {cust_last}")), ctx
        )
    _body(b, ctx, dense)
    b.fill(ctx.pick(CLOSERS), ctx)


COLLECTIONS = (
    "Account {cust_id} is {mins} days past due, balance {amount}.",
    "Promise to pay {amount} on {future}.",
    "Debtor {cust} disputes the balance; asked for a statement to {email}.",
    "Right party contact confirmed with DOB {dob}.",
    "Third party answered {phone}, no details disclosed.",
    "Customer works at {company}, payday is the 15th.",
    "Payment plan set up: {amount} monthly by card {card}.",
    "Do not call before 9am local time (customer request).",
    "Hardship flag added; manager {mgr} approved a 60 day hold.",
    "Skip trace returned a new number {phone2}.",
)
COLLECTIONS_REGION = {
    "US": (
        "Debtor's SSN {ssn} matched the credit file.",
        "ACH from savings acct {acct}.",
        "Promise to pay {amount} on {future} from account number {acct}.",
    ),
    "GB": ("NINO {nino} on the DWP letter.", "Standing order from IBAN {iban}."),
    "IN": ("PAN {pan} linked to the loan account.", "Aadhaar {aadhaar} seen on the KYC."),
    "PH": ("SSS {sss} listed as employer reference.", "TIN {tin} on the salary loan form."),
}


def collections_note(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write a collections agent's note on a delinquent account."""
    b.line(ctx.pick(("COLLECTIONS - {cust_id} - {date}", "Recovery desk note {ticket}")), ctx)
    b.line(
        ctx.pick(
            ("Debtor: {cust}", "Account holder {cust}", "Borrower: {cust_last}, {cust_first}")
        ),
        ctx,
    )
    pool = COLLECTIONS + COLLECTIONS_REGION[ctx.region]
    for line in choose(ctx, pool, 2 + dense, 4 + 2 * dense):
        b.line("- " + line, ctx)
    b.line(ctx.pick(("Agent {agent}", "{agent_first} / {company}", "Recorded by {agent}")), ctx)


CLAIMS = (
    "Claim {claim_no} under policy {policy} for {amount}.",
    "Claimant {cust}, date of birth {dob}, reported the loss on {date}.",
    "Insured's D.O.B.: {dob}.",
    "Adjuster {mgr} requested photos; upload link sent to {email}.",
    "Repair estimate {invoice} received from the garage.",
    "Claimant can be reached at {phone}.",
    "Payout by cheque, no bank details held.",
    "Prior claim {claim_no2} closed without payment.",
    "Witness {other} gave a statement by phone.",
    "Medical report attached; treating doctor Dr {other2}.",
)
CLAIMS_REGION = {
    "US": ("Member SSN {ssn}.", "Reimbursement to bank account {acct}."),
    "GB": ("NHS number {nhs} for the treatment record.", "Settlement to IBAN {iban}."),
    "IN": ("Policyholder PAN {pan}.", "Aadhaar {aadhaar} submitted with the claim form."),
    "PH": ("SSS {sss} for the disability benefit.", "Member TIN: {tin}."),
}


def claims_note(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write an insurance or health claims handler's note."""
    b.line(ctx.pick(("Claims file note - {claim_no}", "CLAIM {claim_no} / {product}")), ctx)
    b.line(ctx.pick(("Handler: {agent}", "Owner: {agent} ({agent_email})")), ctx)
    pool = CLAIMS + CLAIMS_REGION[ctx.region]
    for line in choose(ctx, pool, 2 + dense, 4 + 2 * dense):
        b.line(line, ctx)
