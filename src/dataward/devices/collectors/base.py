"""What every collector shares: bounded commands and reads, probes that never raise, the document.

A probe returns ``(value, note)``: the value (None when it cannot tell) and one line saying how it
decided, kept in the document's ``probes`` so an auditor sees why a field is what it is.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dataward.devices.collectors import Document, Options
from dataward.devices.engine.connectors.collector import SCHEMA

MAX_READ = 8 << 20  # bytes read from any one file
Found = tuple[Any, str]


PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def run(argv: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> str | None:
    """Return a command's stdout, or None when it is missing, fails or runs over ``timeout``.

    Commands run with a fixed PATH and C locale (plus ``env``), never through a shell.
    """
    if shutil.which(argv[0], path=PATH) is None:
        return None
    try:
        done = subprocess.run(
            list(argv), capture_output=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL, env={"LC_ALL": "C", "PATH": PATH, **(env or {})},
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout[:MAX_READ].decode("utf-8", "replace")


def read(path: str | Path, limit: int = MAX_READ) -> str | None:
    """Return a text file's start (at most ``limit`` bytes), or None when it cannot be read."""
    try:
        with Path(path).open("rb") as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except OSError:
        return None


def safely(probe: Callable[[Options], Found], options: Options) -> Found:
    """Run one probe; whatever it raises becomes an unknown value with the error's type."""
    try:
        return probe(options)
    except Exception as exc:  # a probe must never stop the collection  # noqa: BLE001
        return None, f"probe failed ({type(exc).__name__})"


def safely_many(
    probe: Callable[[Options], dict[str, Found]], options: Options, keys: Sequence[str]
) -> dict[str, Found]:
    """Run a probe that finds several fields; if it raises, each of them is unknown."""
    try:
        return probe(options)
    except Exception as exc:  # a probe must never stop the collection  # noqa: BLE001
        return {k: (None, f"probe failed ({type(exc).__name__})") for k in keys}


def document(
    platform: str, options: Options, device: dict[str, Any], found: dict[str, Found]
) -> Document:
    """Return the dataward-device/1 document: device, posture (None: unknown) and probe notes."""
    return {
        "schema": SCHEMA,
        "collected_at": options.now.isoformat(timespec="seconds"),
        "collector": {"platform": platform, "version": 1},
        "device": device,
        "posture": {k: list(v) if isinstance(v, tuple) else v for k, (v, _) in found.items()},
        "probes": {k: note for k, (_, note) in found.items()},
    }
