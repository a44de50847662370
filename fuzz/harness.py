"""Prepare one atheris harness: import its target instrumented, and find or write its seeds.

A harness is run as ``python fuzz/fuzz_<target>.py [libFuzzer flags]``. Its seed corpus is
written at run time from the project's own generators into a temporary folder (never
committed): ``fuzz/run.py`` (``make fuzz``) writes every target's seeds once and passes the folder
in ``FUZZ_SEEDS``; a harness run by hand writes its own.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris
import targets

#: Flags given unless the command line sets them: bounded input size, per-input time and memory.
DEFAULT_FLAGS = {
    "-max_len": str(targets.MAX_LEN),
    "-len_control": "0",  # seeds are whole documents: mutate them at their own length at once
    "-timeout": "30",
    "-rss_limit_mb": "3072",
}


def prepare(name: str) -> tuple[Callable[[bytes], None], list[str]]:
    """Import the target's modules under instrumentation; return its function and argv."""
    target = targets.TARGETS[name]
    roots = sorted({m.split(".")[0] for m in target.modules})
    with atheris.instrument_imports(include=roots):
        for module in target.modules:
            importlib.import_module(module)
        with contextlib.suppress(Exception):  # a crash here is found again by the fuzzer
            target.run(b"")  # imports what the target loads lazily, instrumented
    corpus = _corpus(name)
    argv = list(sys.argv)
    given = {arg.split("=", 1)[0] for arg in argv[1:] if arg.startswith("-")}
    argv[1:1] = [f"{flag}={value}" for flag, value in DEFAULT_FLAGS.items() if flag not in given]
    if not any(not arg.startswith("-") for arg in argv[1:]):
        argv.append(str(corpus))
    return target.run, argv


def _corpus(name: str) -> Path:
    shared = os.environ.get("FUZZ_SEEDS")
    if shared:
        return Path(shared) / name
    folder = Path(tempfile.mkdtemp(prefix=f"dataward-fuzz-{name}-"))
    estate = targets.write_estate(folder / "estate") if targets.TARGETS[name].globs else None
    return targets.write_seeds(folder / "corpus", [name], estate)[name]
