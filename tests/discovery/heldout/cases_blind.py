"""A second held-out set, written blind (before any detector change in its round).

Same format as cases.py (``[[TAG:value]]`` inline marks, unmarked cases are negatives), in a
different style: longer multi-line documents (whole emails with signatures, chat transcripts,
multi-row CSV/TSV exports, JSON payloads, payroll, KYC, NHS letters, US claims) and names from
many groups (US, UK, Indian, Filipino, Nigerian, Vietnamese, Chinese). All values are
synthetic, with valid check digits where the type has one.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

_spec = importlib.util.spec_from_file_location(
    "heldout_cases_format", Path(__file__).with_name("cases.py")
)
assert _spec is not None
assert _spec.loader is not None
_format = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _format
_spec.loader.exec_module(_format)

EMAILS = [
    "From: [[PER:Aarav Sharma]] <[[EM:aarav.sharma@finserve-india.co.in]]>\n"
    "To: Customer Care <[[EM:care@finserve-india.co.in]]>\n"
    "Subject: KYC update for loan account LN/2024/08812\n\n"
    "Hello Team,\n\nPlease update my PAN to [[PAN:FGJPS2781G]] and my mobile to "
    "[[PH:+91 98450 11223]]. The old number [[PH:080-2345-0000]] belongs to the office.\n\n"
    "Thanks and regards,\n[[PER:Aarav Sharma]]\nBengaluru",
    "Subject: Re: Refund not received\n\nHi [[PER:Diya]],\n\n"
    "Thanks for confirming. I have raised the refund of INR 4,299 against order 408-1123390-22 "
    "and it should reach your account in 5-7 working days.\n\n"
    "Warm regards,\n[[PER:Ishaan Chaudhary]]\nCustomer Support Executive\n"
    "Direct: [[PH:+91 22 6712 4400]] | [[EM:ishaan.c@shopkart.in]]",
    "Dear Mr. [[PER:Rohan Banerjee]],\n\nWe refer to your request dated 14/03/2024. "
    "Your Aadhaar ending 3142 has been linked. For security we never ask for the full number "
    "over email.\n\nYours faithfully,\nNodal Officer\nGrievance Cell",
    "From: [[PER:Maria Clara Dela Cruz]] <[[EM:mcdelacruz1988@yahoo.com.ph]]>\n"
    "Sent: Monday, 4 March 2024 9:12 AM\nTo: [[EM:payroll@bpo-manila.ph]]\n"
    "Subject: Wrong SSS number on payslip\n\nHi po,\n\nMy payslip shows the wrong SSS. "
    "The correct one is [[SSS:39-2946539-9]] and my TIN is [[TIN:329-561-601-000]].\n\n"
    "Salamat,\n[[PER:Maria Clara Dela Cruz]]\nTeam Bravo, Night Shift",
    "Hi [[PER:Jose]],\n\nCan you call [[PER:Angelica Bautista]] back on [[PH:0917 845 2290]]? "
    "She said her Globe line is better after 7pm.\n\nThanks!\n[[PER:Kristine Joy Salazar]]\n"
    "Team Lead - Collections",
    "From: [[PER:Oliver Hastings]] <[[EM:oliver.hastings@btinternet.com]]>\n"
    "Subject: Change of bank details\n\nDear Sir or Madam,\n\n"
    "Please pay my pension into my new account: IBAN [[IBAN:GB63 MIDL 6916 2555 0076 59]], "
    "sort code 40-12-76. My National Insurance number is [[NINO:SB 43 53 45 B]].\n\n"
    "Kind regards\n[[PER:Oliver Hastings]]\n[[PH:01632 960 447]]",
    "Hello,\n\nI am writing on behalf of my mother, [[PER:Margaret Ashworth]] (date of birth "
    "[[DOB:12 January 1941]]), whose NHS number is [[NHS:458 437 5461]]. She has moved to "
    "a care home and her prescriptions need redirecting.\n\nMany thanks,\n"
    "[[PER:Eleanor Ashworth]]\nMobile [[PH:07700 900 314]]",
    "From: [[EM:tyler.robinson82@gmail.com]]\nTo: [[EM:claims@shieldmutual.com]]\n"
    "Subject: Claim #CLM-2024-118830 - direct deposit\n\n"
    "Hi, please deposit the settlement to routing 118014124, account [[BANK:735274624625]]. "
    "My SSN is [[SSN:260-30-3575]] if you need to verify.\n\n-- \n[[PER:Tyler Robinson]]\n"
    "[[PH:(512) 555-0148]]",
    "Subject: Out of office\n\nI am out of the office until Monday 11 March with limited access "
    "to email. For urgent matters please contact the service desk on extension 4410.\n\n"
    "Regards,\n[[PER:Chinedu Okonkwo]]\nIT Operations",
    "On Wed, 6 Mar 2024 at 14:02, [[PER:Nguyen Thi Lan]] <[[EM:lan.nguyen@vnmail.vn]]> wrote:\n"
    "> I still have not received my replacement card.\n> Please help.\n\n"
    "Dear Ms [[PER:Nguyen]],\nThe card was dispatched on 1 March by registered post.\n"
    "Best,\n[[PER:Hamish MacLeod]]",
    "To: [[EM:wang.fang@sinotrade.com.cn]]\nCc: [[EM:li.wei@sinotrade.com.cn]]\n"
    "Subject: Invoice 2024-0331 overdue\n\nDear Ms. [[PER:Wang]],\n\n"
    "Invoice 2024-0331 for USD 12,480.00 is now 30 days overdue. Please remit to "
    "[[IBAN:DE23 5001 0517 0000 1234 56]] quoting the invoice number.\n\n"
    "Sincerely,\n[[PER:Brittany Coleman]]\nAccounts Receivable",
    "Subject: Welcome aboard!\n\nHi [[PER:Funmilayo]],\n\nWelcome to the Lagos hub. Your laptop "
    "will be ready on day one; your buddy is [[PER:Tunde Bakare]].\n\nCheers,\n"
    "[[PER:Ngozi Adeyemi]]\nHR Business Partner\n[[PH:+234 803 555 0192]]",
    "Dear Customer,\n\nYour statement for February 2024 is ready. Minimum payment due: "
    "$35.00 by 03/25/2024. Log in to view it.\n\nThis is an automated message; "
    "please do not reply.",
    "From: Accounts Payable <[[EM:ap@harbourfreight.co.uk]]>\nSubject: Remittance advice\n\n"
    "Payment of GBP 3,240.00 has been made to [[IBAN:GB48NWBK36308411527087]] "
    "(beneficiary: [[PER:Callum Fletcher]]), reference RA-55120.\n\nAP Team",
    "Hi team,\n\nCustomer [[PER:Destiny Washington]] called twice about the late fee. "
    "Card on file [[CC:4376 0096 8078 4906]]. I waived the $29 fee per policy 4.2.\n\n"
    "- [[PER:Kayla]]",
    "From: [[PER:Siddharth Bhattacharya]] <[[EM:sid.b@techmahal.in]]>\n"
    "Subject: Salary account change\n\nDear HR,\n\nKindly update my salary account. "
    "Aadhaar: [[AADH:6563 2598 7954]]\nPAN: [[PAN:EZFPB5622R]]\nDate of Birth: "
    "[[DOB:21-08-1992]]\n\nRegards,\n[[PER:Siddharth Bhattacharya]]\n[[PH:+91-99001-23456]]",
    "Good day!\n\nThis is to confirm that [[PER:Rodelio Manalo]] has cleared his exit "
    "requirements. Final pay will be credited on 15 April.\n\n"
    "Respectfully,\n[[PER:Lorna Dimaculangan]]\nHR Officer\n[[EM:lorna.d@callhub.ph]]",
    "Subject: Password reset\n\nHi [[PER:Ashley]],\n\nYour temporary password is "
    "[[SEC:Vx8#mQ2!pLr9tZ]] and it expires in 24 hours. Please change it at first login.\n\n"
    "IT Service Desk",
    "From: [[PER:Rhys Llewellyn]] <[[EM:rhys.llewellyn@cardiffmail.co.uk]]>\n"
    "Subject: Re: appointment\n\nThanks, Thursday 10:30 works. My NHS number is "
    "[[NHS:4370655064]] and my date of birth is [[DOB:3 May 1978]].\n\n"
    "Cheers,\n[[PER:Rhys]]",
    "Hello [[PER:Meera]],\n\nThe customer [[PER:Arjun Menon]] confirmed his PAN "
    "[[PAN:CEHPK4037U]] on the recorded line. Please close SR-99120.\n\nThanks,\n"
    "[[PER:Kavya Krishnan]]",
    "Subject: Chargeback dispute 7781203\n\nDear Mr. [[PER:Kowalski]],\n\nWe have received the "
    "chargeback for the Amex ending 7964. Transaction date 02/14/2024, amount $412.77.\n\n"
    "Dispute Resolution Team\n[[PH:1-800-555-0199]]",
    "From: [[PER:Tran Van Hoang]] <[[EM:hoang.tran@saigonlogistics.vn]]>\n"
    "Subject: shipment delayed\n\nDear [[PER:Chen Jie]],\n\nContainer TGHU 8812334 is held at "
    "customs. Please call me at [[PH:+84 90 123 4567]].\n\nBest regards,\n[[PER:Tran Van Hoang]]",
    "Hi [[PER:Niamh]],\n\nCould you raise a PO for the headsets? Supplier ref HS-2231, qty 40.\n\n"
    "Ta,\n[[PER:Niamh Gallagher]]'s manager, [[PER:Declan Byrne]]",
    "Subject: Background check consent\n\nCandidate: [[PER:DeShawn Jackson]]\n"
    "SSN: [[SSN:539-01-3987]]\nDOB: [[DOB:09/17/1994]]\nPassport: [[PP:587401536]]\n\n"
    "Please process by Friday.\n[[PER:Amanda Li]], Talent Acquisition",
    "From: [[EM:noreply@alerts.bank.example]]\nSubject: New sign-in\n\n"
    "We noticed a new sign-in to your "
    "account from [[IP:81.2.69.160]] on 5 March 2024 at 22:41 GMT. If this was you, no action "
    "is needed.",
]

CHATS = [
    "[09:01:12] System: Chat started\n[09:01:20] Agent [[PER:Jhoanna]]: Hi! Thanks for "
    "contacting us. May I have your full name?\n[09:01:45] Customer: [[PER:Ramil Tolentino]]\n"
    "[09:02:03] Agent [[PER:Jhoanna]]: Thanks, Sir [[PER:Ramil]]. And your registered mobile?\n"
    "[09:02:30] Customer: [[PH:09189234411]]\n[09:03:10] Agent [[PER:Jhoanna]]: Verified. "
    "How can I help?",
    "Agent: Hello, you're chatting with [[PER:Pooja]]. How may I help you today?\n"
    "Customer: hi my card got blocked\nAgent: I'm sorry. Could you share the last 4 digits?\n"
    "Customer: full number is [[CC:5588 1690 9990 3975]]\n"
    "Agent: Please don't share full card numbers here. I've masked it.",
    "14:02 Customer: hello?\n14:02 Customer: anyone there\n14:03 Agent: Yes, good afternoon! "
    "I'm [[PER:Callum]]. What's the account number?\n14:04 Customer: 00412239\n"
    "14:05 Agent: Thanks. Can you confirm your NI number?\n14:05 Customer: [[NINO:RR152614B]]",
    "[2024-03-07 20:15] [[PER:Efren Gatchalian]]: good evening, i want to ask about my "
    "salary loan\n[2024-03-07 20:16] Agent: Hi Sir! Please provide your SSS number.\n"
    "[2024-03-07 20:16] [[PER:Efren Gatchalian]]: [[SSS:27-4161620-8]]\n"
    "[2024-03-07 20:18] Agent: Thank you. Your loan balance is PHP 18,240.50.",
    "User: my aadhar no is [[AADH:8713 4115 0131]] pls check why ekyc failing\n"
    "Bot: I can't process Aadhaar numbers in chat. Please use the secure form.\n"
    "User: ok what about pan [[PAN:YVTPI2430M]]\nBot: Transferring you to an agent.",
    "[11:20] Visitor: Hi, I'm [[PER:Olumide Fashola]], I ordered a blender last week\n"
    "[11:21] Agent: Hi [[PER:Olumide]]! Order number please?\n[11:21] Visitor: 112-4483921\n"
    "[11:23] Agent: It's out for delivery today.",
    "Agent ([[PER:Sophie]]): Hi there, can I take your postcode and date of birth?\n"
    "Customer: SW1A 2AA and [[DOB:04/11/1983]]\n"
    "Agent ([[PER:Sophie]]): Thank you, you're verified.",
    "[16:40:02] Customer: my email is [[EM:jamal.wright@icloud.com]] and phone "
    "[[PH:404.555.0163]]\n[16:40:40] Agent: Got it. I've updated your profile.\n"
    "[16:41:00] Customer: thanks",
    "Customer: can you send it to my other email [[EM:nikhil_g_1990@rediffmail.com]]\n"
    "Agent [[PER:Sneha]]: Done! Anything else?\nCustomer: no thats all thank u",
    "[08:30] Agent [[PER:Aileen]]: Good morning po! How can I assist?\n"
    "[08:31] Customer: magandang umaga, my TIN is [[TIN:229-260-739]] pls update\n"
    "[08:33] Agent [[PER:Aileen]]: Noted po, updated na.",
    "Bot: Please type your question.\nUser: how do i reset my password\n"
    "Bot: Click 'Forgot password' on the login page. A link will be sent to your email.\n"
    "User: thanks",
    "[13:05] Customer: my ssn is [[SSN:873 69 6285]] and dob [[DOB:1979-10-02]]\n"
    "[13:06] Agent: Thank you. For your security, please avoid sending your SSN in chat.",
    "(10:12:44) [[PER:Li Na]]: hello my package tracking not update\n"
    "(10:13:10) Agent [[PER:Marcus]]: Hi [[PER:Li Na]], let me check. The tracking number?\n"
    "(10:13:40) [[PER:Li Na]]: SF1402298831247",
    "Customer: hi, this is [[PER:Vu Quoc Bao]]. I moved to Da Nang, new phone "
    "[[PH:+84 236 3821 445]]\nAgent: Thanks [[PER:Bao]], updated.",
    "[19:02] Agent: May I know the cardholder name?\n[19:02] Customer: [[PER:Ma. Theresa "
    "Villanueva]]\n[19:03] Agent: And the card?\n[19:03] Customer: "
    "[[CC:5134-1643-0253-3809]] exp 07/27",
    "Agent [[PER:Gurpreet]]: Hi [[PER:Harpreet Kaur]], I see a failed payment of Rs 1,499.\n"
    "Customer: yes it was debited from my account\nAgent [[PER:Gurpreet]]: It will be "
    "auto-reversed in 48 hours.",
    "[21:44] Customer: pls call me [[PH:+63 998 765 1203]]\n[21:45] Agent: Sure, a specialist "
    "will call within 24 hours.",
    "[09:15] Customer: passport no is [[PP:523475542]] for the travel notice\n"
    "[09:16] Agent: Thanks, travel notice set for 10-24 April.",
    "Customer: i got an email saying my acct is locked from ip [[IP:45.33.32.156]]?\n"
    "Agent: That sign-in was blocked. Please change your password.",
    "Agent: Before we proceed, may I have your mother's maiden name?\nCustomer: [[PER:Fernandes]]\n"
    "Agent: Thank you. Your balance is 2,340.00.",
]

CSV_EXPORTS = [
    "EmployeeID,LastName,FirstName,MiddleName,TIN,SSS,PhilHealth,HDMF,Basic,Dept\n"
    "PH-0101,[[PER:Reyes]],[[PER:Jose]],Mercado,[[TIN:973-050-314-000]],[[SSS:07-6581451-1]],"
    "12-050334456-1,1210-5567-8891,25000.00,Voice\n"
    "PH-0102,[[PER:Bautista]],[[PER:Angelica]],Santos,[[TIN:631-013-600-000]],"
    "[[SSS:36-4556166-0]],12-051122334-9,1210-8871-2234,27500.00,Voice\n"
    "PH-0103,[[PER:Macaraeg]],[[PER:Jerome]],Lim,[[TIN:891-467-733-000]],[[SSS:10-4970604-9]],"
    "12-052233445-7,1211-0092-3345,30000.00,Chat\n"
    "PH-0104,[[PER:Soriano]],[[PER:Aileen]],Cruz,[[TIN:564-479-425-000]],[[SSS:35-7969081-5]],"
    "12-053344556-5,1211-2231-7789,25000.00,Email",
    "cust_id\tname\temail\tmobile\tpan\tcity\n"
    "C0001\t[[PER:Kabir Malhotra]]\t[[EM:kabir.malhotra@gmail.com]]\t[[PH:9812345670]]\t"
    "[[PAN:IHDPM9484Y]]\tDelhi\n"
    "C0002\t[[PER:Riya Saxena]]\t[[EM:riya.saxena@outlook.com]]\t[[PH:9876501234]]\t"
    "[[PAN:GKSPS8302I]]\tLucknow\n"
    "C0003\t[[PER:Ananya Mukherjee]]\t[[EM:ananya.m@yahoo.co.in]]\t[[PH:9830012345]]\t"
    "[[PAN:JRWPG8668M]]\tKolkata\n"
    "C0004\t[[PER:Farhan Qureshi]]\t[[EM:farhan.q@hotmail.com]]\t[[PH:9920011223]]\t"
    "[[PAN:NULPQ7722Y]]\tMumbai\n"
    "C0005\t[[PER:Zoya Siddiqui]]\t[[EM:zoya.siddiqui@gmail.com]]\t[[PH:9004455667]]\t"
    "[[PAN:NGRPS0228Y]]\tHyderabad",
    "Patient Name,NHS Number,Date of Birth,Postcode,GP Practice,Phone\n"
    "[[PER:Harriet Pemberton]],[[NHS:454 910 6794]],[[DOB:02/03/1950]],LS6 2AB,"
    "Headingley Surgery,[[PH:0113 496 0821]]\n"
    "[[PER:Ian McAllister]],[[NHS:412 588 4234]],[[DOB:17/11/1966]],G12 8QQ,"
    "Hillhead Medical,[[PH:0141 496 0302]]\n"
    "[[PER:Priya Chandran]],[[NHS:446 854 2276]],[[DOB:29/06/1988]],B15 2TT,"
    "Edgbaston Health,[[PH:07700 900 765]]\n"
    "[[PER:Samuel Adeyinka]],[[NHS:493 472 5288]],[[DOB:08/12/1975]],M14 5RS,"
    "Rusholme Practice,[[PH:0161 496 0577]]\n"
    "[[PER:Grace O'Neill]],[[NHS:457 480 1239]],[[DOB:23/04/1999]],BT9 6AA,"
    "Malone Medical,[[PH:028 9018 0442]]",
    "claim_id,member_name,member_ssn,dob,routing_no,account_no,amount\n"
    "CLM-88101,[[PER:Brandon Mitchell]],[[SSN:188-91-7522]],[[DOB:1971-05-30]],111789566,"
    "[[BANK:790608237457]],1250.00\n"
    "CLM-88102,[[PER:Jasmine Ortiz]],[[SSN:145-80-3761]],[[DOB:1985-12-08]],035483854,"
    "[[BANK:715081426475]],310.45\n"
    "CLM-88103,[[PER:Kevin O'Brien]],[[SSN:404-52-9833]],[[DOB:1990-02-14]],058951978,"
    "[[BANK:8585202266]],2200.00\n"
    "CLM-88104,[[PER:Latoya Harris]],[[SSN:790-93-0665]],[[DOB:1968-09-21]],107098818,"
    "[[BANK:34484809102]],89.99\n"
    "CLM-88105,[[PER:Samantha Nguyen]],[[SSN:194-72-6346]],[[DOB:2001-07-04]],121827557,"
    "[[BANK:65168971385]],640.00",
    "ticket_id,created_at,channel,customer,agent,category,priority,status\n"
    "TCK-550120,2024-03-01 08:14,phone,[[PER:Adebayo Ogunleye]],[[PER:Mark Anthony Santos]],"
    "Billing,P3,Closed\n"
    "TCK-550121,2024-03-01 08:40,chat,[[PER:Pham Minh Chau]],[[PER:Rowena Lacson]],Delivery,"
    "P2,Open\n"
    "TCK-550122,2024-03-01 09:02,email,[[PER:Eleanor Whitmore]],[[PER:Dennis Magbanua]],"
    "Refund,P2,Pending\n"
    "TCK-550123,2024-03-01 09:15,phone,[[PER:Vikram Rathore]],[[PER:Cristina Mercado]],"
    "Technical,P1,Escalated\n"
    "TCK-550124,2024-03-01 09:33,chat,[[PER:Huang Mei Ling]],[[PER:Mark Anthony Santos]],"
    "Billing,P4,Closed\n"
    "TCK-550125,2024-03-01 10:01,phone,[[PER:Emeka Nwosu]],[[PER:Rowena Lacson]],Account,P3,"
    "Closed",
    "Employee Number|Surname|Forename|NI Number|Tax Code|Gross Pay|Pay Date\n"
    "10021|[[PER:Fletcher]]|[[PER:Callum]]|[[NINO:EP314429B]]|1257L|2450.00|28/03/2024\n"
    "10022|[[PER:Gallagher]]|[[PER:Niamh]]|[[NINO:GE879858A]]|1257L|2710.33|28/03/2024\n"
    "10023|[[PER:Okoro]]|[[PER:Chidi]]|[[NINO:JJ399643D]]|BR|1980.00|28/03/2024\n"
    "10024|[[PER:Patel]]|[[PER:Hemal]]|[[NINO:MH900965A]]|1257L|3105.75|28/03/2024\n"
    "10025|[[PER:Wright]]|[[PER:Lucy]]|[[NINO:LA363598C]]|K475|2200.00|28/03/2024",
    "KYC_ID,Customer Name,DOB,Aadhaar,PAN,Mobile,State,Status\n"
    "K-7781,[[PER:Tanvi Joshi]],[[DOB:14-02-1995]],[[AADH:9633 8734 1623]],[[PAN:HXEPJ4742J]],"
    "[[PH:+91 98220 33441]],Maharashtra,VERIFIED\n"
    "K-7782,[[PER:Aditya Deshpande]],[[DOB:03-09-1987]],[[AADH:4080 2740 1485]],"
    "[[PAN:KHCPD7158S]],[[PH:+91 97300 12211]],Maharashtra,PENDING\n"
    "K-7783,[[PER:Nandini Ghosh]],[[DOB:22-11-1979]],[[AADH:5709 5172 4421]],"
    "[[PAN:JRWPG8668M]],[[PH:+91 98310 55660]],West Bengal,VERIFIED\n"
    "K-7784,[[PER:Pooja Venkatesan]],[[DOB:30-06-2000]],[[AADH:5410 6781 8653]],"
    "[[PAN:UFCPV0486G]],[[PH:+91 94440 77812]],Tamil Nadu,REJECTED\n"
    "K-7785,[[PER:Gurpreet Singh Sandhu]],[[DOB:11-01-1983]],[[AADH:6046 7851 3329]],"
    "[[PAN:AGUPK6202E]],[[PH:+91 98150 90012]],Punjab,VERIFIED",
    "order_id,order_date,sku,qty,unit_price,currency,warehouse,status\n"
    "SO-1000231,2024-02-28,HDST-200,4,39.99,USD,DAL-2,SHIPPED\n"
    "SO-1000232,2024-02-28,KB-110,12,19.50,USD,DAL-2,PICKING\n"
    "SO-1000233,2024-02-29,MON-27Q,2,289.00,USD,RNO-1,BACKORDER\n"
    "SO-1000234,2024-02-29,CBL-USBC,40,4.25,USD,RNO-1,SHIPPED\n"
    "SO-1000235,2024-03-01,DOCK-9,3,149.00,USD,DAL-2,CANCELLED",
    "host,ip_address,os,version,last_seen,owner\n"
    "web-01,[[IP:10.12.0.21]],Ubuntu 22.04,5.15.0.97,2024-03-10T02:11Z,"
    "[[EM:ops@acme.io]]\n"
    "web-02,[[IP:10.12.0.22]],Ubuntu 22.04,5.15.0.97,2024-03-10T02:12Z,[[EM:ops@acme.io]]\n"
    "db-01,[[IP:10.12.1.5]],RHEL 9.3,5.14.0.362,2024-03-10T02:09Z,[[EM:dba@acme.io]]\n"
    "vpn-gw,[[IP:203.0.113.88]],pfSense,2.7.2,2024-03-10T02:15Z,[[EM:netops@acme.io]]",
    "Name,Email,Phone,Company,Title\n"
    "[[PER:Jennifer Lawson]],[[EM:jlawson@brightpath.com]],[[PH:+1-312-555-0177]],"
    "BrightPath Inc,VP Operations\n"
    "[[PER:Robert Kim]],[[EM:robert.kim@nexora.com]],[[PH:312.555.0102]],Nexora,CTO\n"
    "[[PER:Amara Okafor]],[[EM:amara.okafor@lumenhealth.org]],[[PH:(646) 555-0139]],"
    "Lumen Health,Director\n"
    "[[PER:Wei Zhang]],[[EM:wzhang@pacificrim.co]],[[PH:001-415-555-0120x210]],Pacific Rim,"
    "Analyst\n"
    "[[PER:Carlos Mendes]],[[EM:cmendes@saopaulo-trade.com.br]],[[PH:+55 11 5555 0142]],"
    "SP Trade,Buyer",
    "date,agent_id,agent_name,calls_handled,aht_sec,csat,qa_score\n"
    "2024-03-04,A1021,[[PER:Marites Aquino]],64,312,4.6,92\n"
    "2024-03-04,A1022,[[PER:Jericho Ramos]],58,344,4.4,88\n"
    "2024-03-04,A1023,[[PER:Lovely Fernandez]],71,298,4.8,95\n"
    "2024-03-04,A1024,[[PER:Rey Mendoza Jr.]],49,401,4.1,79\n"
    "2024-03-04,A1025,[[PER:Kimberly Ocampo]],66,305,4.7,90",
    "account_holder;iban;bic;amount;currency;reference\n"
    "[[PER:Sophie Laurent]];[[IBAN:FR76 3000 4000 0312 3456 7890 143]];BNPAFRPP;1200.00;EUR;"
    "INV-4412\n"
    "[[PER:Daan Jansen]];[[IBAN:NL81RABO0312345678]];RABONL2U;845.50;EUR;INV-4413\n"
    "[[PER:Lucia Garcia]];[[IBAN:ES66 2100 0418 4012 3456 7891]];CAIXESBB;300.00;EUR;INV-4414\n"
    "[[PER:Sean Murphy]];[[IBAN:IE88AIBK93118212345678]];AIBKIE2D;99.00;EUR;INV-4415\n"
    "[[PER:Giulia Bianchi]];[[IBAN:IT59X0306909606100000063112]];BCITITMM;1500.00;EUR;INV-4416",
    "card_holder,card_number,exp_month,exp_year,billing_zip,last_txn\n"
    "[[PER:Heather Collins]],[[CC:2221390576399004]],04,2027,73301,2024-03-02\n"
    "[[PER:Jorge Ramirez]],[[CC:6011758995240576]],11,2026,90210,2024-03-03\n"
    "[[PER:Mei Chen]],[[CC:344462569667964]],02,2028,10001,2024-03-03\n"
    "[[PER:Andre Baptiste]],[[CC:5362676120464977]],09,2025,33101,2024-03-04\n"
    "[[PER:Olivia Sanders]],[[CC:4693921947968609]],06,2027,60601,2024-03-05",
    "sku,description,qty_on_hand,reorder_level,bin,supplier_code\n"
    "100234,USB headset mono,120,40,A-12-03,SUP-8812\n100235,USB headset duo,85,40,A-12-04,"
    "SUP-8812\n100236,Desk phone VoIP,22,10,B-01-01,SUP-4410\n100237,Webcam 1080p,64,20,"
    "B-02-07,SUP-1209\n100238,Monitor arm,9,5,C-04-02,SUP-7781",
    "Ref,Applicant,Passport No,Nationality,Date of Birth,Visa Type\n"
    "V-3301,[[PER:Nathan Brooks]],[[PP:672999495]],USA,[[DOB:1988-03-19]],B1\n"
    "V-3302,[[PER:Ashley Nguyen]],[[PP:584423832]],USA,[[DOB:1993-12-01]],B2\n"
    "V-3303,[[PER:Marcus Greene]],[[PP:676099594]],USA,[[DOB:1979-06-25]],B1\n"
    "V-3304,[[PER:Hannah Schultz]],[[PP:661091000]],USA,[[DOB:2002-10-10]],F1",
    "ID,Name,Phone,Alt Phone,Email,Region\n"
    "1,[[PER:Jonalyn Pascual]],[[PH:0917-555-0134]],[[PH:(02) 8123 4567]],"
    "[[EM:jonalyn.pascual@gmail.com]],NCR\n"
    "2,[[PER:Marvin Dizon]],[[PH:+63 920 555 0178]],[[PH:(032) 255 1122]],"
    "[[EM:marvin.dizon@yahoo.com]],Central Visayas\n"
    "3,[[PER:Princess Delos Santos]],[[PH:09275550199]],,[[EM:princessds@gmail.com]],"
    "Calabarzon\n"
    "4,[[PER:Noel Abad]],[[PH:0918 555 0111]],[[PH:(082) 224 8899]],"
    "[[EM:noel.abad@outlook.ph]],Davao",
]

JSON_PAYLOADS = [
    '{\n  "customer": {\n    "id": 88123,\n    "firstName": "[[PER:Aarav]]",\n'
    '    "lastName": "[[PER:Sharma]]",\n    "email": "[[EM:aarav.s@example.in]]",\n'
    '    "phone": "[[PH:+919812340011]]",\n    "pan": "[[PAN:SJQPC0065U]]",\n'
    '    "dob": "[[DOB:1991-04-18]]"\n  },\n  "status": "ACTIVE"\n}',
    '{"event":"payment.failed","data":{"card":{"number":"[[CC:5359230875726373]]",'
    '"brand":"mastercard","exp":"12/26"},"amount":4999,"currency":"usd",'
    '"customer_email":"[[EM:k.ward@fastmail.com]]"}}',
    '{"employee":{"name":"[[PER:Jose Reyes]]","tin":"[[TIN:192-945-082-000]]",'
    '"sss":"[[SSS:35-1328987-4]]","philhealth":"12-050998877-3","pagibig":"1212-3344-5566"},'
    '"period":"2024-03-15"}',
    '{\n  "patient": {\n    "name": "[[PER:Fiona McKenzie]]",\n    "nhsNumber": '
    '"[[NHS:4036703250]]",\n    "birthDate": "[[DOB:1962-08-09]]",\n    "telecom": '
    '"[[PH:+44 131 496 0611]]"\n  }\n}',
    '{"applicant":{"given_name":"[[PER:Chiamaka]]","family_name":"[[PER:Eze]]",'
    '"ssn":"[[SSN:565-35-7786]]","bank":{"routing":"068948492","account":"[[BANK:922017701325]]"}}}',
    '{"request_id":"c1a9e2f0-22b1-4d0e-9a51-77e0c3d2a118","latency_ms":182,"region":'
    '"ap-south-1","status":200,"version":"4.2.1.7","retries":0}',
    '{"config":{"db_host":"[[IP:10.0.8.4]]","db_user":"svc_crm","db_password":"[[SEC:p5JE0IzkPuuh2BNypo]]"'
    ',"aws_access_key_id":"[[SEC:AKIANI4TG4C2GRNSGAXN]]","aws_secret_access_key":'
    '"[[SEC: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]]"}}',
    '{"kyc":{"aadhaar":"[[AADH:6046-7851-3329]]","pan":"[[PAN:MNMPM1356B]]","name":'
    '"[[PER:Meera Pillai]]","mobile":"[[PH:09847012345]]"},"verified":true}',
    '[{"id":1,"name":"[[PER:Le Thu Trang]]","email":"[[EM:trang.le@gmail.com]]"},'
    '{"id":2,"name":"[[PER:Olusegun Adeleke]]","email":"[[EM:segun.adeleke@yahoo.com]]"},'
    '{"id":3,"name":"[[PER:Zhang Xiuying]]","email":"[[EM:xiuying.zhang@163.com]]"}]',
    '{"session":{"ip":"[[IP:49.145.22.10]]","user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; '
    'x64)","geo":"Quezon City, PH"},"login":"success"}',
    '{"transfer":{"from_iban":"[[IBAN:GB55HBUK53593730377211]]","to_iban":'
    '"[[IBAN:GB67NWBK99736479203015]]","amount":"250.00","beneficiary":"[[PER:Rachel Dunn]]"}}',
    '{"metrics":{"cpu":0.42,"mem":0.71,"disk":0.33},"host":"crm-app-03","ts":1709812345,'
    '"build":"2024.03.07.2"}',
    '{"lead":{"full_name":"[[PER:Kwame Mensah]]","phone":"[[PH:+1 (718) 555-0156]]",'
    '"source":"webform","notes":"wants a callback after 5pm EST"}}',
    '{"token_type":"Bearer","access_token":"[[SEC:eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.'
    'eyJzdWIiOiI4ODEyMyIsInJvbGUiOiJhZ2VudCJ9.Qm9yZ2VzLUxpYnJhcnktOTkxMjM0]]","expires_in":3600}',
    '{"payee":{"name":"[[PER:Chioma Nwachukwu]]","ssn_last4":"4421","dob":"[[DOB:1984-01-27]]"}}',
]

PAYROLL_PH = [
    "PAYSLIP - March 16-31, 2024\nEmployee: [[PER:DELA CRUZ]], [[PER:MARIA CLARA]]\n"
    "Employee No: 2019-0442\nTIN: [[TIN:488-068-153-000]]\nSSS No: [[SSS:24-7766253-8]]\n"
    "PhilHealth: 19-050112233-4\nPag-IBIG: 1210-4455-6677\n\nBasic Pay       15,000.00\n"
    "Night Diff       1,875.00\nSSS Contribution  (675.00)\nNet Pay         14,812.50",
    "BIR Form 2316 summary\nEmployee Name: [[PER:Ramon Villareal Aquino]]\n"
    "TIN: [[TIN:938-563-599-000]]\nDate of Birth: [[DOB:05/22/1990]]\n"
    "Employer: Summit Outsourcing Inc. TIN [[TIN:004-512-398-000]]\nGross compensation: 412,500.00",
    "SSS R-3 Contribution List\nSSS No.\tName\tMonthly Salary Credit\n"
    "[[SSS:29-6861106-9]]\t[[PER:Bernardo Santiago]]\t20,000\n"
    "[[SSS:25-5577487-8]]\t[[PER:Imelda Castillo]]\t18,500\n"
    "[[SSS:33-1553788-1]]\t[[PER:Romeo Galang]]\t25,000\n"
    "[[SSS:36-6283954-0]]\t[[PER:Liza Manalastas]]\t16,000",
    "Employee Information Sheet\nName: [[PER:Jhoanna Mae Pascual]]\nBirthday: "
    "[[DOB:March 3, 1996]]\nMobile: [[PH:0917 555 0146]]\nTIN: [[TIN:650-685-139]]\n"
    "SSS: [[SSS:08-4102351-4]]\nEmergency contact: [[PER:Teresita Pascual]] (mother) "
    "[[PH:0928 555 0190]]",
    "Loan application #SL-2024-00881\nMember name: [[PER:Efren Manalo Gatchalian]]\n"
    "SSS number: [[SSS:28-5683473-4]]\nLoan amount: PHP 40,000.00\nTerm: 24 months\n"
    "Status: APPROVED",
    "payroll_run,emp_no,emp_name,tin,sss,gross,tax,net\n"
    "2024-03-31,5501,[[PER:Kristine Joy Salazar]],[[TIN:863-428-176-000]],[[SSS:39-3829028-7]],"
    "32000.00,2125.00,27345.00\n"
    "2024-03-31,5502,[[PER:Dennis Magbanua]],[[TIN:557-174-078-000]],[[SSS:29-1212106-1]],"
    "28000.00,1333.33,24210.00\n"
    "2024-03-31,5503,[[PER:Rowena Lacson]],[[TIN:586-812-940-000]],[[SSS:30-0830643-2]],"
    "35000.00,2725.00,29802.50\n"
    "2024-03-31,5504,[[PER:Jerome Macaraeg]],[[TIN:278-165-600-000]],[[SSS:09-8954579-6]],"
    "26000.00,1000.00,22890.00\n"
    "2024-03-31,5505,[[PER:Aileen Soriano]],[[TIN:704-273-719-000]],[[SSS:19-4327135-6]],"
    "30000.00,1875.00,26112.00",
    "Certificate of Employment\n\nThis is to certify that MR. [[PER:ROMMEL T. BAYANI]] has been "
    "employed with Pacific Contact Solutions from June 1, 2019 to the present as Senior "
    "Customer Service Representative.\n\nIssued this 8th day of March 2024 in Pasig City.\n\n"
    "ATTY. [[PER:CORAZON L. REYES]]\nHR Director",
    "Final pay computation - [[PER:Gatchalian]], [[PER:Efren M.]]\nLast day: 2024-02-29\n"
    "Unused leave: 6.5 days\n13th month (prorated): 3,750.00\nTIN [[TIN:240-754-105-000]]",
    "Government remittance summary March 2024\nSSS employer share: 182,340.00\n"
    "PhilHealth: 95,120.00\nPag-IBIG: 20,800.00\nBIR 1601-C: 411,902.17\nPrepared by: Finance",
    "201 file checklist:\n- NBI clearance: submitted\n- TIN ID: [[TIN:365-291-161-000]]\n"
    "- SSS E-1: [[SSS:12-8816659-0]]\n- Birth certificate (PSA): submitted\n"
    "Employee: [[PER:Vilma Cabrera]]",
]

KYC_IN = [
    "e-KYC Verification Report\nName as per Aadhaar: [[PER:ROHAN BANERJEE]]\n"
    "Aadhaar No: [[AADH:4859 3549 0267]]\nDate of Birth: [[DOB:12/07/1989]]\n"
    "Gender: M\nPAN: [[PAN:GUFPB6363J]]\nName match score: 98%",
    "Customer Onboarding Form\n1. Full name: [[PER:Diya Iyer]]\n2. Father's name: "
    "[[PER:Subramanian Iyer]]\n3. DOB: [[DOB:09-10-1997]]\n4. PAN: [[PAN:YVTPI2430M]]\n"
    "5. Aadhaar: [[AADH:9855 2679 2852]]\n6. Mobile: [[PH:+91 99400 12345]]\n"
    "7. Email: [[EM:diya.iyer97@gmail.com]]",
    "Dear [[PER:Ishaan Chaudhary]],\nYour PAN [[PAN:SJQPC0065U]] has been successfully linked "
    "with Aadhaar XXXX XXXX 4759. No further action is required.\nIncome Tax Helpdesk",
    "CALL NOTES 07-Mar-2024\nCaller: [[PER:Lakshmi Narayanan]]\nRegistered mobile: "
    "[[PH:98400 12345]]\nAadhaar provided: [[AADH:6716 5776 8151]]\nIssue: EMI bounce, "
    "asked for waiver. Escalated to supervisor [[PER:Rajesh Khanna]].",
    "Nominee details\nNominee: [[PER:Sunita Devi]]\nRelationship: Mother\nNominee DOB: "
    "[[DOB:1961-03-15]]\nNominee Aadhaar: [[AADH:6829 3299 4759]]",
    "GSTIN: 27AAPFU0939F1ZV\nInvoice No: MH/2024/00912\nPlace of supply: Maharashtra\n"
    "Taxable value: 42,000.00\nCGST 9%: 3,780.00\nSGST 9%: 3,780.00",
    "Loan Application\nApplicant: [[PER:Vikram Singh Rathore]]\nPAN: [[PAN:XMTPR9973F]]\n"
    "Co-applicant: [[PER:Anjali Rathore]]\nCo-applicant PAN: [[PAN:IOIPP2450F]]\n"
    "Monthly income: 1,25,000\nCIBIL score: 782",
    "[[PER:Farhan]] asked whether his aadhaar [[AADH:606828484227]] can be used instead of "
    "passport for the SIM. Told him yes.",
    "Verification failed for applicant [[PER:Priyanka Kulkarni]] - Aadhaar "
    "[[AADH:6197-5503-3851]] OTP not received on [[PH:+91-98765-00112]].",
    "Branch: Koramangala\nIFSC: HDFC0000523\nAccount holder: [[PER:Arjun Menon]]\n"
    "Account no: [[BANK:50100234567812]]\nPAN: [[PAN:YYYPM1748N]]",
]

NHS_UK = [
    "Dear Mrs [[PER:Patricia Holloway]],\n\nNHS Number: [[NHS:471 624 0673]]\n"
    "Date of birth: [[DOB:14 October 1947]]\n\nYou have been referred to the Cardiology "
    "Outpatient Clinic at St Mary's Hospital. Your appointment is on Tuesday 16 April 2024 "
    "at 09:40.\n\nYours sincerely,\n\nDr [[PER:Anil Kapoor]]\nConsultant Cardiologist",
    "DISCHARGE SUMMARY\nPatient: [[PER:Thomas Whitaker]]\nNHS No: [[NHS:416 274 0690]]\n"
    "DOB: [[DOB:03/06/1958]]\nAdmitted: 02/03/2024  Discharged: 07/03/2024\n"
    "Consultant: Mr [[PER:J. Okafor]]\nGP: Dr [[PER:S. Rahman]], Brook Lane Surgery",
    "Reference: DWP/PIP/2024/118230\n\nDear Mr [[PER:Hughes]],\n\nWe have received your claim "
    "for Personal Independence Payment. Your National Insurance number is "
    "[[NINO:CA 49 42 41 D]]. Please quote it in all correspondence.\n\nDWP",
    "Patient contacted the surgery on [[PH:0121 496 0884]] requesting a repeat prescription. "
    "NHS [[NHS:424 595 9436]]. Verified DOB [[DOB:1972-11-30]].",
    "P60 End of Year Certificate\nTax year to 5 April 2024\nEmployee's details\n"
    "Surname: [[PER:OKONKWO]]\nForenames: [[PER:CHINEDU JAMES]]\nNational Insurance number: "
    "[[NINO:WX538326B]]\nPay in this employment: 34,560.00\nTax deducted: 4,398.20",
    "Appointment reminder: [[PER:Aisha Begum]], your flu vaccination is on 12 Oct at 11:15 at "
    "Whitechapel Health Centre. Reply STOP to opt out.",
    "Safeguarding referral\nChild: [[PER:Leo Marsh]] (DOB [[DOB:17/02/2016]], NHS "
    "[[NHS:497 741 2486]])\nParent: [[PER:Kerry Marsh]], tel [[PH:07700 900 881]]\n"
    "Referrer: [[PER:Joanne Pritchard]], school nurse",
    "HMRC letter ref 2024-118-771\nDear Ms [[PER:Rebecca Thornton]]\nYour tax code for "
    "2024-25 is 1257L. NI number [[NINO:TK 88 94 27 B]].\nHM Revenue & Customs",
    "Ward 7B handover 19:00\nBed 3 - Mr [[PER:Derek Blackwood]], 81, NHS [[NHS:4397859817]], "
    "post-op day 2, obs stable.\nBed 4 - Mrs [[PER:Ivy Chambers]], 77, NHS "
    "[[NHS:4351431695]], awaiting OT review.",
    "The clinic will be closed on Monday 6 May 2024 for the bank holiday. For urgent advice call "
    "NHS 111.",
    "Employee starter checklist\nName: [[PER:Bethany Cole]]\nNI: [[NINO:BE838016D]]\n"
    "Start date: 01/04/2024\nBank: sort code 20-32-53, acc [[BANK:41234567]]\nEmergency contact: "
    "[[PER:Martin Cole]] [[PH:+44 (0)7700 900 562]]",
]

US_CLAIMS = [
    "FIRST NOTICE OF LOSS\nClaim #: AUTO-2024-031188\nInsured: [[PER:Michael R. Donovan]]\n"
    "SSN: [[SSN:729-69-9541]]\nDOB: [[DOB:08/14/1976]]\nPhone: [[PH:(602) 555-0181]]\n"
    "Email: [[EM:mdonovan76@comcast.net]]\nLoss date: 03/02/2024\n"
    "Description: rear-ended at a stop light on I-10.",
    "Direct Deposit Authorization\nEmployee name: [[PER:Latisha Coleman]]\n"
    "Bank routing number: 037180812\nAccount number: [[BANK:197203309516]]\n"
    "Account type: Checking\nSSN (last 4): 1393",
    "W-9 received from vendor [[PER:Gregory Palmer]] (sole proprietor), TIN/SSN "
    "[[SSN:691-05-0149]]. Filed in AP folder.",
    "Claimant [[PER:Hector Alvarez]] requested the payment by ACH. ABA 116526274, "
    "acct [[BANK:7033432208]]. Passport on file [[PP:614837531]] (expired).",
    "Beneficiary change form\nPolicy: LIFE-7781203\nPrimary beneficiary: [[PER:Danielle "
    "Foster]], spouse, SSN [[SSN:089-08-1742]], DOB [[DOB:11/02/1982]]\nContingent: "
    "[[PER:Ethan Foster]], son, DOB [[DOB:05/19/2010]]",
    "EOB - Explanation of Benefits\nMember: [[PER:Rosa Delgado]]  Member ID: XJH448120331\n"
    "Provider: Lakeside Orthopedics\nBilled: $1,240.00  Allowed: $812.40  You owe: $162.48",
    "Fraud alert note: caller claiming to be [[PER:James Whitfield]] could not verify SSN; "
    "gave [[SSN:277-72-1680]] which does not match file. Callback number [[PH:214-555-0193]] "
    "flagged.",
    "Tax return intake (2023)\nTaxpayer: [[PER:Kimberly Tran]]  SSN [[SSN:178-09-5326]]\n"
    "Spouse: [[PER:Duc Tran]]  SSN [[SSN:588-45-6098]]\nDependents: 2\nRefund to "
    "routing 040193553 account [[BANK:95338175448]]",
    "Travel claim TC-4491: employee [[PER:Aaron Feldman]] passport [[PP:545186713]], "
    "trip JFK-LHR 03/10-03/15, per diem $79 x 5 days.",
    "Claim CLM-30021 status: closed - paid $2,400.00 on 02/28/2024 via check #10442.",
    "HIPAA authorization signed by [[PER:Brenda Kowalczyk]] on 03/06/2024. DOB "
    "[[DOB:April 2, 1955]]. Medicare number 1EG4-TE5-MK73.",
    "ACH return R03 for [[PER:Jamal Carter]]: routing 120957282, account "
    "[[BANK:926745315252]] - no account/unable to locate.",
]

TICKETS = [
    "INC0088121 | P2 | Assigned: [[PER:Kelvin Tan]]\nShort description: VPN drops every 10 min\n"
    "Work notes: user's laptop IP [[IP:10.44.3.187]], gateway [[IP:10.44.0.1]]. Reinstalled "
    "client 7.2.4, issue persists.",
    "Ticket #4481203\nRequester: [[PER:Olivia Bennett]] ([[EM:olivia.bennett@harrow-eng.co.uk]])\n"
    "Subject: Cannot log in to portal\nNotes: account locked after 5 attempts, unlocked by "
    "[[PER:Rhys]].",
    "CRM note 2024-03-05 agent: [[PER:priya nair]]\ncustomer [[PER:suresh kumar]] wants "
    "to close account, offered retention discount 15%, declined.",
    "Escalation: customer [[PER:Chukwuemeka Obi]] threatened to go to the ombudsman. Case "
    "ref CMP-20931. Call back on [[PH:020 7946 0118]] before 5pm.",
    "Callback scheduled for [[PER:Tran Thi Mai]] at [[PH:+1 (832) 555-0147]] on 03/08 2:30 PM CST.",
    "Disposition: RPC - right party contact. Debtor [[PER:Marlon Bautista]] promised to pay "
    "PHP 5,000 on 15 March via GCash [[PH:09175550123]].",
    "Note by [[PER:Bianca]]: Customer is very upset about delivery. Offered voucher code SORRY10.",
    "QA review: agent [[PER:Ferdinand Ocampo]] failed to verify DOB before disclosing "
    "balance. Score 62/100. Coaching assigned by [[PER:Grace Tolentino]].",
    "Complaint logged by [[PER:Wu Hao]] re: double debit of CNY 388.00 on 2024-03-01.",
    "SR-118230: change of address. Old: 14 Elm St, Springfield. New: 220 Oak Ave Apt 4B, "
    "Springfield. Verified by [[PER:Nicole Foster]].",
    "Incident: phishing email reported. Sender [[EM:security-alert@paypa1-support.com]], "
    "link resolved to [[IP:185.234.72.19]]. Blocked at proxy.",
    "Handover: [[PER:Emily]] (Team Lead) approved the goodwill credit of $50 for account 88120031.",
    "Work log: rebooted router, firmware updated from 1.0.4.12 to 1.0.4.15, speed test 94 Mbps.",
    "Customer [[PER:Obinna Eze]] says the agent [[PER:Lovely]] was rude. Reviewed recording; "
    "no issue found.",
    "Assignee: [[PER:Nguyen]], [[PER:Thanh]]\nReporter: [[PER:Smith]], [[PER:Jordan]]\n"
    "Status: In Progress",
    "Chat transcript emailed to [[EM:ahmed.rashid@gmail.com]] at customer request.",
    "Verified caller [[PER:Ewa Nowak]] with DOB [[DOB:07.04.1986]] and postcode.",
    "Member [[PER:Joy Villanueva]] (SSS [[SSS:20-8527401-5]]) asked for her contribution "
    "printout. Sent to [[EM:joyv1992@gmail.com]].",
]

WEAK_SPOTS = [
    "[[PER:Emily]] (Team Lead) approved the exception.",
    "agent: [[PER:priya nair]]\ncustomer: [[PER:rahul verma]]\nissue: refund",
    "Name: [[PER:jose dela cruz]]",
    "Customer Name: [[PER:Dela Cruz]], [[PER:Juan]]",
    "curl -u svc_report:[[SEC:Xk29vLq81mZp]] https://crm.example.com/api/export",
    "Deployed build 2.14.0.3 to staging; rollback target 2.13.9.1.",
    "Call me on [[PH:+44 (0) 20 7946 0733]] tomorrow.",
    "Office line [[PH:415/555/0132]]",
    "SSN [[SSN:404.52.9833]] on the W-2 copy.",
    "IBAN: [[IBAN:gb80barc43899585481907]]",
    "She was born in 1987 on [[DOB:March 14]].",
    "[[PER:Oluwaseun Balogun]] called about the invoice.",
    "[[PER:Nguyen Van An]] will cover the night shift.",
    "Approved by [[PER:Zhang Wei]] and [[PER:Liu Yang]].",
    "[[PER:Ngozi]] and [[PER:Chinedu]] are on leave this week.",
    "Firmware 10.2.0.8 available for all devices.",
    "Windows build 10.0.22631.3155 installed.",
    "Spoke with [[PER:Tunde]] re: his missing parcel.",
    "[[PER:Aarav Sharma]] has requested a statement.",
    "[[PER:Ishaan]] raised a ticket about login issues.",
    "Hi [[PER:Marites]], please send the SSS forms.",
    "[[PER:Baraka Mwangi]] from the Nairobi team joined the call.",
    "Ticket owner: [[PER:Nguyen Hoang Nam]]",
    "Dr. [[PER:Adaeze Okoye]] signed the referral.",
    "cx [[PER:dennis ocampo]] called re: bill",
]

NEGATIVES = [
    "Monthly KPI summary\nService level: 82.4% (target 80%)\nAHT: 312 sec\nFCR: 71%\n"
    "Abandon rate: 4.1%\nCSAT: 4.5/5\nHeadcount: 214 (12 in training)",
    "Shift schedule week 11\nMon-Fri 22:00-07:00 (PH time)\nBreaks: 00:30, 03:00, 05:15\n"
    "Coaching: Wed 06:00\nTeam huddle: daily 21:45",
    "Release notes v5.3.0\n- Fixed crash on export (#4412)\n- Upgraded OpenSSL to 3.0.13\n"
    "- Kernel 6.1.0.18 support\n- Build 20240307.1",
    "Invoice 2024-00412\nQty 12 x Headset H200 @ 39.99 = 479.88\nShipping 15.00\nTax 8.25% "
    "= 40.82\nTotal 535.70 USD\nDue 04/15/2024",
    "The meeting is at 10:30 in Conference Room B. Dial-in [[PH:1 888 555 0100]], "
    "code 448 2219 07#.",
    "Please remember to lock your screen when leaving your desk. Clean desk policy applies to "
    "all floors.",
    "Order #112-4483921-9912 shipped via FedEx tracking 7712 3456 7890.",
    "Reference numbers: 20240307-4412, 20240307-4413, 20240307-4414.",
    "The customer asked about the difference between the Gold and Platinum plans. Explained "
    "annual fees and lounge access.",
    "SKU,Qty,Price\n8801234567890,2,19.99\n4006381333931,5,2.49\n0012345678905,1,7.99",
    "Q1 forecast: 18,420 calls, 6,210 chats, 3,300 emails. Staffing gap 14 FTE.",
    "Server uptime 99.97% last month; 2 incidents (INC0088101, INC0088188).",
    "Temperature log: 21.5C, 22.0C, 21.8C. Humidity 45%.",
    "Version matrix: client 3.4.1.22, server 3.4.1.20, agent 3.4.0.99.",
    "Policy reminder: never read out full card numbers; use the last four digits only.",
    "Survey: 1 = very dissatisfied, 5 = very satisfied. Average 4.3 from 1,204 responses.",
    "Pantry rules: label your food, clean the microwave, and empty the fridge on Fridays.",
    "Postcode list for the campaign: SW1A 1AA, EC1A 1BB, W1A 0AX, M1 1AE, B33 8TH.",
    "Training room booked 2024-03-12 09:00-17:00 for new hire batch 24-07.",
    "Memo: The Marketing and Sales teams will move to Floor 9 on Monday.",
    "Price list: Basic 9.99, Plus 14.99, Premium 24.99 per month. Annual plans save 15%.",
    "Exchange rate used: 1 USD = 56.12 PHP = 83.05 INR = 0.79 GBP (as of 07 Mar 2024).",
    "Error code 0x80070005 when installing update KB5034441.",
    "Dear Customer, thank you for your payment of $120.00 received on 03/01/2024.",
    "Account status: ACTIVE | Tier: GOLD | Since: 2016 | Points: 12,480",
    "Coordinates of the site: 14.5547, 121.0244 (Makati).",
    "Holiday list 2024: Jan 1, Apr 9, May 1, Jun 12, Aug 26, Nov 30, Dec 25.",
    "Call volume by hour: 08h 120, 09h 240, 10h 310, 11h 295, 12h 180.",
    "Container numbers MSCU 4412093, TGHU 8812334 arrived at Port of Manila.",
    "Part numbers: 1102-4481-22, 1102-4481-23, 1102-4481-24 on backorder.",
]


def load() -> list[Any]:
    """Return every blind case with its marks stripped and spans computed."""
    cases: list[Any] = []
    groups = {
        "b_email": EMAILS,
        "b_chat": CHATS,
        "b_csv": CSV_EXPORTS,
        "b_json": JSON_PAYLOADS,
        "b_payroll_ph": PAYROLL_PH,
        "b_kyc_in": KYC_IN,
        "b_nhs_uk": NHS_UK,
        "b_claims_us": US_CLAIMS,
        "b_ticket": TICKETS,
        "b_weak": WEAK_SPOTS,
        "b_negative": NEGATIVES,
    }
    for group, items in groups.items():
        for number, marked in enumerate(items):
            cases.append(_format._parse(f"{group}-{number:02d}", marked))
    return cases
