"""Find every detector's candidate spans in one hyperscan pass over the text's UTF-8 bytes."""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from typing import Any

import hyperscan

from dataward.discovery.engine.detectors.registry import Detector, all_detectors

#: A candidate: (detector index, start, end) in character offsets.
Candidate = tuple[int, int, int]

_LOCK = threading.Lock()
_LOCAL = threading.local()
_STATE: dict[str, Any] = {}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _compile() -> tuple[tuple[Detector, ...], Any, list[int]]:
    """Compile every detector's patterns into one block-mode database (once per process)."""
    if "db" in _STATE:  # compiled: no lock on the hot path
        return _STATE["detectors"], _STATE["db"], _STATE["owners"]
    with _LOCK:
        if "db" not in _STATE:
            detectors = all_detectors()
            expressions: list[bytes] = []
            owners: list[int] = []
            flags: list[int] = []
            for index, det in enumerate(detectors):
                for pattern in det.patterns:
                    expressions.append(pattern.encode("ascii"))
                    owners.append(index)
                    flag = hyperscan.HS_FLAG_SOM_LEFTMOST if det.som else 0
                    if det.caseless:
                        flag |= hyperscan.HS_FLAG_CASELESS
                    flags.append(flag)
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            db.compile(
                expressions=expressions,
                ids=list(range(len(expressions))),
                elements=len(expressions),
                flags=flags,
            )
            _STATE.update(detectors=detectors, db=db, owners=owners)
    return _STATE["detectors"], _STATE["db"], _STATE["owners"]


def detectors() -> tuple[Detector, ...]:
    """Return the registered detectors (compiling the database on first use)."""
    return _compile()[0]


def _scratch(db: Any) -> Any:
    """Return this thread's scratch space for the database (scratch is not shareable)."""
    scratch = getattr(_LOCAL, "scratch", None)
    if scratch is None:
        scratch = _LOCAL.scratch = hyperscan.Scratch(db)
    return scratch


def scan(text: str) -> list[Candidate]:
    """Return candidate spans for every pattern-based detector, longest per start."""
    _, db, owners = _compile()
    data = text.encode("utf-8", "surrogatepass")
    found: dict[tuple[int, int], int] = {}

    def on_match(pid: int, start: int, end: int, flags: int, context: object) -> None:
        key = (owners[pid], start or -end)
        if found.get(key, -1) < end:
            found[key] = end

    db.scan(data, match_event_handler=on_match, scratch=_scratch(db))
    if len(data) == len(text):
        return [(owner, max(start, 0), end) for (owner, start), end in found.items()]
    to_char = _byte_to_char(text)
    return [(owner, to_char(max(start, 0)), to_char(end)) for (owner, start), end in found.items()]


def _byte_to_char(text: str) -> Any:
    """Return a function mapping UTF-8 byte offsets of ``text`` to character offsets."""
    byte_pos: list[int] = []
    extra: list[int] = []
    total = 0
    for match in _NON_ASCII.finditer(text):
        char = match.start()
        width = len(match.group().encode("utf-8", "surrogatepass")) - 1
        byte_pos.append(char + total)
        total += width
        extra.append(total)

    def convert(offset: int) -> int:
        index = bisect_right(byte_pos, offset - 1)
        return offset - (extra[index - 1] if index else 0)

    return convert
