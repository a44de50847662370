"""Write estate files deterministically and collect the manifest: files, planted, values."""

from __future__ import annotations

import hashlib
import json
import os
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from faker import Faker

from dataward.demo.engine.formats import Rendered
from dataward.demo.engine.model import mask

SCHEMA = "dataward-demo-manifest/1"
MANIFEST = "manifest.json"


class Estate:
    """The estate being written: output folder, seeded randomness and the manifest."""

    def __init__(self, root: Path, seed: int, as_of: date) -> None:
        """Prepare an empty manifest for ``root`` generated from ``seed`` as of ``as_of``."""
        self.root = root
        self.seed = seed
        self.as_of = as_of
        self.midnight = datetime.combine(as_of, time(0, 0), tzinfo=UTC)
        self.files: list[dict[str, Any]] = []
        self.planted: list[dict[str, Any]] = []
        self.sensitive: list[dict[str, Any]] = []
        self._fakers: dict[str, Faker] = {}

    def rng(self, area: str) -> random.Random:
        """Return a random generator for one area, independent of every other area."""
        return random.Random(f"{self.seed}:{area}")

    def faker(self, locale: str, area: str) -> Faker:
        """Return the Faker for a locale, re-seeded for one area."""
        if locale not in self._fakers:
            self._fakers[locale] = Faker(locale)
        fake = self._fakers[locale]
        digest = hashlib.sha256(f"{self.seed}:{area}:{locale}".encode()).hexdigest()
        fake.seed_instance(int(digest[:12], 16))
        return fake

    def at(self, days_ago: float) -> datetime:
        """Return the UTC instant ``days_ago`` days before midnight of as_of, whole seconds."""
        return self.midnight - timedelta(seconds=round(days_ago * 86400))

    def write(
        self, rel: str, rendered: Rendered, *, client: str | None, kind: str, days_ago: float
    ) -> str:
        """Write one file, set its mtime, and record it and its sensitive values."""
        data, hits = rendered
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stamp = self.at(days_ago)
        os.utime(path, (stamp.timestamp(), stamp.timestamp()))
        self.files.append(
            {
                "path": rel,
                "client": client,
                "kind": kind,
                "format": rel.rsplit(".", 1)[-1],
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "mtime": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
        for hit in hits:
            self.sensitive.append(
                {
                    "path": rel,
                    "member": hit.member,
                    "location": hit.location,
                    "entity": hit.value.entity,
                    "masked": mask(hit.value.value, hit.value.entity),
                }
            )
        return rel

    def plant(self, pid: str, area: str, client: str | None, **fields: Any) -> None:
        """Record one planted problem; fields: kind, path, detail, expect, description."""
        self.planted.append(
            {
                "id": pid,
                "area": area,
                "kind": fields["kind"],
                "client": client,
                "where": {
                    "path": fields["path"],
                    "member": fields.get("member"),
                    "detail": fields["detail"],
                },
                "expect": fields["expect"],
                "description": fields["description"],
            }
        )

    def manifest(self, clients: list[str]) -> dict[str, Any]:
        """Return the manifest with files and sensitive values in a stable order."""
        return {
            "schema": SCHEMA,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "clients": clients,
            "files": sorted(self.files, key=lambda f: f["path"]),
            "planted": self.planted,
            "sensitive_values": sorted(
                self.sensitive, key=lambda v: (v["path"], v["member"] or "")
            ),
        }


def clear_previous(root: Path) -> None:
    """Delete the files a previous manifest in ``root`` listed, and that manifest."""
    old = root / MANIFEST
    if not old.is_file():
        return
    try:
        listed = json.loads(old.read_text(encoding="utf-8")).get("files", [])
    except ValueError:
        listed = []
    for entry in listed:
        target = root / str(entry.get("path", ""))
        if target.is_file() and root.resolve() in target.resolve().parents:
            target.unlink()
    old.unlink()


def dump_manifest(manifest: dict[str, Any]) -> str:
    """Serialise a manifest: indented, with one sensitive value per line to stay compact."""
    head = {k: v for k, v in manifest.items() if k != "sensitive_values"}
    text = json.dumps(head, indent=2)[: -len("\n}")]
    values = ",\n".join("    " + json.dumps(v) for v in manifest["sensitive_values"])
    body = f"[\n{values}\n  ]" if values else "[]"
    return f'{text},\n  "sensitive_values": {body}\n}}\n'
