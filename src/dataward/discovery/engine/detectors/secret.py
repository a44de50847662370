"""Detect secrets: cloud and SaaS tokens, private-key blocks, passwords and URL credentials."""

from __future__ import annotations

import re

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import Detector, Hit

_KEY_WORDS = (
    r"(?i)(?:password|passwd|passphrase|pwd|pass|secret|token|api_?key|apikey"
    r"|access_?key|private_?key|client_?secret|auth|credential|key)[A-Za-z0-9_\-]*"
)
_KEY = re.compile(r"[A-Za-z0-9_.\-]*" + _KEY_WORDS[4:], re.IGNORECASE)
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_ASSIGN = re.compile(r"[\"']?\s*(?::|=|=>)\s*")
_PLACEHOLDER = re.compile(
    r"^(?:\$\{?|<|%|\{\{|\*+$|x+$|null$|none$|nil$|true$|false$|os\.|env|process\.|getenv|"
    r"secret[s]?$|password$|\[|\(|redacted|changeme$|\.\.\.|input|prompt)",
    re.IGNORECASE,
)
_WEAK_KEY = re.compile(r"(?i)^(?:.*[_.\-])?(?:key|auth|token|credential)s?$")
_STRONG_VALUE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-+/=.]{16,}$")
#: HTTP auth schemes written before the credential itself ("Authorization: Bearer abc...").
_SCHEME = re.compile(r"(?i)(?:bearer|basic|token|digest)[ \t]+(?=[A-Za-z0-9+/_\-]{12})")
#: Prose passwords ("password is Summer2024!"): the value must hold a digit or a symbol.
_SPOKEN = re.compile(r"(?=\S*[^A-Za-z\s])\S{6,64}")


def _token(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return a vendor token unless it is a documentation placeholder."""
    value = ctx.text[start:end]
    if value.endswith("EXAMPLE") or "XXXX" in value.upper() or ctx.text[end : end + 1].isalnum():
        return []
    return [(start, end, 0.95)]


def _pem(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the whole private-key block, armour lines included."""
    label = ctx.text[start + 11 : end - 5]
    close = ctx.text.find(f"-----END {label}-----", end)
    if close < 0:
        return [(start, end, 0.9)]
    return [(start, close + len(label) + 14, 0.99)]


def _value_end(text: str, start: int) -> tuple[int, int]:
    """Return (start, end) of an assigned value, honouring quotes."""
    quote = text[start : start + 1]
    if quote in ("'", '"'):
        close = text.find(quote, start + 1, start + 300)
        return (start + 1, close) if close > 0 else (start, start)
    end = start
    limit = min(len(text), start + 200)
    while end < limit and text[end] not in " \t\r\n;,'\"&)}]":
        end += 1
    return start, end


def _assignment(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the value of ``password = ...``-style assignments (the value only)."""
    text = ctx.text
    low = max(0, start - 64)
    while start > low and text[start - 1] in _KEY_CHARS:
        start -= 1
    if text[end - 1 : end] in ("'", '"'):
        end -= 1
    key_end = _KEY.match(text, start, end)
    key = key_end.group() if key_end else ""
    scheme = _SCHEME.match(text, end)
    v_start, v_end = _value_end(text, scheme.end() if scheme else end)
    value = text[v_start:v_end]
    if len(value) < 4 or _PLACEHOLDER.match(value) or "EXAMPLE" in value.upper():
        return []
    if _WEAK_KEY.match(key) and not (_STRONG_VALUE.match(value) or len(value) >= 24):
        return []
    if value.isdigit() or re.fullmatch(r"[A-Za-z]+", value) and len(value) < 8:
        return []
    return [(v_start, v_end, 0.85)]


def _spoken(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the value of "password is X" in notes when X looks like a password."""
    found = _SPOKEN.match(ctx.text, end)
    if found is None:
        return []
    v_end = found.end()
    while v_end > end and ctx.text[v_end - 1] in ".,;)'\"":
        v_end -= 1
    value = ctx.text[end:v_end]
    if len(value) < 6 or _PLACEHOLDER.match(value) or value.isdigit() or value.isalpha():
        return []
    return [(end, v_end, 0.8)]


def _url(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the password between ``user:`` and ``@host`` in a connection URL."""
    text = ctx.text
    at = end - 1
    colon = text.rfind(":", start, at)
    if colon < 0 or text[colon + 1 : colon + 3] == "//" or at - colon < 4:
        return []
    value = text[colon + 1 : at]
    if _PLACEHOLDER.match(value):
        return []
    return [(colon + 1, at, 0.9)]


_CURL = re.compile(r"\bcurl\b")


def _basic_auth(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the password of ``curl -u user:password`` (also ``--user``, quoted or not)."""
    text = ctx.text
    line = text[max(text.rfind("\n", 0, end) + 1, end - 200) : end]
    if not _CURL.search(line):
        return []
    v_start = end
    v_end = v_start
    limit = min(len(text), v_start + 200)
    while v_end < limit and text[v_end] not in " \t\r\n'\"":
        v_end += 1
    value = text[v_start:v_end]
    if len(value) < 4 or _PLACEHOLDER.match(value) or "EXAMPLE" in value.upper():
        return []
    return [(v_start, v_end, 0.85)]


TOKENS = (
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z2-7]{16}\b",
    r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b",
    r"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b",
    r"\bxox[abposr]-[0-9]{6,}-[0-9A-Za-z\-]{8,}\b",
    r"\bAIza[0-9A-Za-z_\-]{35}\b",
    r"\b(?:sk|rk)_live_[0-9A-Za-z]{16,}\b",
    r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
    r"\bglpat-[0-9A-Za-z_\-]{20}\b",
    r"\bSG\.[0-9A-Za-z_\-]{22}\.[0-9A-Za-z_\-]{43}\b",
)
DETECTORS = (
    Detector("SECRET", TOKENS, _token, rank=0),
    Detector("SECRET", (r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----",), _pem, rank=0),
    Detector("SECRET", (_KEY_WORDS + r"[\"']?[ \t]*(?::|=|=>)[ \t]*[\"']?",), _assignment, rank=0),
    Detector("SECRET", (r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:[^\s@/]+@",), _url, rank=0),
    Detector(
        "SECRET",
        (r"\s(?:-u|--user)(?:\s+|=)[\"']?[^\s:\"'$]+:",),
        _basic_auth,
        rank=0,
        som=False,
    ),
    Detector(
        "SECRET",
        (r"\b(?:password|passwd|passcode|pwd)[ \t]+(?:is|was)[ \t]+",),
        _spoken,
        rank=0,
        caseless=True,
    ),
)
