"""Name the plain records the discovery engine passes around: entities, detections, locations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

#: The entity types dataward detects, with Microsoft Presidio's names where Presidio has one.
ENTITIES: tuple[str, ...] = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_BANK_NUMBER",
    "US_PASSPORT",
    "UK_NHS",
    "UK_NINO",
    "IN_AADHAAR",
    "IN_PAN",
    "PH_TIN",
    "PH_SSS",
    "DATE_OF_BIRTH",
    "SECRET",
    "PERSON",
)

#: The data category each entity belongs to (the categories clients declare in their record).
CATEGORY: dict[str, str] = {
    "EMAIL_ADDRESS": "PII",
    "PHONE_NUMBER": "PII",
    "IP_ADDRESS": "PII",
    "PERSON": "PII",
    "DATE_OF_BIRTH": "PII",
    "US_SSN": "PII",
    "US_PASSPORT": "PII",
    "UK_NINO": "PII",
    "IN_AADHAAR": "PII",
    "IN_PAN": "PII",
    "PH_TIN": "PII",
    "PH_SSS": "PII",
    "UK_NHS": "PHI",
    "CREDIT_CARD": "PCI",
    "IBAN_CODE": "FINANCIAL",
    "US_BANK_NUMBER": "FINANCIAL",
    "SECRET": "CREDENTIALS",
}

#: Phone regions used when a client's record names none.
DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB", "IN", "PH")


@dataclass(frozen=True, slots=True)
class Detection:
    """One sensitive value found in a text: its type, character offsets and confidence in [0, 1]."""

    entity_type: str
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class Where:
    """Where a piece of text sits inside one file or table.

    ``member`` is the path inside containers, joined with ``/`` (a ZIP member, an e-mail
    attachment, ``inner.zip/report.csv``); ``sheet`` and ``page`` name an XLSX sheet or a PDF
    page; ``line`` is the 1-based line of the first character, ``row`` the 1-based data row of a
    table (header excluded) and ``column`` a column name or a JSON pointer.
    """

    member: str = ""
    sheet: str | None = None
    page: int | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text from a file with where it starts; ``context`` is a field name or header."""

    text: str
    where: Where = field(default_factory=Where)
    context: str = ""


@dataclass(slots=True)
class Table:
    """Tabular data streamed row by row: a header and rows of cell text, aligned to the header."""

    header: Sequence[str]
    rows: Iterator[Sequence[str]]
    where: Where = field(default_factory=Where)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or member that was not read, and why (binary, encrypted, too large, corrupt)."""

    where: Where
    reason: str


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a scan safe on hostile or huge inputs."""

    max_file_bytes: int = 4 * 1024**3
    max_member_bytes: int = 512 * 1024**2
    max_depth: int = 4
    max_members: int = 10_000
    max_ratio: float = 200.0
    max_total_unpacked: int = 2 * 1024**3
    chunk_chars: int = 1 << 20
