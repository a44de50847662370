"""Generate the deterministic synthetic BPO estate and the manifest that describes it."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dataward.demo.engine.clients import CLIENTS, write_clients
from dataward.demo.engine.devices import write_devices
from dataward.demo.engine.encryption import write_encryption
from dataward.demo.engine.entitlements import (
    plant_access,
    write_entitlements,
    write_role_matrices,
)
from dataward.demo.engine.estate import MANIFEST, Estate, clear_previous, dump_manifest
from dataward.demo.engine.general_shares import write_general_shares
from dataward.demo.engine.governance import write_channels, write_vendors
from dataward.demo.engine.hr import write_hr, write_training
from dataward.demo.engine.identity_exports import write_directory
from dataward.demo.engine.incidents import write_incidents
from dataward.demo.engine.logs import write_logs
from dataward.demo.engine.model import mask
from dataward.demo.engine.northbank_exports import write_northbank_exports
from dataward.demo.engine.people import build_roster
from dataward.demo.engine.registers import write_risk_register
from dataward.demo.engine.shares_carewell import write_carewell
from dataward.demo.engine.shares_northbank import write_northbank
from dataward.demo.engine.shares_telora import write_telora

__all__ = ["MANIFEST", "generate", "load_manifest", "mask"]


def generate(out_dir: Path, seed: int = 7, as_of: date | None = None) -> dict[str, Any]:
    """Write the estate into ``out_dir`` and return its manifest (also in manifest.json)."""
    out_dir = Path(out_dir)
    day = as_of if as_of is not None else datetime.now(UTC).date()
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_previous(out_dir)
    estate = Estate(out_dir, seed, day)
    people = build_roster(estate)
    write_clients(estate)
    book = write_northbank(estate, people)
    write_northbank_exports(estate, book, people)
    write_carewell(estate, people)
    write_telora(estate, people)
    write_general_shares(estate, book)
    write_hr(estate, people)
    accounts = write_directory(estate, people)
    write_entitlements(estate, people)
    write_role_matrices(estate, people)
    plant_access(estate, people, accounts)
    write_devices(estate, people)
    write_logs(estate, people)
    write_training(estate, people)
    write_vendors(estate)
    write_channels(estate)
    write_encryption(estate)
    write_risk_register(estate)
    write_incidents(estate)
    manifest = estate.manifest([c.slug for c in CLIENTS])
    target = out_dir / MANIFEST
    target.write_text(dump_manifest(manifest), encoding="utf-8")
    os.utime(target, (estate.midnight.timestamp(), estate.midnight.timestamp()))
    return manifest


def load_manifest(path: Path | str) -> dict[str, Any]:
    """Read a manifest.json (or the manifest inside an estate folder)."""
    target = Path(path)
    if target.is_dir():
        target = target / MANIFEST
    data: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return data
