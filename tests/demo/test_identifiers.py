"""Every identifier generator passes the real validation rules, whatever the seed."""

from __future__ import annotations

import ipaddress
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban, luhn
from stdnum.gb import nhs
from stdnum.in_ import aadhaar, pan
from stdnum.us import rtn, ssn

from dataward.demo.engine import contact
from dataward.demo.engine import identifiers as ids
from dataward.demo.engine.model import mask

SEEDS = st.integers(min_value=0, max_value=2**32)


@settings(max_examples=60, deadline=None)
@given(SEEDS)
def test_generated_identifiers_validate(seed: int) -> None:
    rng = random.Random(seed)
    card = ids.card_number(rng)
    assert luhn.is_valid(card)
    assert card not in ids.TEST_CARDS
    assert card[0] in "2456"
    assert luhn.is_valid(ids.group_card(card).replace(" ", ""))
    number = ids.us_ssn(rng)
    assert ssn.is_valid(number)
    assert number[:3] not in {"000", "666"}
    assert number[0] != "9"
    assert iban.is_valid(ids.gb_iban(rng))
    assert nhs.is_valid(ids.uk_nhs(rng))
    assert aadhaar.is_valid(ids.in_aadhaar(rng))
    assert pan.is_valid(ids.in_pan(rng, "Sharma"))
    assert rtn.is_valid(ids.us_routing(rng))
    assert ids.is_uk_nino(ids.uk_nino(rng))
    assert ids.is_ph_tin(ids.ph_tin(rng))
    assert ids.is_ph_sss(ids.ph_sss(rng))
    assert ids.is_us_passport(ids.us_passport(rng))


@settings(max_examples=40, deadline=None)
@given(SEEDS)
def test_phones_and_addresses_are_plausible(seed: int) -> None:
    rng = random.Random(seed)
    for region in ("US", "PH", "GB", "IN"):
        assert contact.is_phone(contact.phone(rng, region), region)
        assert contact.is_phone(contact.phone(rng, region, international=False), region)
        assert ipaddress.ip_address(contact.public_ipv4(rng, region)).is_global
        assert ipaddress.ip_address(contact.public_ipv6(rng, region)).is_global
    assert "555-" not in contact.phone(rng, "US")


@settings(max_examples=40, deadline=None)
@given(SEEDS)
def test_false_positive_bait_never_validates(seed: int) -> None:
    rng = random.Random(seed)
    assert not luhn.is_valid(ids.not_luhn_digits(rng, 16))
    assert not ssn.is_valid(ids.not_luhn_digits(rng, 9))
    assert not aadhaar.is_valid(ids.not_luhn_digits(rng, 12))


def test_mask_keeps_only_a_tail_or_a_first_letter() -> None:
    assert mask("5156149865758144", "CREDIT_CARD") == "************8144"
    assert mask("Lauren Flores", "PERSON") == "L" + "*" * 12
    assert mask("a.b@example.com", "EMAIL_ADDRESS") == "a" + "*" * 14
    assert mask("10.0.0.5", "IP_ADDRESS") == "******.5"
