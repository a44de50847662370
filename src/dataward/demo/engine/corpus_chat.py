"""Write agent-customer chat transcripts and customer emails with their headers."""

from __future__ import annotations

from dataward.demo.engine.corpus_build import Builder, Ctx, choose

CUSTOMER_SAYS = (
    "hi, my card got blocked again",
    "its {cust} here, account under my name",
    "my number is {phone}",
    "you can email me at {email}",
    "dob is {dob}",
    "born on {dob} if you need it",
    "card number is {card}",
    "why was I charged {amount} twice??",
    "order {order} never arrived",
    "the tracking {tracking} hasnt moved in a week",
    "ok thanks",
    "can I speak to a manager",
    "I already gave all this to the last person",
    "still waiting on ticket {ticket}",
)
CUSTOMER_IDS = {
    "US": ("ssn {ssn}", "my passport no is {passport}", "acct number {acct}"),
    "GB": ("NI number {nino}", "my nhs number is {nhs}", "pay it into {iban}"),
    "IN": ("aadhaar {aadhaar}", "PAN is {pan}"),
    "PH": ("sss # {sss}", "my tin {tin}"),
}
AGENT_SAYS = (
    "Hello {cust_first}, thanks for contacting {company}. How can I help?",
    "I'm sorry to hear that. Let me check your account.",
    "For security, please confirm your date of birth.",
    "Thank you. I can see order {order} was dispatched on {date}.",
    "Please don't share full card numbers in chat, {cust_first}.",
    "I have updated your contact number.",
    "I've raised {ticket} and my team lead {mgr_first} will review it.",
    "Is there anything else I can help you with today?",
    "Your refund of {amount} will show in 3-5 working days.",
    "This chat is with {agent}, Customer Service.",
)


def chat(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write a timestamped chat between an agent and a customer."""
    b.line(ctx.pick(("Chat transcript {uuid}", "LiveChat export - session {ticket}")), ctx)
    b.line(ctx.pick(("Started: {ts}", "Date: {date}")), ctx)
    b.add("\n")
    agent = ctx.pick(("{agent_first}", "{agent}", "Agent {agent_first}"))
    customer = ctx.pick(("{cust_first}", "{cust}", "Customer", "Visitor"))
    said = choose(ctx, CUSTOMER_SAYS, 2 + dense, 4 + dense * 2)
    said += choose(ctx, CUSTOMER_IDS[ctx.region], 0, dense)
    replies = choose(ctx, AGENT_SAYS, 3, 6)
    ctx.rng.shuffle(said)
    clock = ctx.rng.randint(8 * 60, 20 * 60)
    for i in range(max(len(said), len(replies))):
        for who, lines in ((agent, replies), (customer, said)):
            if i < len(lines):
                clock += ctx.rng.randint(0, 3)
                b.fill(f"[{clock // 60:02d}:{clock % 60:02d}] ", ctx)
                b.fill(who + ": ", ctx)
                b.line(lines[i], ctx)


SUBJECTS = (
    "Re: your complaint {ticket}",
    "Account update request",
    "Invoice {invoice} - query",
    "Documents for verification",
    "Fwd: Payment confirmation",
    "Change of address",
)
EMAIL_BODY = (
    "I am writing about the charge of {amount} on my last statement.",
    "My date of birth is {dob} and my phone number is {phone}.",
    "Please send all future letters to {addr}.",
    "The card I used was {card}, expiry {expiry}.",
    "Please find my details below as requested.",
    "I spoke to {agent_first} on {date} who said this would be sorted.",
    "My order number is {order}.",
    "I have attached a copy of my ID.",
    "You can also reach my husband {other} on {phone2}.",
    "This is the third time I have had to contact Customer Service about this.",
)
EMAIL_IDS = {
    "US": (
        "My SSN is {ssn}.",
        "Please refund to my checking account {acct}.",
        "My passport number is {passport}.",
    ),
    "GB": (
        "My National Insurance number is {nino}.",
        "My bank IBAN is {iban}.",
        "My NHS number is {nhs}.",
    ),
    "IN": ("My PAN is {pan} and Aadhaar no. {aadhaar}.", "PAN: {pan}"),
    "PH": ("My SSS number is {sss}.", "TIN {tin} for the certificate."),
}
GREETINGS = ("Dear Customer Service,", "Hi {agent_first},", "Hello,", "To whom it may concern,")
SIGNOFFS = ("Regards,\n{cust}", "Thanks\n{cust_first}", "Kind regards,\n{cust}\n{phone}", "{cust}")
REPLY = (
    "\n\n-----Original Message-----\nFrom: {agent} <{agent_email}>\nSent: {ts}\n"
    "Subject: Your case {ticket}\n\nDear {cust_first},\nPlease reply with the details we need "
    "to verify your identity. We will never ask for your password.\n\n{agent}\n{company}\n"
)


def email(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write an RFC 822 style customer email with headers, body and a quoted reply."""
    b.line("From: {cust} <{email}>", ctx)
    b.line("To: {company} Support <{agent_email}>", ctx)
    b.line("Date: {ts}", ctx)
    b.line("Message-ID: {msgid}", ctx)
    b.line("Subject: " + ctx.pick(SUBJECTS), ctx)
    if ctx.rng.random() < 0.4:
        b.line("X-Originating-IP: [{ip}]", ctx)
    b.add("MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n")
    b.line(ctx.pick(GREETINGS) + "\n", ctx)
    body = choose(ctx, EMAIL_BODY, 1 + dense, 3 + dense)
    body += choose(ctx, EMAIL_IDS[ctx.region], 0, min(dense, 2))
    ctx.rng.shuffle(body)
    b.line(" ".join(body) + "\n", ctx)
    b.line(ctx.pick(SIGNOFFS), ctx)
    if ctx.rng.random() < 0.5:
        b.fill(REPLY, ctx)
