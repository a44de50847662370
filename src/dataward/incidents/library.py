"""Find the notification rules and playbooks in force: shipped, the workspace's, a user's file.

Shipped rules and playbooks are package data. A workspace may add its own in
``<workspace>/incident_rules.yaml`` and ``<workspace>/playbooks/*.yaml``; a rule or playbook
with the same id or name as a shipped one replaces it. ``--rules FILE`` and a playbook file
path given on the command line come last.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.incidents.engine.playbooks import Playbook, parse_playbook
from dataward.incidents.engine.rules import Rule, merge, parse_rules

RULES_FILE = "incident_rules.yaml"
PLAYBOOK_DIR = "playbooks"


def read_text(path: Path) -> str:
    """Return a user's file as text, or a one-line error naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DatawardError(f"cannot read ({exc.strerror})", str(path), "check the path") from None
    except UnicodeDecodeError:
        raise DatawardError("not UTF-8 text", str(path), "save the file as UTF-8") from None


def shipped_rules() -> list[Rule]:
    """Return the rules dataward ships."""
    text = resources.files("dataward.incidents.rules").joinpath("notification_rules.yaml")
    return parse_rules(text.read_text("utf-8"), "dataward/incidents/rules/notification_rules.yaml")


def file_rules(path: Path) -> list[Rule]:
    """Return the rules of a user's YAML file."""
    return parse_rules(read_text(path), str(path))


def workspace_rules(ws: Workspace) -> list[Rule]:
    """Return the workspace's own rules (none when it has no incident_rules.yaml)."""
    path = ws.paths.root / RULES_FILE
    return file_rules(path) if path.is_file() else []


def rules_in_force(ws: Workspace, extra: Sequence[dict[str, Any]] = ()) -> list[Rule]:
    """Return shipped, workspace and an incident's own extra rules, later ones replacing."""
    own = parse_rules_dicts(extra) if extra else []
    return merge(shipped_rules(), workspace_rules(ws), own)


def parse_rules_dicts(extra: Sequence[dict[str, Any]]) -> list[Rule]:
    """Return rules stored with an incident (their YAML shape) as Rule objects."""
    import yaml

    return parse_rules(yaml.safe_dump({"rules": list(extra)}), "rules stored with the incident")


def shipped_playbooks() -> dict[str, Playbook]:
    """Return the playbooks dataward ships, by name."""
    folder = resources.files("dataward.incidents.playbooks")
    found = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            book = parse_playbook(
                item.read_text("utf-8"), f"dataward/incidents/playbooks/{item.name}"
            )
            found[book.name] = book
    return found


def playbooks(ws: Workspace) -> dict[str, Playbook]:
    """Return shipped and workspace playbooks by name (the workspace's replace shipped ones)."""
    found = shipped_playbooks()
    folder = ws.paths.root / PLAYBOOK_DIR
    if folder.is_dir():
        for path in sorted(folder.glob("*.yaml")):
            book = parse_playbook(read_text(path), str(path))
            found[book.name] = book
    return found


def playbook(ws: Workspace, name_or_file: str) -> Playbook:
    """Return a playbook by name, or from a YAML file when given a path."""
    if name_or_file.endswith((".yaml", ".yml")):
        return file_playbook(Path(name_or_file))
    known = playbooks(ws)
    if name_or_file not in known:
        raise DatawardError(
            f"no playbook {name_or_file!r}",
            "--playbook",
            f"use {', '.join(sorted(known))} or a YAML file",
        )
    return known[name_or_file]


def file_playbook(path: Path) -> Playbook:
    """Return the playbook of a user's YAML file."""
    return parse_playbook(read_text(path), str(path))
