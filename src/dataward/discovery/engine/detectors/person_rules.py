"""Extra PERSON rules: a name before a verb, "Last, First" labels, lower-case names after cues."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from dataward.discovery.engine import names
from dataward.discovery.engine.detectors.registry import Detector, Hit

if TYPE_CHECKING:
    from dataward.discovery.engine.context import Context

#: Verbs of people: a lone known given name right before one reads as a person
#: ("Ishaan raised a ticket", "Emily (Team Lead) approved").
_VERBS = (
    "called|calls|phoned|rang|emailed|messaged|texted|said|says|asked|asks|requested|requests|"
    "raised|approved|approves|confirmed|confirms|reported|reports|wants|wanted|mentioned|"
    "complained|agreed|declined|promised|explained|escalated|joined|replied|wrote|advised|"
    "informed|stated|refused|signed|submitted|visited|will"
)
ACTS = re.compile(rf" (?:\([^()\n]{{1,30}}\) )?(?:{_VERBS})\b")
#: Hyperscan pattern: a capitalised word at a sentence or label start, then such a verb or "(".
ACTS_PATTERN = rf"(?:^|\n|[.!?:] )[A-Z][a-z]+ (?:\(|(?:{_VERBS})\b)"
_ACTS_TAIL = re.compile(rf"([A-Z][a-z]+) (?:\(|(?:{_VERBS}))$")
#: Column headers that hold no personal names (companies, places, job titles, products).
NOT_PERSON_HEADER = re.compile(
    r"(?i)\b(?:company|organi[sz]ation|employer|title|job|position|city|town|region|state|"
    r"province|country|department|dept|team|branch|site|product|plan|category|status|"
    r"description|address|street|location|bank|supplier|vendor|merchant|store|warehouse|"
    r"practice|hospital|surgery|gp)\b"
)


#: Given names that are also places a sentence may open with ("Virginia has new rules").
_NOT_ACTOR = names.wordset(
    """india china georgia virginia carolina florida dakota houston phoenix austin chelsea sydney
    paris london dallas denver orlando tampa memphis nevada montana indiana kentucky alabama
    arizona maryland vermont lincoln jersey israel kenya"""
)
#: A label naming a person field, before ``Label: UPPER CASE NAME``.
_PERSON_LABEL = re.compile(
    r"(?i)name|customer|holder|employee|agent|member|patient|applicant|borrower|client|caller|"
    r"insured|claimant|payee|beneficiary|nominee|guardian|spouse|father|mother|owner|contact|"
    r"surname|forename|signatory|candidate|debtor|subscriber"
)


_PARTICLE_WORDS = names.wordset("de dela del della delos van von der da di du le bin binti al")
_CAPS_ONE = re.compile(r"(?<![\w@./\\-])[A-Z][A-Z'\-]{2,}(?![\w@/\\-])")


def has_particle(tokens: list[str]) -> bool:
    """Return whether a capitalised particle sits inside a run ("Maria Clara Dela Cruz")."""
    return any(t.lower() in _PARTICLE_WORDS for t in tokens)


@lru_cache(maxsize=1024)
def other_label(label: str, person: bool) -> bool:
    """Return whether a header names a field that holds no person (company, city, title)."""
    return bool(label and not person and NOT_PERSON_HEADER.search(label))


def caps_one(text: str, pos: int) -> re.Match[str] | None:
    """Return a single upper-case word after ``Label:`` that is a known name ("OKONKWO")."""
    found = _CAPS_ONE.match(text, pos)
    if found is None or not text[max(0, pos - 4) : pos].rstrip(" \t").endswith(":"):
        return None
    return found if found.group().lower() in names.known() else None


def acts_after(text: str, end: int, token: str) -> bool:
    """Return whether a known given name is followed by a person's verb."""
    low = token.lower()
    if low in names.AMBIGUOUS or low in names.STOP or low in _NOT_ACTOR or not names.is_first(low):
        return False
    return ACTS.match(text, end) is not None


def mark_acts(ctx: Context, start: int, end: int) -> list[Hit]:
    """Remember where the name before a person's verb starts (found later by ``find``)."""
    window_start = max(0, end - 64)
    found = _ACTS_TAIL.search(ctx.text, window_start, end)
    if found is not None:
        ctx.marks.append(found.start(1))
    return []


