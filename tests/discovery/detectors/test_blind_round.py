"""Rules added after the blind held-out round: each has positives and negatives."""

from __future__ import annotations

import pytest

from dataward.discovery import detect
from dataward.discovery.engine.detectors.registry import words


def found(text: str, entity: str) -> list[str]:
    return [text[d.start : d.end] for d in detect(text) if d.entity_type == entity]


def test_words_matches_multi_word_phrases() -> None:
    rx = words("sort code", "nhs number")
    assert rx.search("Sort code 20-32-53")
    assert rx.search('"nhsNumber": "4036703250"')
    assert rx.search("nhs_number")
    assert not rx.search("sorted codes")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Names from groups under-represented in the census lists.
        ("Oluwaseun Balogun called about the invoice.", ["Oluwaseun Balogun"]),
        ("Baraka Mwangi from the Nairobi team joined.", ["Baraka Mwangi"]),
        ('{"given_name":"Chiamaka","family_name":"Eze"}', ["Chiamaka", "Eze"]),
        ("On Wed, 6 Mar 2024 at 14:02, Nguyen Thi Lan <lan@vn.example> wrote:", ["Nguyen Thi Lan"]),
        ("From: Maria Clara Dela Cruz <mc@example.ph>", ["Maria Clara Dela Cruz"]),
        # A lone known given name before a person's verb.
        ("Emily (Team Lead) approved the exception.", ["Emily"]),
        ("Ishaan raised a ticket about login issues.", ["Ishaan"]),
        ("Virginia has new rules for collections.", []),
        ("India has a holiday on 15 August.", []),
        ("Finance approved the budget.", []),
        ("Devon has two branches; Cornwall has one.", []),
        ("Monday (holiday) will be off.", []),
        ("Sunita raised a complaint about the delivery.", ["Sunita"]),
        # A sentence end or a double space ends a run.
        ("Agent: Hello, you're chatting with Pooja. How may I help?", ["Pooja"]),
        ("Member: Rosa Delgado  Member ID: XJH448120331", ["Rosa Delgado"]),
        # "Last, First": the surname is found with its given name.
        ("Final pay computation - Gatchalian, Efren M.", ["Gatchalian", "Efren"]),
        ("Please send all letters to USNS Patterson, FPO AE 26458.", []),
        # Upper case after a person label; never after other labels.
        ("Name as per Aadhaar: ROHAN BANERJEE", ["ROHAN BANERJEE"]),
        ("Surname: OKONKWO\nForenames: CHINEDU JAMES", ["OKONKWO", "CHINEDU JAMES"]),
        ("Region: NCR SOUTH", []),
        ("Status: ACTIVE CUSTOMER", []),
        ("Result: PASS", []),
        # Company, place and job-title columns or lines hold no person.
        ("Name,Company,Title\nRobert Kim,Pacific Rim,Analyst", ["Robert Kim"]),
        ("Thanks and regards,\nAarav Sharma\nBengaluru", ["Aarav Sharma"]),
        ("Regards,\nIshaan Chaudhary\nCustomer Support Executive", ["Ishaan Chaudhary"]),
        ("- Upgraded OpenSSL to 3.0.13", []),
        ("Thanks!\n- Kayla", ["Kayla"]),
        ("Coordinates of the site: 14.5547, 121.0244 (Makati).", []),
        ("Hi, this is Vu Quoc Bao. I moved to Da Nang last week.", ["Vu Quoc Bao"]),
        ("Address: Purok 2, Anao, 9430 Davao del Sur.", []),
        ("Claimant Daniel O'Connor, NINO JP317914C", ["Daniel O'Connor"]),
    ],
)
def test_person(text: str, expected: list[str]) -> None:
    assert found(text, "PERSON") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agent: priya nair\ncustomer: rahul verma", ["priya nair", "rahul verma"]),
        ("Name: jose dela cruz", ["jose dela cruz"]),
        ("customer suresh kumar wants to close the account", ["suresh kumar"]),
        ("cx dennis ocampo called re: bill", ["dennis ocampo"]),
        ("customer john said he paid", []),
        ("customer mark paid in full", []),
        ("agent will call back tomorrow", []),
        ("customer care team replied", []),
        ("the customer ashley furniture order", []),
        ("username: john smith", []),
        ("agent: mark santos", []),
        ("customer: walk in", []),
        ("name = kristel anne ramos", ["kristel anne ramos"]),
    ],
)
def test_lower_case_names_after_cues(text: str, expected: list[str]) -> None:
    assert found(text, "PERSON") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Deployed build 2.14.0.3 to staging; rollback target 2.13.9.1.", []),
        ("Work log: firmware updated from 1.0.4.12 to 1.0.4.15, speed ok.", []),
        ("Version matrix: client 3.4.1.22, server 3.4.1.20, agent 3.4.0.99.", []),
        ("- Kernel 6.1.0.18 support", []),
        ("host,ip_address,os,version\nweb-01,10.12.0.21,Ubuntu,5.15.0.97", ["10.12.0.21"]),
        ("Upgraded firmware; device IP 192.168.1.20", ["192.168.1.20"]),
        ("Build agent 10.1.2.3 reachable at 10.1.2.4", ["10.1.2.4"]),
        ("Release notes: server moved to 203.0.113.5 today", ["203.0.113.5"]),
        ("Patched server 10.0.0.12 overnight.", ["10.0.0.12"]),
        ("Applied patch 2.4.1.7 to all hosts.", []),
    ],
)
def test_ip_versions(text: str, expected: list[str]) -> None:
    assert found(text, "IP_ADDRESS") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phone: 001-415-555-0120x210", ["001-415-555-0120x210"]),
        ("tel (212)555-0187x123", ["(212)555-0187x123"]),
        ("tel +1-212-555-0187x4567", ["+1-212-555-0187x4567"]),
        ("call 555-555-0187 ext. 42 now", ["555-555-0187 ext. 42"]),
        ("Mobile [[+44 (0)7700 900 562]]".replace("[[", "").replace("]]", ""), []),
        ("Kind regards\nOliver\n01632 960 447", ["01632 960 447"]),
        ("Emergency contact: +44 (0)7700 900 562", ["+44 (0)7700 900 562"]),
        ("Call 0044 20 7946 0958 today", ["0044 20 7946 0958"]),
        ("box 123-456-7890xyz", []),
        ("SKU,Qty,Price\n0012345678905,1,7.99", []),
    ],
)
def test_phone_forms(text: str, expected: list[str]) -> None:
    if text.startswith("Mobile"):
        expected = ["+44 (0)7700 900 562"]
    assert found(text, "PHONE_NUMBER") == expected


