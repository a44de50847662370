"""Detect e-mail addresses, leaving alone Message-IDs and credentials inside URLs."""

from __future__ import annotations

from dataward.discovery.engine.context import Context
from dataward.discovery.engine.detectors.registry import Detector, Hit, words

_MESSAGE_ID = words("message-id", "msg", "in-reply-to", "references", "msgid")


_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-'")


def _check(ctx: Context, start: int, end: int) -> list[Hit]:
    """Return the address when it is well formed and not a Message-ID or URL credential."""
    text = ctx.text
    at = start
    low = max(0, at - 64)
    while start > low and text[start - 1] in _LOCAL:
        start -= 1
    value = text[start:end]
    while value.startswith((".", "-", "+", "'")):
        start += 1
        value = value[1:]
    local, _, domain = value.partition("@")
    if not local or local.endswith(".") or ".." in value or "." not in domain:
        return []
    if domain.split(".")[-1].isdigit():
        return []
    line_start = text.rfind("\n", 0, start) + 1
    token_start = max(text.rfind(" ", line_start, start), line_start)
    if "://" in text[token_start:start] or text[start - 1 : start] == ":":
        return []
    if text[start - 1 : start] == "<" and _MESSAGE_ID.search(ctx.before(start, 16)):
        return []
    return [(start, end, 0.95)]


DETECTOR = Detector(
    entity="EMAIL_ADDRESS",
    patterns=(r"@[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}\b",),
    check=_check,
    rank=1,
)