def mark_caps_after_colon(ctx: Context, start: int, end: int) -> list[Hit]:
    """Remember an upper-case run right after ``Label:`` ("Name as per ID: ROHAN DAS")."""
    text = ctx.text
    pos = end - 1
    low = max(0, end - 48)
    while pos > low and text[pos - 1] not in ":\n":
        pos -= 1
    label = text[max(text.rfind("\n", 0, pos) + 1, pos - 40) : pos]
    if not _PERSON_LABEL.search(label):
        return []
    while pos < end and text[pos] in " \t":
        pos += 1
    if text[pos : pos + 1].isupper():
        ctx.marks.append(pos)
    return []


def mark_pair(ctx: Context, start: int, end: int) -> list[Hit]:
    """Remember both words of "Word, Word" (a "Last, First" label is found later by ``find``)."""
    text = ctx.text
    ctx.marks.append(end - 1)
    pos = end - 3
    while pos > 0 and text[pos - 1].isalpha():
        pos -= 1
    if pair_ahead(text, end - 3, text[pos : end - 3]):
        ctx.marks.append(pos)
    return []


def pair_ahead(text: str, end: int, token: str) -> bool:
    """Return whether a lone surname opens a "Last, First" label ("Gatchalian, Efren M.")."""
    low = token.lower()
    if text[end : end + 2] != ", " or not names.is_last(low, 20_000) or names.is_first(low):
        return False
    found = _GIVEN.match(text, end + 2)
    if found is None:
        return False
    given = found.group(1).lower()
    if given in names.AMBIGUOUS or not names.is_first(given):
        return False
    after = text[found.end() : found.end() + 6]
    return not (after.startswith((", ", " and ", " & ")) and after[-1:].isupper())


_GIVEN = re.compile(r"([A-Z][a-z]+|[A-Z]{2,})(?: [A-Z]\.)?")

# Lower-case names ("agent: priya nair"): only right after a field-like cue, only when the
# first word is a known given name and the last a known surname that is not a common word.
_LOWER_CUES = (
    "agent|name|customer|cust|cx|caller|client|member|employee|emp|rep|user|borrower|"
    "patient|payee|applicant|assigned to|assignee|handled by|spoke with|spoke to"
)
#: Hyperscan pattern: a cue, a separator, then the first lower-case letter of a name.
LOWER_PATTERN = rf"\b(?i:{_LOWER_CUES})(?:[ \t]*[:=\-][ \t]*|[ \t]+)[a-z]"
_LOWER_CUE = re.compile(rf"(?i:\b(?:{_LOWER_CUES}))([ \t]*[:=\-]?[ \t]*)$")
_LOWER_NAME = re.compile(
    r"[a-z]{2,}(?: (?:dela |de |del |delos |van |von |da |di |bin |al |dos |das )?[a-z]{2,}){1,2}"
    r"(?![\w@])"
)
_PARTICLES = names.wordset("dela de del delos van von da di bin al dos das")
_COMMON = names.wordset(
    """said says asked called calls paid will wants told gave sent left came went got has had
    was is are and also just still then when here there today now back home well good best
    long young little white black green brown rich hand hall bell price post page read wait
    waiting more less than this that with from about again only even love king major may can
    hope see send call said know need needs take made make rang rings want"""
)


def _lower_check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return a lower-case full name written right after a field cue."""
    text = ctx.text
    name_start = end - 1
    if text[name_start - 1 : name_start] not in (" ", "\t", ":", "=", "-"):
        return []
    found = _LOWER_NAME.match(text, name_start)
    if found is None or not names.is_first(found.group().partition(" ")[0]):
        return []
    cue = _LOWER_CUE.search(text, max(0, name_start - 24), name_start)
    if cue is None or not cue.group(1):
        return []
    parts = found.group().split()
    colon = bool(cue.group(1).strip())
    for size in range(len(parts), 1, -1):
        if _lower_name(parts[:size], colon):
            name_end = name_start + len(" ".join(parts[:size]))
            return [(name_start, name_end, 0.8 if colon else 0.7)]
    return []


def _lower_name(parts: list[str], colon: bool) -> bool:
    """Return whether lower-case words read as given name(s) plus a known surname."""
    if any(p in names.STOP or p in _COMMON for p in parts):
        return False
    first, last = parts[0], parts[-1]
    if first in names.AMBIGUOUS or not names.is_first(first) or last in _PARTICLES:
        return False
    if not names.is_last(last, 40_000 if colon else 10_000):
        return False
    middle = parts[1:-1]
    return not middle or middle[0] in _PARTICLES or names.is_first(middle[0])


LOWER_DETECTOR = Detector("PERSON", (LOWER_PATTERN,), _lower_check, rank=16, som=False)
