"""Read incident playbooks (YAML): a name, a title and the checklist of tasks they create."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from dataward.errors import DatawardError

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
PHASES = ("triage", "contain", "eradicate", "recover", "close")
KEYS = frozenset({"name", "title", "description", "tasks"})
MAX_TASK = 500


@dataclass(frozen=True)
class Task:
    """One step of a playbook, optionally tied to a response phase."""

    text: str
    phase: str = ""


@dataclass(frozen=True)
class Playbook:
    """A named checklist for one kind of incident."""

    name: str
    title: str
    description: str
    tasks: tuple[Task, ...]
    source: str = ""


def parse_playbook(text: str, where: str) -> Playbook:
    """Return the playbook of a YAML document, or raise one line naming the field or task."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise DatawardError("not valid YAML", where, "fix the file's syntax") from None
    if not isinstance(data, dict):
        raise DatawardError("a playbook must be a mapping", where, "write name:, title:, tasks:")
    extra = sorted(set(data) - KEYS)
    if extra:
        raise DatawardError(f"unknown field {extra[0]!r}", where, f"use {', '.join(sorted(KEYS))}")
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise DatawardError(
            "field 'name' must be lowercase letters, digits and underscores",
            where,
            "e.g. name: lost_or_stolen_laptop",
        )
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise DatawardError("field 'title' is required text", where, "add it")
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise DatawardError("field 'tasks' must list at least one task", where, "add tasks:")
    return Playbook(
        name=name,
        title=title.strip(),
        description=str(data.get("description") or "").strip(),
        tasks=tuple(_task(t, f"{where}, task {n}") for n, t in enumerate(tasks, start=1)),
        source=where,
    )


def _task(item: Any, where: str) -> Task:
    """Build one task from a string or a {text, phase} mapping."""
    if isinstance(item, dict):
        extra = sorted(set(item) - {"text", "phase"})
        if extra:
            raise DatawardError(f"unknown field {extra[0]!r}", where, "use text and phase")
        text, phase = item.get("text"), item.get("phase") or ""
    else:
        text, phase = item, ""
    if not isinstance(text, str) or not text.strip():
        raise DatawardError("a task needs its text", where, "write the step as text")
    if len(text) > MAX_TASK:
        raise DatawardError(f"a task is longer than {MAX_TASK} characters", where, "shorten it")
    if phase not in ("", *PHASES):
        raise DatawardError(f"unknown phase {phase!r}", where, f"use {', '.join(PHASES)}")
    return Task(" ".join(text.split()), str(phase))
