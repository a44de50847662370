"""Turn files of many formats into text segments and tables, streaming with bounded memory.

Each format lives in its own module, registered with ``@extractor(suffixes=...)``; the registry
finds the modules by walking this folder.
"""

from dataward.discovery.engine.extractors.registry import (
    Budget,
    Part,
    Source,
    extract_path,
    extract_stream,
    extractor,
    suffixes,
)

__all__ = ["Budget", "Part", "Source", "extract_path", "extract_stream", "extractor", "suffixes"]
