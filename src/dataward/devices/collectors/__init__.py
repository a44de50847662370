"""Local collectors: read a machine's own posture and print the dataward-device/1 document.

One module per platform (``linux.py``; ``windows.py`` and ``macos.py`` can be added the same way)
defines a function decorated ``@collector("PLATFORM")`` that takes the ``Options`` and returns
the document. The registry walks this folder, so adding a module is enough (docs/devices.md).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dataward.errors import DatawardError

Document = dict[str, Any]
Collector = Callable[["Options"], Document]
_REGISTRY: dict[str, Collector] = {}


@dataclass(frozen=True)
class Options:
    """What the person running the collector may add: who uses the machine and where it is."""

    now: datetime
    user: str = ""
    employee_id: str = ""
    site: str = ""
    remote: bool | None = None
    agents: tuple[str, ...] = ()  # extra process names that count as a security agent
    timeout: float = 5.0  # seconds any one probe may take
    extra: dict[str, Any] = field(default_factory=dict)


def collector(platform: str) -> Callable[[Collector], Collector]:
    """Register a function as the collector of one platform (as ``sys.platform`` names it)."""

    def mark(fn: Collector) -> Collector:
        _REGISTRY[platform] = fn
        return fn

    return mark


def registry() -> dict[str, Collector]:
    """Return every collector, importing each module of this folder once."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(_REGISTRY)


def platform_key(platform: str | None = None) -> str:
    """Return the registry key of a platform: linux, darwin or win32."""
    name = platform or sys.platform
    return "linux" if name.startswith("linux") else name


def collect(options: Options, platform: str | None = None) -> Document:
    """Run the collector of this (or the named) platform."""
    key = platform_key(platform)
    found = registry().get(key)
    if found is None:
        raise DatawardError(
            f"no collector for {key} yet",
            "devices collect",
            "use osquery (dataward devices queries) or add a collector (docs/devices.md)",
        )
    return found(options)
