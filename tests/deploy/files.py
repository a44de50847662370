"""Read the example files under deploy/ and rewrite them for a test, failing loudly on drift.

Every rewrite names the exact text it replaces; text that is no longer in the file fails the
test, so a test never silently runs something other than what a user would copy.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
VENV_BIN = Path(sys.executable).parent
#: Where the files say things live on a real machine, and where they are in this checkout.
INSTALLED = {
    "/opt/dataward/venv/bin": str(VENV_BIN),
    "/opt/dataward/bin/dataward-backup": str(DEPLOY / "bin" / "dataward-backup"),
}


def rewrite(text: str, changes: dict[str, str]) -> str:
    """Replace each key of ``changes`` by its value; every key must occur at least once."""
    for old, new in changes.items():
        assert old in text, f"deploy file no longer contains {old!r}: update the test"
        text = text.replace(old, new)
    return text


def unit_text(name: str) -> str:
    """Return a unit file's text with the installed paths pointing into this checkout."""
    text = (UNITS / name).read_text()
    for old, new in INSTALLED.items():
        text = text.replace(old, new)
    return text


def directives(text: str, section: str) -> list[tuple[str, str]]:
    """Return the (key, value) lines of one [section] of a unit file, in order."""
    found: list[tuple[str, str]] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        if current == section:
            key, _, value = line.partition("=")
            found.append((key.strip(), value.strip()))
    return found


def value(text: str, section: str, key: str) -> str:
    """Return the one value of ``key`` in ``section`` (fails when absent or repeated)."""
    values = [v for k, v in directives(text, section) if k == key]
    assert len(values) == 1, f"{key}= in [{section}]: {values}"
    return values[0]


def read_env_file(text: str) -> dict[str, str]:
    """Parse the NAME=value lines of an environment file (comments and blanks skipped)."""
    env: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        name, sep, val = line.partition("=")
        assert sep, f"not NAME=value: {line!r}"
        assert re.fullmatch(r"[A-Z_][A-Z0-9_]*", name), f"not a variable name: {line!r}"
        env[name] = val.strip()
    return env


def command(exec_line: str, env: dict[str, str], instance: str = "") -> list[str]:
    """Turn an ExecStart= value into argv as systemd would for these units.

    Handled: words split like a shell, ``${NAME}`` from the environment file, the ``%i``, ``%H``
    and ``%%`` specifiers. Anything else that systemd would expand fails the test, so a unit
    never depends on a rule this helper does not know.
    """
    argv = []
    for word in shlex.split(exec_line):
        word = word.replace("%%", "\0").replace("%i", instance).replace("%H", os.uname().nodename)
        assert "%" not in word, f"unknown specifier in {word!r}"
        word = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env[m.group(1)], word)
        assert "$" not in word, f"unexpanded variable in {word!r}"
        argv.append(word.replace("\0", "%"))
    assert Path(argv[0]).is_absolute(), argv
    return argv
