"""Load the fuzz targets (fuzz/targets.py sits outside the package and the tests)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"


def load_targets() -> ModuleType:
    """Import fuzz/targets.py once and return it."""
    name = "dataward_fuzz_targets"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, FUZZ / "targets.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
