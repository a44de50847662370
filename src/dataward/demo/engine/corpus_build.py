"""Assemble labeled text from templates whose slots draw values lazily from a document context."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SLOT = re.compile(r"\{([a-z_]+?)(\d*)\}")


@dataclass(frozen=True)
class Span:
    """One labeled value: its entity type and character offsets, ``text[start:end]``."""

    entity_type: str
    start: int
    end: int


#: A generated value: the entity it is an instance of (None for unlabeled text) and its text.
Value = tuple[str | None, str]
#: Make a value for a slot from a document context.
Factory = Callable[["Ctx"], Value]


class Ctx:
    """One document's values: each slot is generated on first use and then reused."""

    def __init__(
        self,
        rng: random.Random,
        region: str,
        factories: dict[str, Factory],
        scale: int = 1,
    ) -> None:
        """Prepare an empty context for a document from ``region`` (US, GB, IN or PH).

        ``scale`` multiplies the rows of tables and logs (bigger files for speed benchmarks).
        """
        self.rng = rng
        self.region = region
        self.factories = factories
        self.scale = scale
        self.cache: dict[str, Value] = {}

    def get(self, slot: str) -> Value:
        """Return the value of a slot such as ``phone`` or ``phone2``, generating it once."""
        if slot not in self.cache:
            base = slot.rstrip("0123456789")
            self.cache[slot] = self.factories[base](self)
        return self.cache[slot]

    def text(self, slot: str) -> str:
        """Return the text of a slot's value."""
        return self.get(slot)[1]

    def fresh(self) -> Ctx:
        """Return a new, empty context sharing this one's randomness (a new table row)."""
        return Ctx(self.rng, self.region, self.factories, self.scale)

    def pick(self, options: Sequence[str]) -> str:
        """Return one of ``options`` at random."""
        return options[self.rng.randrange(len(options))]


class Builder:
    """Accumulate text and the spans of the labeled values inside it."""

    def __init__(self) -> None:
        """Start an empty document."""
        self.parts: list[str] = []
        self.spans: list[Span] = []
        self.size = 0

    def add(self, text: str) -> None:
        """Append unlabeled text."""
        self.parts.append(text)
        self.size += len(text)

    def value(self, value: Value) -> None:
        """Append a value, labeling it when it has an entity type."""
        entity, text = value
        if entity is not None and text:
            self.spans.append(Span(entity, self.size, self.size + len(text)))
        self.add(text)

    def fill(self, template: str, ctx: Ctx) -> None:
        """Append a template, replacing each ``{slot}`` with the context's value for it."""
        pos = 0
        for match in SLOT.finditer(template):
            self.add(template[pos : match.start()])
            self.value(ctx.get(match.group(1) + match.group(2)))
            pos = match.end()
        self.add(template[pos:])

    def line(self, template: str, ctx: Ctx) -> None:
        """Append a filled template followed by a newline."""
        self.fill(template, ctx)
        self.add("\n")

    def row(self, cells: Sequence[Value], sep: str = ",") -> None:
        """Append one delimited row of values and a newline."""
        for i, cell in enumerate(cells):
            if i:
                self.add(sep)
            self.value(cell)
        self.add("\n")

    def text(self) -> str:
        """Return the text built so far."""
        return "".join(self.parts)


def choose(ctx: Ctx, pool: Sequence[str], low: int, high: int) -> list[str]:
    """Return between ``low`` and ``high`` distinct templates from a pool, in pool order."""
    count = min(len(pool), ctx.rng.randint(low, high))
    picked = sorted(ctx.rng.sample(range(len(pool)), count))
    return [pool[i] for i in picked]
