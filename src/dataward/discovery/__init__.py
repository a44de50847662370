"""Know the data: sensitive-data detectors, extractors, sources, the scanner and the inventory."""

from dataward.discovery.engine.detect import detect, detect_cells
from dataward.discovery.engine.preview import mask, normalize

__all__ = ["detect", "detect_cells", "mask", "normalize"]
