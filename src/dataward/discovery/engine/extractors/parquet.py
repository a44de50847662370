"""Read Parquet files as one table streamed in record batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from dataward.discovery.engine.extractors._cells import cell_text
from dataward.discovery.engine.extractors.registry import Part, Source, extractor
from dataward.discovery.engine.types import Table

BATCH_ROWS = 4096


@extractor(suffixes=(".parquet", ".pq"), random_access=True)
def extract_parquet(src: Source) -> Iterator[Part]:
    """Yield one table with the schema's column names; values are rendered as text."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(src.stream)
    header = [str(name) for name in parquet.schema_arrow.names]
    yield Table(header, _rows(parquet), src.where())


def _rows(parquet: Any) -> Iterator[Sequence[str]]:
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        columns = [column.to_pylist() for column in batch.columns]
        for i in range(batch.num_rows):
            yield [cell_text(column[i]) for column in columns]
