"""Find what a scan reads: files under a local folder or share, and tables in a database."""

from dataward.discovery.engine.sources.database import iter_tables, redact_url
from dataward.discovery.engine.sources.folder import FileRef, walk

__all__ = ["FileRef", "iter_tables", "redact_url", "walk"]
