"""A held-out evaluation set, written by hand independently of the demo corpus generator.

Each case is a short realistic BPO snippet with its sensitive values marked inline as
``[[TAG:value]]``; :func:`load` strips the marks and returns the text with labeled spans.
All values are synthetic (valid check digits where the type has one). Snippets without marks
are negatives: nothing in them may be reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TAGS = {
    "EM": "EMAIL_ADDRESS",
    "PH": "PHONE_NUMBER",
    "CC": "CREDIT_CARD",
    "SSN": "US_SSN",
    "IBAN": "IBAN_CODE",
    "IP": "IP_ADDRESS",
    "BANK": "US_BANK_NUMBER",
    "PP": "US_PASSPORT",
    "NHS": "UK_NHS",
    "NINO": "UK_NINO",
    "AADH": "IN_AADHAAR",
    "PAN": "IN_PAN",
    "TIN": "PH_TIN",
    "SSS": "PH_SSS",
    "DOB": "DATE_OF_BIRTH",
    "SEC": "SECRET",
    "PER": "PERSON",
}
_MARK = re.compile(r"\[\[([A-Z]+):(.*?)\]\]", re.DOTALL)


@dataclass(frozen=True)
class Span:
    """A labeled value: entity type and character offsets in the unmarked text."""

    entity_type: str
    start: int
    end: int


@dataclass(frozen=True)
class Case:
    """One snippet: its name, unmarked text and labeled spans."""

    name: str
    text: str
    spans: tuple[Span, ...]


CHAT = [
    "[09:14:02] Agent [[PER:Kevin]]: Thanks for holding. Can I confirm the card ending 1842?\n"
    "[09:14:40] Customer: sure its [[CC:4407 2386 2551 1842]]",
    "[10:02] [[PER:Maria Santos]]: hi my bill is wrong again\n[10:03] Agent: sorry to hear that",
    "Chat started 2024-05-02 18:22 UTC. Visitor email [[EM:maria.santos+billing@gmail.com]]",
    "customer says new number is [[PH:0917 123 4567]], pls update CRM",
    "[14:31] Customer: you can reach me on [[PH:+63 917 123 4567]] after 6pm",
    "[11:05] Agent: may I have your SSS number for verification?\n"
    "[11:06] Customer: [[SSS:31-2006636-2]]",
    "Customer gave TIN [[TIN:679-972-676-000]] for the official receipt.",
    "[08:47] Customer: my aadhaar is [[AADH:3863 3907 1965]] and PAN [[PAN:PLXPS5156H]]",
    "[16:20] [[PER:Rahul Mehta]]: I was charged twice on 12 April, order ORD-558120",
    "Agent: Good morning, you are speaking with [[PER:Jonathan Reyes]], how can I help?",
    "Hi [[PER:Daniel]], your replacement card has been dispatched.",
    "[12:00:31] Customer: card is [[CC:5353-3314-7893-2883]] exp 09/27",
    "caller verified DOB [[DOB:03/14/1987]] and postcode, proceeded with refund",
    "Customer confirmed date of birth [[DOB:14 March 1987]]; account unlocked.",
    "[15:12] Customer: born [[DOB:22/07/1991]] if that helps",
    "Transferred to [[PER:Aisha Khan]] in retentions at 10:42.",
    "[17:05] Agent: Thank you, Mr. [[PER:Okafor]]. I have escalated this.",
    "Spoke with [[PER:Siobhan Kelly]] re: direct debit failure; she will call back Monday.",
    "[09:55] Customer: my number is [[PH:(415) 555-0132]] or email [[EM:jlee@outlook.com]]",
    "Customer advised mobile [[PH:07911 123456]] no longer in use.",
    "[13:40] Customer: ring me on [[PH:+44 7823 614502]] please",
    "[18:02] Customer: my ssn is [[SSN:278 21 5621]]",
    "[18:03] Customer: ssn [[SSN:062878449]]",
    "Cust says: social security no. [[SSN:751-80-9551]] - verified against file",
    "[10:15] Customer: what is my balance? Agent: your balance is $1,204.55 as of today.",
    "[11:11] Customer: ticket 4024007163458891 still open?",
]

CALL_NOTES = [
    "Call note: [[PER:Priya Sharma]] called about a failed EMI. Mobile [[PH:+91 98765 43210]]. "
    "PAN [[PAN:ZABPI0439R]] on file.",
    "CALL SUMMARY\nCaller: [[PER:Ramon Dela Cruz]]\nSSS No: [[SSS:08-4154397-3]]\n"
    "TIN: [[TIN:320-002-057-000]]\nIssue: loan balance inquiry",
    "Inbound call from [[PH:020 7946 0321]]. Caller [[PER:Emma Clarke]], NI number "
    "[[NINO:JP 31 79 14 C]], asked about her pension.",
    "Patient [[PER:George Whitfield]] (NHS no. [[NHS:463 681 6013]]) rescheduled to 14 June.",
    "NHS Number: [[NHS:4812811082]]",
    "Caller quoted NINO [[NINO:WM178577D]] and date of birth [[DOB:2 August 1979]].",
    "Verified via Aadhaar [[AADH:2100-5774-6816]] (e-KYC). Callback [[PH:98201 34567]].",
    "Note: customer DOB [[DOB:1990-11-23]], address confirmed, card blocked per request.",
    "Customer [[PER:Jose Bautista]] wants refund to account no. [[BANK:5837067664]], "
    "routing 046611822.",
    "Wire details: ABA routing 122247217, acct [[BANK:601340891441]] (checking).",
    "Customer travelling, passport number [[PP:568403657]], needs travel notice on card.",
    "Passport No.: [[PP:C03005988]] (issued 2019)",
    "Escalated by [[PER:Angela Torres]] to Tier 2. Ticket INC0045821 opened 2024-03-14.",
    "Caller could not recall SSN; offered last four only. Closed as unverified.",
    "Called back on [[PH:+1 646 201 7789]], left voicemail. Next attempt tomorrow 10am.",
    "Customer's alternate line: [[PH:0161 496 0732]] (home).",
    "Customer [[PER:Nguyen Van Minh]] reports unauthorised charge on Amex "
    "[[CC:3412 220038 69961]].",
    "Card on file [[CC:378491796484470]] was declined at 11:02; customer will try another.",
    "Mrs. [[PER:Lakshmi Iyer]] asked to update her DOB to [[DOB:05.09.1962]].",
    "Caller said she was born on [[DOB:July 4, 1976]]. Identity check passed.",
    "Member [[PER:Carlos Mendoza]], SSS [[SSS:35-4612018-9]], filed a salary loan.",
    "Refund of 2,500.00 PHP processed to GCash [[PH:09281234567]].",
    "Agent reminded caller never to share OTP 448213 with anyone.",
    "Customer asked about order 1002003004; shipped via UPS 1Z999AA10123456784.",
    "Call ref 20240314-0098, duration 00:12:44, wrap code RFND.",
]

EMAILS = [
    "From: [[PER:Thomas Wright]] <[[EM:t.wright@northwind-logistics.co.uk]]>\n"
    "Subject: Invoice INV-2024-00318\n\nPlease find the invoice attached.",
    "Hi [[PER:Sarah]],\n\nPlease update my bank details to IBAN "
    "[[IBAN:GB24 BARC 2003 5512 8744 09]].\n\nKind regards,\n[[PER:Oliver Bennett]]",
    "Dear Ms. [[PER:Fernandez]],\nYour claim CLM-882301 has been approved.\nRegards,\nClaims Team",
    "Please send payment to [[IBAN:DE44500105175407324931]] by Friday.",
    "Beneficiary: [[PER:Jan de Vries]], IBAN [[IBAN:NL10 INGB 0006 7218 43]]",
    "Refund to [[IBAN:FR76 3000 6000 0112 3456 7890 189]] has been initiated.",
    "Our records show IBAN [[IBAN:ES6000491500051234567892]] for the direct debit.",
    "Thanks,\n[[PER:Deepak Verma]]\nSenior Analyst | [[PH:+91 80 4123 7788]]",
    "Reply-To: [[EM:support@help.mail.acme-bank.com]]\nMessage-ID: "
    "<20240314.8823.abc@mx.acme-bank.com>",
    "Please cc [[EM:ops_team@acme-support.co.uk]] and [[EM:r.kumar@corp.example.co.in]].",
    "Hello team, the irish account is [[IBAN:IE65 BOFI 9000 1712 3456 71]]. Cheers, [[PER:Liam]]",
    "Dear Sir/Madam, your new PIN mailer was sent on 03/04/2024 to your registered address.",
    "Hi [[PER:Anjali]], the customer's Polish account is "
    "[[IBAN:PL61 1090 1014 0000 0712 1981 2874]].",
    "On Tue, Mar 12, 2024 at 9:14 AM [[PER:Grace Liu]] <[[EM:grace.liu@gmail.com]]> wrote:",
    "Test card 4111 1111 1111 1111 can be used in the sandbox checkout for QA.",
    "Unsubscribe: https://mail.example.com/u?id=88213440&t=1710412345",
]

CSV_ROWS = [
    "cust_name,cc_num,exp,cvv\n[[PER:Michael Turner]],[[CC:4135119718147810]],08/26,***\n"
    "[[PER:Jessica Alvarez]],[[CC:5380 6998 3397 6267]],11/25,***",
    "emp_id,full_name,ssn,dob\nE1042,[[PER:Brandon Hayes]],[[SSN:386-12-4923]],"
    "[[DOB:1984-02-29]]\nE1043,[[PER:Tanya Brooks]],[[SSN:081477436]],[[DOB:07/19/1990]]",
    "employee_no\tname\ttin\tsss_no\n20331\t[[PER:Maricel Ramos]]\t[[TIN:587-814-681]]\t"
    "[[SSS:02-2461749-2]]",
    "patient_id,patient_name,nhs_no,birth_date\nP-0091,[[PER:Harriet Cole]],"
    "[[NHS:493 681 2730]],[[DOB:12/05/1958]]",
    "id,name,pan,aadhaar_no,mobile\n7,[[PER:Suresh Reddy]],[[PAN:HYTPN0412N]],"
    "[[AADH:585839092287]],[[PH:9876543210]]",
    "acct_no,routing,holder\n[[BANK:83651046544]],091106463,[[PER:Kimberly Ward]]",
    "passport_no,nationality,holder_name\n[[PP:668906966]],US,[[PER:Ethan Parker]]",
    "ticket_id,opened,status,priority\n4024007163458892,2024-03-14,open,P2\n"
    "4532015112830367,2024-03-15,closed,P3",
    "order_id,sku,qty,unit_price\nORD-20240314-8842,SKU-88213-440,2,19.99\n"
    "ORD-20240314-8843,SKU-10021-001,1,5.49",
    "name,email,phone\n[[PER:Daniel Kim]],[[EM:dkim+orders@yahoo.com]],[[PH:(312) 794-2210]]",
    "ni_number,surname,forename\n[[NINO:KL 49 15 52 A]],[[PER:Hughes]],[[PER:Rebecca]]",
    "date_of_birth|customer|country\n[[DOB:21-Oct-1985]]|[[PER:Juan Santos]]|PH",
    "txn_id;amount;card_last4;timestamp\n884120;45.00;1842;2024-03-14T10:22:01Z",
    '"Customer Name","Account Number","Balance"\n"[[PER:Patricia Gomez]]",'
    '"[[BANK:14513078715]]","2,310.55"',
    "version,build,released\n2.4.10,10.0.19045.3693,2024-01-09",
    "agent,calls,aht\n[[PER:Priya Nair]],41,00:06:12\n[[PER:Mark Sullivan]],38,00:07:01",
    "birthdate,first_name,last_name\n[[DOB:1979/06/30]],[[PER:Nicole]],[[PER:Fraser]]",
    "iban,beneficiary\n[[IBAN:IT60X0542811101000000123456]],[[PER:Marco Rossi]]",
    "ip,user_agent,hits\n[[IP:203.0.113.45]],Mozilla/5.0,12\n[[IP:198.51.100.7]],curl/8.4,3",
    "invoice_no,amount,due\n1200456789,1500.00,2024-04-30\n1200456790,220.10,2024-05-01",
]

JSON_LOGS = [
    '{"customer": {"name": "[[PER:Andrea Villanueva]]", "email": '
    '"[[EM:andrea.v@globe.com.ph]]", "mobile": "[[PH:+639281234567]]"}}',
    '{"card_number": "[[CC:6011031716712343]]", "expiry": "10/28", "amount": 120.5}',
    '{"ssn": "[[SSN:049-58-2439]]", "dob": "[[DOB:1969-08-15]]", "status": "verified"}',
    '{"order_id": "5500123412341234", "tracking": "9400111899223456781234"}',
    '{"user": "jdoe", "password": "[[SEC:Tr0ub4dor&3-horse]]", "remember": true}',
    '{"aws_access_key_id": "[[SEC:AKIAINKIZHJBWMPYBD76]]", "region": "us-east-1"}',
    "2024-03-14T10:01:22Z INFO login ok user=42 ip=[[IP:10.0.4.17]] ua=Chrome/122.0.6261.94",
    '[[IP:192.168.10.24]] - - [14/Mar/2024:10:01:22 +0000] "GET /login HTTP/1.1" 200 512',
    "WARN auth failed from [[IP:2001:db8:85a3::8a2e:370:7334]] after 3 attempts",
    "conn accepted src=[[IP:172.16.254.1]] dst=[[IP:10.20.30.40]] port=443",
    "client [[IP:fe80::1ff:fe23:4567:890a]] renewed lease",
    "app version 3.12.4 build 2024.03.14.1 started in 412 ms",
    "Upgraded agent to 10.4.2.1 on all hosts; see release notes.",
    "DEBUG export AWS_SECRET_ACCESS_KEY=[[SEC:vxr/BkuSzwPMg2eXVVwnDeV3yQjVPhfafwTfg+uW]]",
    "git push used token [[SEC:ghp_X2D86ByvkNx5MYjCPC1zaPLvaLO7ZOE8JV45]] - rotate it!",
    "SLACK_BOT_TOKEN=[[SEC:xoxb-2291374400-5512093381-QmT8zX2pWkL9vR4sN7yB1cHd]]",
    "DATABASE_URL=postgresql://app_user:[[SEC:k1bxJSpPTXsPPc3jH]]@db.internal:5432/crm",
    "mongodb+srv://reporter:[[SEC:56XmK6RCKsKCprs2oS]]@cluster0.ab12c.mongodb.net/prod",
    "key file:\n[[SEC:-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAw1xV9sPqR2tK8mN4bL6cD0eF3gH5jY7u\n"
    "zQ1wE9rT2yU4iO6pA8sD0fG2hJ4kL6zX8cV0bN2mQ4wE6rT8yU0iO2pA4sD6fG8h\n"
    "-----END RSA PRIVATE KEY-----]]",
    "config: db_password: [[SEC:Yc0tLOkQdMhfx6zEr]]\n  db_host: db01.internal",
    "request_id=7f9c2ba4-e88f-11ee-8c90-0242ac120002 latency_ms=87 status=200",
    "password: ******** (masked by agent tool)",
    "Set api_key=${API_KEY} in your .env file before running.",
    "heartbeat ok seq=1710412345 ts=1710412345123 node=web-03",
    "stripe key [[SEC:sk_live_4eC39HqLyjWDarjtT1zdp7dc]] found in ticket attachment",
    '{"event": "payment", "ip_address": "[[IP:81.2.69.160]]", "card_bin": "440723"}',
]

PROSE = [
    "I, [[PER:Ricardo Gonzales]], authorise the deduction from my payroll account.",
    "Please ask for Dr. [[PER:Meera Pillai]] at the Bengaluru branch.",
    "Payroll export for March: [[PER:Joanna Reyes]] - TIN [[TIN:802-572-128-000]], "
    "net pay 32,450.00",
    "Customer [[PER:Anthony Russo]] SSN [[SSN:123-82-2095]], DOB [[DOB:09/30/1972]].",
    "The account holder, [[PER:Fatima Begum]], called from [[PH:07456 219873]].",
    "Welcome aboard! Your onboarding buddy is [[PER:Chris Donnelly]].",
    "Visa [[CC:4007 0561 4897 0715]] reported lost; new card ordered.",
    "Mastercard ending 7201 ([[CC:5148-1075-6900-7201]]) disputed on 3 March.",
    "Discover card [[CC:6011 1621 6477 8633]] added as backup payment method.",
    "Please refer to knowledge article KB-000412 for the refund policy.",
    "The package weighs 2.5 kg and the box is 30 x 20 x 15 cm.",
    "Our office hours are 9:00-17:30, Monday to Friday, closed on 25 December.",
    "Extension 4421 handles disputes; dial 0 for the operator.",
    "Support line 1800 123 4567 is toll free (ext. 221).",
    "Customer emailed from [[EM:k.oconnor@students.ucd.ie]] asking for a statement.",
    "We spoke to [[PER:Hannah Schmidt]] and [[PER:Lukas Weber]] about the joint account.",
    "Passport: [[PP:509011743]]; SSN: [[SSN:663-80-0084]]",
    "UK customer [[PER:Amelia Robinson]], NI [[NINO:OW 22 07 94 C]], tel [[PH:0113 496 0817]].",
    "Shipment ID 7731920045 left the Manila hub on 2024-03-14.",
    "Per BIR form 2316, employee TIN is [[TIN:541-584-024-000]].",
    "Customer from Cebu, contact [[PH:0945-221-7834]], prefers Tagalog.",
    "Bengaluru office: [[PH:080 4123 7788]] (reception).",
    "Agent [[PER:Rosa Aquino]] handled 38 chats today with CSAT 4.8.",
    "Invoice 4024 0071 6345 8892 was paid late.",
    "Date of birth: [[DOB:1987-03-14]]",
    "The customer's birthday is [[DOB:October 2, 1995]], she asked for the birthday offer.",
    "Released 2024-03-14, version 5.2.0; next patch 2024-04-11.",
    "Policy start 01/02/2023, renewal 01/02/2024. Premium 1,200.",
    "Please call [[PH:1-800-555-0199]] to activate.",
    "Customer [[PER:Wei Ling Tan]] confirmed Aadhaar [[AADH:9731-8776-6977]].",
    "NINO for [[PER:Callum Murray]]: [[NINO:LC422560D]]",
    "Caller from [[PH:+91-22-2654-3210]] asked about the branch timings.",
    "[[PER:Juan dela Cruz]] requested SSS contribution printout, SSS # [[SSS:16-8271598-3]].",
    "Employee [[PER:Liza Soriano]] TIN no. [[TIN:573 645 208]]",
    "PAN card no: [[PAN:CGXPG6981H]] | Aadhaar: [[AADH:3521 7348 5457]]",
    "Forward to [[EM:claims@insurer.example.com]] with the claim number.",
    "Meeting notes: Q2 targets, 12 agents, 4 leads. Action: review SLA by 2024-04-01.",
    "Customer ID 500012345 verified; no changes.",
    "Routing number 091106463 belongs to the customer's credit union.",
    "Contact [[PER:Olivia Martin]] on [[PH:(646) 555-0143]] for the reference check.",
    "Date of birth [[DOB:1 January 1950]] on the pension form.",
    "D.O.B: [[DOB:23/11/1988]] | Gender: F | Nationality: Filipino",
    "Customer IP [[IP:49.145.22.130]] flagged by fraud rules.",
    "Serial number SN 4532 0151 1283 0366 on the terminal.",
    "Training: use card 4242 4242 4242 4242 with any future expiry in the demo store.",
    "UPS tracking 1Z 999 AA1 01 2345 6784 delivered.",
    "Phone banking PIN reset for [[PER:Samuel Adeyemi]] completed.",
    "Account [[BANK:709643829306]] closed at the customer's request.",
    "Payout to savings account [[BANK:8665941008]] scheduled for Friday.",
    "Contact: [[PER:Aaliyah Johnson]], [[EM:aaliyah.j@icloud.com]], [[PH:+1-917-555-0123]]",
    "SMS sent to [[PH:+44 20 7946 0958]]: Your code is 552190.",
    "Amex [[CC:340971002011832]] approved for limit increase.",
    "DOB [[DOB:14/03/87]], postcode SW1A 1AA.",
    "Account no. [[BANK:5837067664]], sort code 20-00-00.",
    "GP letter for [[PER:Alan Price]], NHS number [[NHS:469-955-7333]], dated 3 May 2024.",
    "nhs_number,gp_practice\n[[NHS:4629696830]],Riverside Surgery",
    "Applicant PAN: [[PAN:TPWPR4049J]]; income tax return filed 31 July.",
    "pan_no: [[PAN:KHYPM1913U]]",
    "Passport #: [[PP:654378252]] expires 2031-02-11.",
]

MIXED = [
    "CRM export\nContact: [[PER:John A. Whitaker]]\nPhone: [[PH:408.555.0199]]\n"
    "Email: [[EM:John.Whitaker@Example.COM]]",
    "Borrower: [[PER:Santos]], [[PER:Maria]] | Branch: Makati",
    "Customer: [[PER:Ma. Cristina Reyes]], mobile [[PH:0998 765 4321]]",
    "card no:[[CC:5288646841412259]] exp 04/29",
    "SSN#[[SSN:278-21-5621]] on the W-9; only ***-**-5621 shown to the agent.",
    "Customer IP was [[IP:192.168.1.20]]:8080 when the session dropped.",
    "Authorization: Bearer [[SEC:eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c]]",
    "PGPASSWORD=[[SEC:Wint3r-Harbor-2291]] psql -h [[IP:10.1.1.5]] -U etl",
    "token: [[SEC:glpat-x9Kq2LmN4pR7sT1vW3yZ]]",
    "Maps key [[SEC:AIzaSyD3x8Kq2LmN4pR7sT1vW3yZ5bC6dE9fG0h]] leaked in the widget JS.",
    "Intl caller [[PH:+44 (0)7823 614502]] asked for a callback.",
    "WhatsApp: [[PH:+91 99001 23456]]",
    "Landline [[PH:(02) 8123 4567]], mobile [[PH:+63-945-221-7834]]",
    "Customer's number [[PH:639171234567]] bounced on SMS.",
    "[[PH:+1 (408) 555-0199]] called twice about the late fee.",
    "Age 36 (DOB [[DOB:14/03/1987]]), employed since 2012.",
    "dob=[[DOB:1987-03-14]]&plan=gold",
    "Date of Birth\t[[DOB:4 Feb 1993]]\nGender\tM",
    "birth date: [[DOB:03-14-1987]]",
    "SSS: [[SSS:3420066362]] (no dashes on the old ID)",
    "TIN [[TIN:679-972-676-00000]] with branch code.",
    "acct#: [[BANK:000123456789]], ACH debit authorised",
    "Customer has checking account ending 6789 and savings ending 1142.",
    "Passport no. [[PP:X12345678]] scanned on file.",
    "Please verify aadhaar number [[AADH:3863-3907-1965]] against e-KYC.",
    "Order 4407-2386-2551-1841 shipped. SKU 55012-A, qty 3.",
    "Tracking: 9261290100130423456789, est. delivery 2024-03-18.",
    "Build 2024.03.14 passed; artifact sha 9f86d081884c7d659a2feaa0c55ad015.",
    "Ticket #1004567890123456 escalated to L2.",
    "Call back at 2:30pm; ext. 5512, queue 03.",
    "From: [[PER:Ayesha Siddiqui]]\nSent: Monday, 11 March 2024 09:12\nTo: Billing",
    "[[PER:Emily]] (Team Lead) approved the goodwill credit of $25.",
    "Hi, this is [[PER:Marcus Lee]] from Accounts, returning your call.",
    "Employee: [[PER:Rajesh Kumar]]\nPAN: [[PAN:PLXPS5156H]]\nUAN: 100904567812",
    "employee_name,tin,sss,philhealth\n[[PER:Rodel Pascual]],[[TIN:320002057000]],"
    "[[SSS:28-6660330-9]],12-050123456-7",
    "bank_account,ifsc,holder\n[[BANK:50100123456789]],HDFC0001234,[[PER:Kavya Menon]]",
    "NI: [[NINO:ZH252487C]], NHS: [[NHS:451 139 4555]]",
    "IBAN: [[IBAN:GB70HBUK40127633018821]] BIC: HBUKGB4B",
    "Kind regards,\n\n[[PER:Natalie Brooks]]\nCustomer Care",
]

#: A second batch written blind after the first round of fixes (formats not yet tried).
ROUND2 = [
    '"Requester","Requester Email","Phone","Description"\n"[[PER:Gloria Hernandez]]",'
    '"[[EM:gloria.h@comcast.net]]","[[PH:(708) 555-0174]]","Double charge on 3/2, refund"',
    "Emp Code,Employee Name,PAN,Aadhaar,DOB\nIN0042,[[PER:Sneha Kulkarni]],[[PAN:HYTPN0412N]],"
    "[[AADH:5454 0881 8350]],[[DOB:1992-06-18]]",
    '"EMPLOYEE NAME","TIN","SSS NO.","BIRTHDATE"\n"[[PER:DELA CRUZ JUAN]]",'
    '"[[TIN:587-814-681-000]]","[[SSS:02-2461749-2]]","[[DOB:03/21/1988]]"',
    "Forename,Surname,NI Number,NHS Number,Mobile\n[[PER:Oliver]],[[PER:Hughes]],"
    "[[NINO:LC 42 25 60 D]],[[NHS:469 955 7333]],[[PH:07823 614502]]",
    "First Name,Last Name,SSN,Card Number\n[[PER:Tyler]],[[PER:Morgan]],[[SSN:386-12-4923]],"
    "[[CC:6564 4185 5345 7861]]",
    "[10:41] Agent [[PER:Jenny]]: Thanks for waiting! May I have the account holder's full name?\n"
    "[10:42] Customer: [[PER:Robert Chen]]",
    "Best,\n[[PER:Mark Thompson]]\nAccount Manager | Northwind\nM: [[PH:+1 415 555 0132]]",
    '{"contact": {"firstName": "[[PER:Ana]]", "lastName": "[[PER:Reyes]]", '
    '"phoneNumber": "[[PH:+63 945 221 7834]]"}}',
    "ts=2024-03-14T02:11:09Z level=info user_email=[[EM:jdoe@corp.example.com]] "
    'client_ip="[[IP:10.2.3.4]]"',
    "X-Forwarded-For: [[IP:203.0.113.9]], [[IP:10.0.0.2]]",
    "Please call [[PH:(415) 555-0132]] x204 during business hours.",
    "DOB: [[DOB:1987-03-14]] 00:00:00 (from legacy CRM)",
    "Customer record: SSN XXX-XX-4923, card ****-****-****-1842, DOB on file.",
    "Agent note - cx confirmed identity w/ last 4 of SSN and zip 60614.",
    "Caller: [[PER:Haruto Sato]] | Callback: [[PH:+1-917-555-0123]] | Reason: card not received",
    "Hello [[PER:Ms. Agarwal]], your KYC is complete.",
    "The refund of INR 4,500 was credited to A/c [[BANK:50100123456789]] on 12-Mar-2024.",
    "Chat transcript\nVisitor: hi i need to update my phone to [[PH:+91 99001 23456]]\n"
    "Agent [[PER:Rhea]]: Sure, done!",
    "Visitor ([[EM:sam.k@proton.me]]) left the chat at 17:42.",
    "Payment failed for card [[CC:2720 0399 8990 8093]]: insufficient funds.",
    "Customer provided IBAN [[IBAN:GB29NWBK60161331926819]] for the refund; BIC NWBKGB2L.",
    "Manager approval: [[PER:Catherine Doyle]] (ext. 3321)",
    "Order summary: 3 x Widget Pro (SKU WP-300) at $49.99; tracking 1Z2A4F980312345678.",
    "cURL: curl -u admin:[[SEC:P4ssw0rd!2024]] https://api.example.com/v1/users",
    "ssh deploy@[[IP:34.201.12.77]] -i ~/.ssh/id_rsa",
    "Patient DOB [[DOB:01/02/1945]], NHS [[NHS:451 139 4555]], seen by Dr. [[PER:Anand]].",
    "Born: [[DOB:Sept. 9, 1983]] in Quezon City",
    "PhilHealth 12-050123456-7 and Pag-IBIG 1211-2345-6789 recorded; SSS [[SSS:31-2006636-2]].",
    "Bank transfer ref 004512398812 completed at 10:22.",
    "Meeting ID 845 2231 9087, passcode 552190",
    "Contact centre: [[PH:0345 300 0000]] (Mon-Fri).",
    "[[PER:Jasmine Patel]] <[[EM:jasmine.patel@nhs.net]]> wrote: please see attached.",
    "Claimant [[PER:Daniel O'Connor]], NINO [[NINO:JP317914C]], DOB [[DOB:11/09/1975]]",
    "Updated mobile from [[PH:0917 123 4567]] to [[PH:0998 765 4321]] per customer request.",
    "ip addr show: inet [[IP:192.168.0.105]]/24 brd [[IP:192.168.0.255]] scope global eth0",
]

#: A third batch: upper-case payroll cells, "Last, First" labels, honorifics after a verb.
ROUND3 = [
    '"LAST NAME","FIRST NAME","TIN"\n"[[PER:DELA CRUZ]]","[[PER:JUAN]]","[[TIN:573-645-208-000]]"',
    "name,status\n[[PER:MARIA SANTOS]],ACTIVE\n[[PER:JOSE P. RIZAL]],ON LEAVE",
    "Assigned To: [[PER:Wong]], [[PER:Kelvin]]",
    "Customer Name: [[PER:MOHAMMED ALI KHAN]]",
    "Spoke w/ cust [[PER:Linda Park]] re late fee.",
    "cx name: [[PER:Joseph Villanueva]]",
    'From: "[[PER:Brown]], [[PER:Jessica]]" <[[EM:jessica.brown@acme.com]]>',
    "Called Mrs. [[PER:Nkechi Obi-Williams]] at 3pm.",
    "Mobile: [[PH:+63 (917) 555 1234]] / Ph: [[PH:0917-555-1234]]",
    "dob: [[DOB:03-14-87]] | birthday: [[DOB:1987.03.14]]",
    "Queue 3, position 12, estimated wait 04:15; survey score 9 of 10.",
    "Password reset done; the password is not shared over chat.",
]


def load() -> list[Case]:
    """Return every case with its marks stripped and spans computed."""
    cases: list[Case] = []
    groups = {
        "chat": CHAT,
        "call": CALL_NOTES,
        "email": EMAILS,
        "csv": CSV_ROWS,
        "json_log": JSON_LOGS,
        "prose": PROSE,
        "mixed": MIXED,
        "round2": ROUND2,
        "round3": ROUND3,
    }
    for group, items in groups.items():
        for number, marked in enumerate(items):
            cases.append(_parse(f"{group}-{number:02d}", marked))
    return cases


def _parse(name: str, marked: str) -> Case:
    """Strip ``[[TAG:value]]`` marks and return the case."""
    parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    size = 0
    for found in _MARK.finditer(marked):
        chunk = marked[pos : found.start()]
        parts.append(chunk)
        size += len(chunk)
        value = found.group(2)
        spans.append(Span(TAGS[found.group(1)], size, size + len(value)))
        parts.append(value)
        size += len(value)
        pos = found.end()
    parts.append(marked[pos:])
    return Case(name, "".join(parts), tuple(spans))
