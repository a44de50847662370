"""Property tests: mutated inputs never crash a parser, and every detector keeps its promises.

Each fuzz target (extractor, importer, log format) gets its own seeds mutated by hypothesis:
bytes flipped, cut, duplicated and spliced with format tokens. The atheris harnesses explore
much further (``make fuzz``); these keep the same promises checked on every test run.
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataward.discovery import detect, mask, normalize
from dataward.discovery.engine.types import ENTITIES

from .conftest import load_targets

targets = load_targets()
TOKENS = [
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r\n", b'"', b",", b";", b"{", b"[", b"]", b"}",
    b"PK\x03\x04", b"%PDF-", b"<?xml", b"</", b"=?utf-8?b?", b"\\u0000", b"9" * 40, b"-1e999",
    b"1970-01-01", b"9999-99-99T99:99:99Z", targets.CANARY.encode(),
]  # fmt: skip
SLOW = HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much


@cache
def _seeds(name: str) -> tuple[bytes, ...]:
    return tuple(targets.seeds(targets.TARGETS[name], None))


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    """Draw one of the target's seeds and apply a few random edits."""
    data = bytearray(draw(st.sampled_from(_seeds(name))))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        pos = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            data[min(pos, len(data) - 1)] ^= draw(st.integers(1, 255))
        elif op == "cut":
            del data[pos : pos + draw(st.integers(1, 512))]
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from(TOKENS) | st.binary(max_size=12))
        else:
            data[pos:pos] = data[pos : pos + draw(st.integers(0, 128))] * draw(st.integers(1, 4))
    return bytes(data)


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
@settings(
    max_examples=12, deadline=None, suppress_health_check=SLOW, database=None, derandomize=True
)
@given(data=st.data())
def test_mutated_inputs_never_crash(name: str, data: st.DataObject) -> None:
    targets.TARGETS[name].run(data.draw(mutated(name)))


PIECES = [
    "536-22-8754", "4539 1488 0343 6467", "GB29 NWBK 6016 1331 9268 19", "943 476 5919",
    "AB 12 34 56 C", "ABCPE1234F", "2345 6789 0124", "+1 (415) 555-0123", "81.2.69.160",
    "::ffff:10.0.0.7", "14/03/1985", "DOB", "SSN", "card", "IBAN", "passport", "password=",
    "AKIA", "Jennifer Walsh", "@", ".", "-", " ", "\n", "\t", "/", ":", "+", "(", ")", "0",
    "9", "x", "é", "\u200b", "\ufeff", "\x00",
]  # fmt: skip


@pytest.mark.parametrize("entity", ENTITIES)
@settings(
    max_examples=20, deadline=None, suppress_health_check=SLOW, database=None, derandomize=True
)
@given(parts=st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=30))
def test_each_detector_keeps_offsets_scores_and_masks(entity: str, parts: list[str]) -> None:
    text = "".join(parts)
    for det in detect(text, entities=[entity], context=entity.lower()):
        assert det.entity_type == entity
        assert 0 <= det.start < det.end <= len(text)
        assert 0.5 <= det.score <= 1.0
        value = text[det.start : det.end]
        normalize(entity, value)
        assert mask(entity, value) != value or len(value) <= 4
