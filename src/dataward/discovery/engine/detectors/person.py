"""Detect personal names from capitalised runs, name lists, cue words and column headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from dataward.discovery.engine import names
from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors import person_rules as rules
from dataward.discovery.engine.detectors.registry import Detector, Hit
from dataward.discovery.engine.names import wordset

_NAME_PART = r"(?:Mc|Mac|O'|D')?[A-Z][A-Z]?[a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?"
_PARTICLE = r"(?:(?:de|dela|del|della|delos|de la|van|von|der|da|di|du|le|bin|binti|al)[ ])?"
#: An initial ("J. Smith", "John A. Smith") or "Ma." (Maria): kept in the span, not scored.
_INITIAL = r"(?:[A-Z]|Ma)\."
_RUN = re.compile(
    rf"(?=[A-Z])(?<![\w@./\\-])(?:{_INITIAL}[ ])?{_NAME_PART}(?:[ ]{_INITIAL}(?=[ ]))?"
    rf"(?:\.?[ ]{{1,2}}{_PARTICLE}{_NAME_PART}){{0,3}}(?![\w@/\\-])"
)
_CAPS = re.compile(
    r"(?=[A-Z])(?<![\w@./\\-])[A-Z][A-Z'\-]+(?: [A-Z]\.)?(?: [A-Z][A-Z'\-]+){1,2}(?![\w@/\\-])"
)
#: An upper-case cell of a person column: one to three words, a trailing initial allowed.
_CAPS_CELL = re.compile(
    r"(?<=[,\t|;\"\n])[A-Z][A-Z'\-]+(?: [A-Z]\.)?(?: [A-Z][A-Z'\-]+){0,2}(?: [A-Z]\.)?"
    r"(?=[,\t|;\"\r\n]|$)"
)
_UPPER = re.compile(r"[A-Z]")
_DOTS = re.compile(r"(?<![^ ])(?:[A-Z]|Ma)\.(?= |$)")
_HOUSE = re.compile(
    r"(?=\d)(?<![\w,.:-])\d+[A-Za-z]?,? "
    r"(?:(?i:unit|apt|flat|suite|lot|blk|block|bldg) \w{1,4},? )?$"
)
#: A lone word followed by a number reads as an address part ("Block 04 Lot 60").
_INNER_TITLE = re.compile(r" (?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Shri|Smt|Atty|Engr)\.? ")
_NUMBER_AFTER = re.compile(r" \d{1,5}[A-Za-z]?[ ,]")
_PLACE_AFTER = re.compile(r",? (?:[A-Z]{2} \d{5}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|\d{4,6}\b)")
_SPLIT = re.compile(r"\.?[ ]+")
_WORD = re.compile(r"[a-z/']+")
#: Words right before a name that say a person follows (one word, or two joined by a space).
CUES = wordset(
    """name customer caller client agent dear hi hello hey thanks regards cardholder member
    patient subscriber holder debtor borrower claimant witness adjuster handler owner manager
    lead supervisor checker applicant insured employee husband wife son daughter mother father
    contact from by with to rep assigned action attn its it's assignee c/o cc officer guardian
    nominee beneficiary signed spoke speaking customer: am cheers forename surname payee
    recipient representative spouse firstname lastname fullname givenname familyname
    customername contactname holdername displayname i'm im forenames candidate reporter requester
    requestor taxpayer cx cust approver referrer parent child dependent tenant sender traveller
    traveler trainee consultant gp nurse given_name family_name first_name last_name full_name
    customer_name contact_name holder_name display_name"""
)  # fmt: skip
#: Words that, right before a lone capitalised word, make it a name even if no list knows it.
STRONG = wordset(
    """mr mrs ms mr/ms miss mx dr shri smt agent lead dear hi hello hey caller customer name
    member patient witness claimant borrower debtor manager supervisor officer"""
)  # fmt: skip
CUE_PAIRS = frozenset({"this is", "i am", "name is", "thank you", "spoke with", "spoke to"})
HEADER = re.compile(
    r"(?i)(?:^|\s)(?:(?:full ?|first ?|last ?|given ?|family ?|sur|customer ?|employee ?|contact ?|"
    r"member )?"
    r"name|customer|agent|assigned to|owner|cardholder|handler|manager|employee|patient|"
    r"subscriber|debtor|borrower|insured|claimant|caller|rep|applicant|forenames?|fname|lname|"
    r"holder|payee|beneficiary|recipient|representative|spouse|nominee|guardian)(?:$|\s)"
)
_HEADER_NOT = re.compile(r"(?i)\b(?:id|email|e-mail|phone|mobile|no|number|date|type|code)\b")
_SIGNOFF = re.compile(r"(?i)(?:regards|thanks|thank you|cheers|sincerely|best|yours)[,.!]?\s*$")
_JOINERS = (", ", " / ", " & ", " and ")
#: Where a run must stop: a sentence end after a full word ("Pooja. How") or a double space.
_CUT = re.compile(r"(?<=[a-z]{2})\.(?= )|  ")


def _header_says_person(ctx: Context, pos: int) -> bool:
    """Return whether the column header or extra context names a person field."""
    return _person_label(ctx.labels(pos))


@lru_cache(maxsize=1024)
def _person_label(label: str) -> bool:
    """Return whether a header or context label names a person field."""
    return bool(label and HEADER.search(label) and not _HEADER_NOT.search(label))


def _cued(ctx: Context, start: int, prev_end: int) -> bool:
    """Return whether cue words, a sign-off or a just-found name sit right before ``start``."""
    text = ctx.text
    if prev_end >= 0 and text[prev_end:start] in _JOINERS:
        return True
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - 28) : start]
    for stop in (". ", "! ", "? ", "; "):
        cut = before.rfind(stop)
        if cut >= 0:
            before = before[cut + 2 :]
    found = _WORD.findall(before.lower())
    if any(w in CUES for w in found[-4:]):
        return True
    if len(found) >= 2 and f"{found[-2]} {found[-1]}" in CUE_PAIRS:
        return True
    if line_start and not before.strip():
        prev_line = text[max(0, line_start - 24) : line_start - 1]
        prev_line = prev_line[prev_line.rfind("\n") + 1 :]
        return bool(_SIGNOFF.search(prev_line))
    return False


def _score(tokens: list[str], cued: bool, honorific: bool, strong: bool, column: bool) -> float:
    """Return a confidence for a run of name tokens."""
    lows = [t.lower() for t in tokens]
    if lows[-1] in names.NOT_PERSON_LAST:
        return 0.0
    lone_surname = column and len(tokens) == 1 and names.is_last(lows[0], 20_000)
    if lows[0] in names.STOP and lows[0] not in names.AMBIGUOUS and not lone_surname:
        return 0.0
    if any(t in names.STOP and not names.is_last(t, 10_000) for t in lows[1:]):
        return 0.0
    first_known = names.is_first(lows[0]) or "-" in lows[0] and _any_part(lows[0], names.is_first)
    if len(tokens) == 1:
        if honorific:
            return 0.9
        if lows[0] in names.AMBIGUOUS and not strong:
            return 0.0
        if (first_known or names.is_last(lows[0])) and cued:
            return 0.8
        return 0.65 if strong else 0.0
    if lows[-1] in names.STREET_LAST and not (cued and first_known):
        return 0.0
    last_known = names.is_last(lows[-1]) or "-" in lows[-1] and _any_part(lows[-1], names.is_last)
    if not (first_known or last_known) and names.is_last(lows[0]) and names.is_first(lows[-1]):
        first_known = last_known = True  # family name first ("Nguyen Thi Lan", "Zhang Wei")
    if first_known and last_known:
        return 0.95 if cued or honorific else 0.85
    if first_known or last_known:
        return 0.9 if cued or honorific else 0.7
    return 0.7 if cued or honorific else 0.0


def _any_part(token: str, known: Callable[[str], bool]) -> bool:
    """Return whether a part of a hyphenated name ("mary-jane", "watson-parker") is known."""
    return any(known(part) for part in token.split("-"))


def _strip(tokens: list[str]) -> tuple[int, bool, bool]:
    """Return how many leading tokens are honorifics or stop words, and what they implied."""
    skip, honorific, cue = 0, False, False
    while skip < len(tokens):
        low = tokens[skip].lower()
        if low in names.HONORIFICS:
            honorific = True
        elif low in names.STOP and low not in names.AMBIGUOUS and skip < len(tokens) - 1:
            cue = cue or low in CUES
        else:
            break
        skip += 1
    return skip, honorific, cue


def _placeish(text: str, start: int, end: int, tokens: list[str], prev: tuple[int, str]) -> bool:
    """Return whether the run reads as part of a postal address rather than a person."""
    if len(tokens) > 1 and tokens[0].lower() in names.PLACE_LEAD or _PLACE_AFTER.match(text, end):
        return True
    window = max(0, start - 24)
    if _HOUSE.search(text, window, start):
        return True
    if (
        text[end + 1 : end + 2].isdigit()
        and len(tokens) == 1
        and _NUMBER_AFTER.match(text, end)
        and not names.is_first(tokens[0].lower())
    ):
        return True
    prev_end, prev_last = prev
    street = names.NOT_PERSON_LAST | names.STREET_LAST
    return text[prev_end:start] == ", " and prev_last in street


def _alone(text: str, start: int, end: int) -> bool:
    """Return whether a run is a vocative (", Priya."), a signature line or in parentheses."""
    before, after = text[max(0, start - 2) : start], text[end : end + 3]
    if before == ", " and after[:1] in (".", "!", "?") or before[-1:] == "(" and after[:1] == ")":
        return True
    head = text[text.rfind("\n", 0, start) + 1 : start]
    if head in ("-- ", "~ ") or head == "- " and after[:1] in ("\n", "\r", ""):
        return True
    if before == ", " and after[:1] in ("\n", "\r", "") and _SIGNOFF.search(head):
        return True
    line_start = before[-1:] in ("\n", "")
    return line_start and (after[:1] in ("\n", "") or after == " / ")


def _strong_before(text: str, start: int) -> bool:
    """Return whether the word right before ``start`` is a strong person cue (``Mr``, agent)."""
    words = text[max(0, start - 16) : start].lower().split()
    if len(words) >= 2 and words[-2] in ("spoke", "speak", "speaking", "talked"):
        return True
    return bool(words and (words[-1] in STRONG or words[-1].rstrip(".") in names.HONORIFICS))


def _hopeless(tokens: list[str], table: bool) -> bool:
    """Return whether a run cannot be a name whatever its context (the fast path)."""
    if len(tokens) != 1 or table:
        return False
    low = tokens[0].lower()
    return low in names.STOP and low not in names.HONORIFICS


def _lone_ok(ctx: Context, start: int, end: int, token: str, column: bool) -> bool:
    """Return whether a lone token is a known name or sits where only a name can."""
    low = token.lower()
    if (names.is_first(low) or names.is_last(low)) and low not in names.AMBIGUOUS:
        return True
    text = ctx.text
    if column or text[end : end + 1] == ":" and text[start - 2 : start] == "] ":
        return True
    return _strong_before(text, start) or _alone(text, start, end)


class _State:
    """What ``find`` remembers between runs: the last hit and the last run seen."""

    __slots__ = ("hits", "prev_hit", "prev_run")

    def __init__(self) -> None:
        """Start with nothing seen."""
        self.hits: list[Hit] = []
        self.prev_hit = -1
        self.prev_run = (-1, "")


def _visit(ctx: Context, match: re.Match[str], table: bool, state: _State) -> None:
    """Score one capitalised run and record it as a hit when it reads as a personal name."""
    text = ctx.text
    raw = match.group()
    start, end = match.span()
    for cut in _CUT.finditer(raw) if "." in raw or "  " in raw else ():
        word = raw[: cut.start()].rsplit(" ", 1)[-1].lower()
        if cut.group() == "  " or word not in names.HONORIFICS:
            raw = raw[: cut.start()]
            end = start + len(raw)
            break
    if (
        not table
        and " " not in raw
        and raw.lower() not in names.known()
        and not (_strong_before(text, start) or _alone(text, start, end))
        and text[state.prev_hit : start] not in _JOINERS
        and text[start - 2 : start] != "] "
    ):
        state.prev_run = (end, raw.lower())
        return
    tokens = _SPLIT.split(raw)
    last_run, state.prev_run = state.prev_run, (end, tokens[-1].lower())
    if _hopeless(tokens, table):
        return
    skip, honorific, cue = _strip(tokens)
    size = len(tokens) - skip
    if not size or size > 3 and (size > 4 or not rules.has_particle(tokens[skip + 1 : -1])):
        return
    for token in tokens[:skip]:
        start = text.index(token, start) + len(token)
    start = text.index(tokens[skip], start)
    span = text[start:end]
    if "." in span and "." in _DOTS.sub("", span):
        return
    column = table
    joined = state.prev_hit >= 0 and text[state.prev_hit : start] in _JOINERS
    if size == 1 and not cue and text[end : end + 1] in (" ", ","):
        cue = rules.acts_after(text, end, tokens[skip]) or rules.pair_ahead(text, end, raw)
    lone = len(tokens) - skip == 1 and not (cue or honorific or joined)
    if lone and not _lone_ok(ctx, start, end, tokens[skip], column):
        return
    if _placeish(text, start, end, tokens[skip:], last_run):
        return
    speaker = text[end : end + 1] == ":" and text[start - 2 : start] == "] "
    strong = (
        cue
        or joined
        or speaker
        or column
        or _alone(text, start, end)
        or _strong_before(text, start)
    )
    cued = cue or honorific or strong or _cued(ctx, start, state.prev_hit)
    body = tokens[skip:]
    if "." in raw:
        body = [t for t in body if len(t) > 1 and t != "Ma"] or body
    score = _score(body, cued, honorific, strong, column)
    if score >= 0.5:
        state.hits.append((start, end, score))
        state.prev_hit = end


def find(ctx: Context) -> list[Hit]:
    """Return personal names: every capitalised run in tables, marked runs in free text."""
    state = _State()
    if ctx.tabular():
        if not _UPPER.search(ctx.text):  # both patterns below start at a capital
            return state.hits
        for match in _RUN.finditer(ctx.text, ctx.body_start()):
            label = ctx.labels(match.start())
            if not rules.other_label(label, _person_label(label)):
                _visit(ctx, match, _person_label(label), state)
        if any(_person_label(label) for label in ctx.columns()):
            for match in _CAPS_CELL.finditer(ctx.text, ctx.body_start()):
                if _header_says_person(ctx, match.start()):
                    _visit(ctx, match, True, state)
        return state.hits
    covered = -1
    for pos in sorted(set(ctx.marks)):
        if pos < covered:
            continue
        found = (
            _RUN.match(ctx.text, pos) or _CAPS.match(ctx.text, pos) or rules.caps_one(ctx.text, pos)
        )
        if found is not None:
            kept = len(state.hits)
            _visit(ctx, found, False, state)
            # "Called Mrs. Obi": a failed run still lets the title's own name be tried.
            if len(state.hits) > kept or not _INNER_TITLE.search(found.group()):
                covered = found.end()
    return state.hits


def _mark_start(ctx: Context, start: int, end: int) -> list[Hit]:
    """Remember where a pair of capitalised words starts (names are found later by ``find``)."""
    ctx.marks.append(start)
    return []


def _mark_last(ctx: Context, start: int, end: int) -> list[Hit]:
    """Remember the last capitalised word that starts inside a cue match."""
    text = ctx.text
    for pos in range(end - 1, max(start, end - 48) - 1, -1):
        if text[pos].isupper() and not text[pos - 1 : pos].isalpha():
            ctx.marks.append(pos)
            break
    return []


_CUE_WORDS = "|".join(sorted(CUES | {w.split()[-1] for w in CUE_PAIRS} | STRONG | names.HONORIFICS))
DETECTORS = (
    Detector(
        "PERSON",
        (
            r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)? {1,2}[A-Z]",
            r"\b(?:[A-Z]|Ma)\. [A-Z][a-z]+ ",
            r"\b[A-Z][a-z]+ (?:de|dela|del|delos|de la|van|von|der|da|di|du|le|bin|binti|al) [A-Z]",
        ),
        _mark_start,
        rank=16,
    ),
    Detector(
        "PERSON",
        (
            rf"\b(?i:{_CUE_WORDS})[ \t\"':=,.]{{1,4}}[A-Z]",
            r"\] [A-Z]",
            r"(?:^|\n)(?:-- |~ |- )?[A-Z][a-z]+\r?(?:\n|$| / )",
            r", [A-Z][a-z]+[.!?]",
            r"\([A-Z][a-z]+\)",
            r"(?i:regards|thanks|thank you|cheers|sincerely|best)[,.!]?\r?\n[A-Z]",
        ),
        _mark_last,
        rank=16,
        finder=find,
        som=False,
    ),
    Detector("PERSON", (rules.ACTS_PATTERN,), rules.mark_acts, rank=16, som=False),
    Detector("PERSON", (r"\b[A-Z][A-Za-z'\-]+, [A-Z]",), rules.mark_pair, rank=16, som=False),
    Detector(
        "PERSON",
        (r":[ \t]+[A-Z][A-Z'\-]+ [A-Z]",),
        rules.mark_caps_after_colon,
        rank=16,
        som=False,
    ),
    rules.LOWER_DETECTOR,
)
