"""Load the osquery queries dataward ships (osquery.yaml) and render them as a pack or a script."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

QUERIES_FILE = Path(__file__).resolve().parents[1] / "osquery.yaml"
PLATFORMS = ("windows", "darwin", "linux")
PACK_INTERVAL = 3600  # seconds between scheduled runs of the pack


@dataclass(frozen=True)
class Query:
    """One documented query: its name, what it reads, and its SQL per osquery platform."""

    name: str
    description: str
    sql: dict[str, str]  # platform -> SQL


@dataclass(frozen=True)
class Catalogue:
    """The queries and the security-agent catalogue (product -> process names)."""

    queries: tuple[Query, ...]
    agents: dict[str, tuple[str, ...]]

    def agent_of(self, process: str) -> str:
        """Return the product a process name belongs to (the process name when none)."""
        key = process.strip().lower()
        for product, names in self.agents.items():
            if key in names:
                return product
        return process.strip()

    def for_platform(self, platform: str) -> list[tuple[str, str]]:
        """Return (name, SQL) of every query asked on one platform."""
        return [(q.name, q.sql[platform]) for q in self.queries if platform in q.sql]


@cache
def catalogue(path: Path = QUERIES_FILE) -> Catalogue:
    """Return the shipped queries with {agent_processes} filled in."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    agents = {
        str(product): tuple(str(n).lower() for n in names)
        for product, names in (data.get("agents") or {}).items()
    }
    processes = ", ".join(f"'{n}'" for names in agents.values() for n in names)
    queries = []
    for name, body in data["queries"].items():
        every = body.get("sql")
        sql = {p: str(body.get(p) or every).format(agent_processes=processes) for p in PLATFORMS}
        sql = {p: s for p, s in sql.items() if s != "None"}
        queries.append(Query(str(name), str(body.get("description", "")), sql))
    return Catalogue(tuple(queries), agents)


def pack(platform: str | None = None) -> dict[str, Any]:
    """Return the queries as an osquery pack, each scheduled in snapshot mode."""
    out: dict[str, Any] = {}
    for q in catalogue().queries:
        for os_name, sql in q.sql.items():
            if platform and os_name != platform:
                continue
            name = q.name if platform else f"{q.name}_{os_name}"
            out[name] = {
                "query": sql, "interval": PACK_INTERVAL, "snapshot": True,
                "platform": os_name, "description": q.description,
            }  # fmt: skip
    return {"queries": out}


def pack_json(platform: str | None = None) -> str:
    """Return the pack as the JSON osquery reads."""
    return json.dumps(pack(platform), indent=2) + "\n"


def script(platform: str) -> str:
    """Return a POSIX shell script that runs every query with osqueryi and prints one JSON object.

    The object is what ``dataward devices import osquery FILE`` reads: each query's rows under
    its name, plus the host and the time of collection.
    """
    lines = [
        "#!/bin/sh",
        f"# dataward osquery collection for {platform}; run as root for complete results.",
        '# Usage: sh collect.sh > "$(hostname).json"',
        "set -e",
        'printf \'{"collected_at": "%s"\' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
    ]
    for name, sql in catalogue().for_platform(platform):
        lines += [
            f"printf ',\\n\"{name}\": '",
            "osqueryi --json <<'SQL' || printf '[]'",
            sql,
            "SQL",
        ]
    lines.append("printf '}\\n'")
    return "\n".join(lines) + "\n"
