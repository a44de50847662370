"""Tag sensitive values so every writer can report where it put them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, TypeAlias

VISIBLE_TAIL = 4
FIRST_CHAR_ENTITIES = frozenset({"PERSON", "EMAIL_ADDRESS"})


@dataclass(frozen=True)
class S:
    """A sensitive value and the entity it is an instance of."""

    entity: str
    value: str


Part: TypeAlias = str | S
Text: TypeAlias = str | S | tuple[Part, ...]
Cell: TypeAlias = Text | int | float | bool | None
Location: TypeAlias = dict[str, Any]


@dataclass(frozen=True)
class Hit:
    """One sensitive value at one location inside one file (or one ZIP member)."""

    location: Location
    value: S
    member: str | None = None


def render(text: Text) -> tuple[str, list[S]]:
    """Return the plain text of a tagged text and the sensitive values it holds."""
    if isinstance(text, str):
        return text, []
    if isinstance(text, S):
        return text.value, [text]
    parts = [p.value if isinstance(p, S) else p for p in text]
    return "".join(parts), [p for p in text if isinstance(p, S)]


def render_cell(cell: Cell) -> tuple[str, list[S]]:
    """Return a cell as CSV text and the sensitive values it holds."""
    if cell is None:
        return "", []
    if isinstance(cell, bool):
        return ("true" if cell else "false"), []
    if isinstance(cell, int | float):
        return str(cell), []
    return render(cell)


def mask(value: str, entity: str) -> str:
    """Mask a value: first character kept for names and emails, else the last four."""
    if entity in FIRST_CHAR_ENTITIES:
        return value[:1] + "*" * (len(value) - 1)
    tail = VISIBLE_TAIL if len(value) > 2 * VISIBLE_TAIL else max(1, len(value) // 3)
    return "*" * (len(value) - tail) + value[-tail:]


def ascii_fold(text: str) -> str:
    """Fold accents away so every file stays plain ASCII (Peña -> Pena)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")
