"""Give validators cheap access to the words around a candidate, extra context and CSV headers."""

from __future__ import annotations

import re

WINDOW_BEFORE = 40
WINDOW_AFTER = 16
_SEPARATORS = (",", "\t", "|", ";")
_HEADER_CELL = re.compile(r"^\s*\"?[A-Za-z][A-Za-z0-9_ ./#()-]{0,40}\"?\s*$")
_DIGITS = re.compile(r"\d")
#: Chat and log clock times ("[11:06]", "09:14:02 PM"): digits that do not separate a cue.
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")


class Context:
    """The text being scanned plus what surrounds each candidate (one per ``detect`` call)."""

    __slots__ = ("_table", "extra", "marks", "regions", "text")

    def __init__(self, text: str, extra: str, regions: tuple[str, ...]) -> None:
        """Remember the text, the caller's extra context and the phone regions."""
        self.text = text
        self.extra = extra
        self.regions = regions
        self._table: tuple[str, list[str]] | None | bool = False
        self.marks: list[int] = []

    def before(self, start: int, size: int = WINDOW_BEFORE) -> str:
        """Return up to ``size`` characters just before ``start``."""
        return self.text[max(0, start - size) : start]

    def after(self, end: int, size: int = WINDOW_AFTER) -> str:
        """Return up to ``size`` characters just after ``end``."""
        return self.text[end : end + size]

    def near(self, rx: re.Pattern[str], start: int, end: int, before: int = WINDOW_BEFORE) -> bool:
        """Return whether ``rx`` matches near the span, in the extra context or column header."""
        if rx.search(self.before(start, before)) or rx.search(self.after(end)):
            return True
        label = self.labels(start)
        return bool(label and rx.search(label))

    def cue(self, rx: re.Pattern[str], start: int, before: int = WINDOW_BEFORE) -> bool:
        """Return whether ``rx`` matches before the span with no other digits in between.

        Used for cues that belong to the nearest value only (``DOB ... date`` must not reach a
        second date later in the sentence); clock times in between (a chat reply's timestamp)
        do not count as digits. The column header and extra context also count.
        """
        window = self.before(start, before)
        last = None
        for found in rx.finditer(window):
            last = found
        if last is not None:
            rest = window[last.end() :]
            if not _DIGITS.search(rest) or ":" in rest and not _DIGITS.search(_CLOCK.sub("", rest)):
                return True
        label = self.labels(start)
        return bool(label and rx.search(label))

    def labels(self, pos: int) -> str:
        """Return the extra context plus the column header of ``pos`` when the text is a table."""
        if self._table is None:
            return self.extra
        header = self.header(pos)
        if header and self.extra:
            return f"{self.extra} {header}"
        return header or self.extra

    def tabular(self) -> bool:
        """Return whether the text is a delimited table or extra context was given."""
        if self._table is False:
            self._table = _sniff(self.text)
        return bool(self._table) or bool(self.extra)

    def columns(self) -> list[str]:
        """Return the header names of a delimited table plus the extra context, if any."""
        if self._table is False:
            self._table = _sniff(self.text)
        names = list(self._table[1]) if isinstance(self._table, tuple) else []
        return [*names, self.extra] if self.extra else names

    def body_start(self) -> int:
        """Return where the rows start when the text has a header row, else 0."""
        if self._table is False:
            self._table = _sniff(self.text)
        return self.text.find("\n") + 1 if self._table else 0

    def header(self, pos: int) -> str:
        """Return the header of the delimited column holding ``pos``, or ``""``."""
        table = self._table
        if table is False:
            table = self._table = _sniff(self.text)
        if not table or not isinstance(table, tuple):
            return ""
        sep, names = table
        line_start = self.text.rfind("\n", 0, pos) + 1
        if line_start == 0:
            return ""
        column = _column(self.text, line_start, pos, sep)
        return names[column] if column < len(names) else ""


def _column(text: str, line_start: int, pos: int, sep: str) -> int:
    """Return the index of the column holding ``pos`` on its line, honouring double quotes."""
    prefix = text[line_start:pos]
    if '"' not in prefix:
        return prefix.count(sep)
    column, quoted = 0, False
    for char in prefix:
        if char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            column += 1
    return column


def _sniff(text: str) -> tuple[str, list[str]] | None:
    """Return (separator, header names) when the text starts with a delimited header row."""
    end = text.find("\n")
    if end <= 0:
        return None
    first = text[:end].rstrip("\r")
    second_end = text.find("\n", end + 1)
    second = text[end + 1 : second_end if second_end > 0 else len(text)]
    for sep in _SEPARATORS:
        count = first.count(sep)
        if count >= 1 and second.count(sep) >= count:
            cells = first.split(sep)
            if all(_HEADER_CELL.match(c) for c in cells):
                return sep, [c.strip().strip('"').lower().replace("_", " ") for c in cells]
    return None
