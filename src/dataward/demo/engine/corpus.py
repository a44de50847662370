"""Generate a seeded corpus of realistic BPO documents with exact labels of their sensitive values.

Every labeled value is valid for its type (check digits, phone plans, address rules) and every
document also carries hard negatives: look-alikes such as order numbers, versions, timestamps,
test card numbers and Message-IDs that a detector must leave alone.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count, islice
from pathlib import Path

from dataward.demo.engine import corpus_chat, corpus_config, corpus_prose, corpus_tables
from dataward.demo.engine.corpus_build import Builder, Ctx, Factory, Span
from dataward.demo.engine.corpus_noise import NOISE
from dataward.demo.engine.corpus_values import PII, REGIONS

__all__ = [
    "CorpusStats",
    "LabeledDoc",
    "Span",
    "generate_corpus",
    "iter_corpus",
    "make_plain_doc",
    "write_corpus",
]

Writer = Callable[[Builder, Ctx, int], None]
#: kind -> (writer, file extension, relative weight)
KINDS: dict[str, tuple[Writer, str, int]] = {
    "call_note": (corpus_prose.call_note, "txt", 14),
    "collections_note": (corpus_prose.collections_note, "txt", 8),
    "claims_note": (corpus_prose.claims_note, "txt", 8),
    "chat": (corpus_chat.chat, "txt", 12),
    "email": (corpus_chat.email, "eml", 12),
    "ticket_export": (corpus_tables.ticket_csv, "csv", 10),
    "crm_export": (corpus_tables.crm_csv, "csv", 8),
    "crm_json": (corpus_tables.crm_json, "json", 6),
    "payroll_export": (corpus_tables.payroll_csv, "csv", 6),
    "kyc_form": (corpus_tables.kyc_form, "txt", 8),
    "it_config": (corpus_config.config, "txt", 8),
    "app_log": (corpus_config.app_log, "log", 8),
}
REGION_WEIGHTS = (35, 25, 20, 20)
DENSITY_WEIGHTS = (20, 40, 30, 10)
#: write_corpus makes some tables and logs bigger, as real exports are
FILE_SCALES, FILE_SCALE_WEIGHTS = (1, 4, 30), (80, 15, 5)
BIG_FILE_ROOM = 500_000
FACTORIES: dict[str, Factory] = {**PII, **NOISE}


@dataclass(frozen=True)
class LabeledDoc:
    """One synthetic document: its file name, kind, region, text and labeled spans."""

    name: str
    kind: str
    region: str
    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class CorpusStats:
    """What write_corpus wrote: how many files and bytes."""

    files: int
    bytes: int


def make_doc(index: int, seed: int = 11, scale: int = 1) -> LabeledDoc:
    """Return document number ``index`` of the corpus for ``seed`` (independent of the others).

    ``scale`` multiplies the rows of tables and logs.
    """
    rng = random.Random(f"dataward-corpus:{seed}:{index}")
    kind = rng.choices(list(KINDS), weights=[w for _, _, w in KINDS.values()])[0]
    region = rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
    dense = rng.choices(range(len(DENSITY_WEIGHTS)), weights=DENSITY_WEIGHTS)[0]
    writer, ext, _ = KINDS[kind]
    builder = Builder()
    writer(builder, Ctx(rng, region, FACTORIES, scale), dense)
    text = builder.text()
    if kind == "it_config" and text.startswith("{"):
        ext = "json"
    name = f"{index:06d}_{kind}_{region.lower()}.{ext}"
    return LabeledDoc(name, kind, region, text, tuple(builder.spans))


def iter_corpus(*, seed: int = 11) -> Iterator[LabeledDoc]:
    """Yield the corpus's documents one after another, without end."""
    index = 0
    while True:
        yield make_doc(index, seed)
        index += 1


def generate_corpus(n_docs: int, *, seed: int = 11) -> list[LabeledDoc]:
    """Return the first ``n_docs`` documents of the corpus for ``seed``."""
    return list(islice(iter_corpus(seed=seed), n_docs))


_SLOT = re.compile(r"\{([a-z_]+?)\d*\}")
#: Log and note lines whose every slot is a look-alike, never a sensitive value.
PLAIN_LINES = tuple(
    t
    for t in corpus_config.LOG_LINES + corpus_prose.NEUTRAL_LINES
    if all(slot in NOISE for slot in _SLOT.findall(t))
)


def make_plain_doc(index: int, seed: int = 11, scale: int = 1) -> LabeledDoc:
    """Return an ordinary document with no sensitive value: an app log or a work note.

    Most of a real share is like this; its look-alikes (orders, versions, test cards) must
    still raise nothing.
    """
    rng = random.Random(f"dataward-corpus-plain:{seed}:{index}")
    kind = rng.choice(("app_log", "work_note"))
    lines = [t for t in PLAIN_LINES if t.startswith("{ts}") == (kind == "app_log")]
    builder = Builder()
    ctx = Ctx(rng, "US", FACTORIES, scale)
    for _ in range(rng.randint(20, 120) * scale):
        builder.line(rng.choice(lines), Ctx(rng, "US", FACTORIES, scale))
    ext = "log" if kind == "app_log" else "txt"
    del ctx
    return LabeledDoc(f"{index:06d}_{kind}_plain.{ext}", kind, "US", builder.text(), ())


def write_corpus(
    out_dir: Path, *, total_bytes: int, seed: int = 11, sensitive_share: float = 1.0
) -> CorpusStats:
    """Write documents as files under ``out_dir/<kind>/`` until about ``total_bytes`` are out.

    Tables and logs are sometimes made several times longer than in generate_corpus, so file
    sizes range from a few hundred bytes to a few hundred kilobytes. With ``sensitive_share``
    below 1, that share of the files are labeled documents and the rest plain ones, as on a
    typical share.
    """
    written = files = 0
    made: set[Path] = set()
    sizes = random.Random(f"dataward-corpus-sizes:{seed}")
    mix = random.Random(f"dataward-corpus-mix:{seed}")
    for index in count():
        if written >= total_bytes:
            break
        scale = sizes.choices(FILE_SCALES, weights=FILE_SCALE_WEIGHTS)[0]
        scale = scale if total_bytes - written > BIG_FILE_ROOM else 1
        plain = sensitive_share < 1.0 and mix.random() >= sensitive_share
        doc = make_plain_doc(index, seed, scale) if plain else make_doc(index, seed, scale)
        folder = out_dir / doc.kind
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        data = doc.text.encode("utf-8")
        (folder / doc.name).write_bytes(data)
        written += len(data)
        files += 1
    return CorpusStats(files=files, bytes=written)