@pytest.mark.parametrize(
    ("text", "entity", "expected"),
    [
        ("SSN 404.52.9833 on the W-2 copy.", "US_SSN", ["404.52.9833"]),
        ("Version 404.52.9833 released.", "US_SSN", []),
        ("IBAN: gb80barc43899585481907", "IBAN_CODE", ["gb80barc43899585481907"]),
        ("ref gb80barc43899585481900", "IBAN_CODE", []),
        ('{"nhsNumber": "4036703250"}', "UK_NHS", ["4036703250"]),
        ("curl -u svc_report:Xk29vLq81mZp https://crm.example.com", "SECRET", ["Xk29vLq81mZp"]),
        ("curl -s --user 'admin:S3cr3t!x' https://a.example", "SECRET", ["S3cr3t!x"]),
        ("curl -u $USER:$TOKEN https://a.example", "SECRET", []),
        ("curl -u admin: https://a.example", "SECRET", []),
        (
            "SSS R-3 list\nSSS No.\tName\n29-6861106-9\tA\n25-5577487-8\tB\n33-1553788-1\tC",
            "PH_SSS",
            ["29-6861106-9", "25-5577487-8", "33-1553788-1"],
        ),
        ("Payroll list\nNo.\tName\n29-6861106-9\tA", "PH_SSS", []),
    ],
)
def test_other_forms(text: str, entity: str, expected: list[str]) -> None:
    assert found(text, entity) == expected
