"""Chain audit events by keyed hash and find the first broken link."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dataward.core.engine.crypto import Keyring
from dataward.errors import KeyringError

GENESIS = "0" * 64
ROTATE_ACTION = "keys.rotate"
"""The event that retires the sealing key: every later event must use the key it names."""


@dataclass(frozen=True)
class AuditRecord:
    """One append-only audit event as stored, with its place in the chain."""

    seq: int
    at: str
    actor: str
    action: str
    client: str
    object_type: str
    object_id: str
    before: str
    after: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    key_id: str = ""
    prev_hash: str = GENESIS
    hash: str = ""

    def payload(self) -> bytes:
        """Return the canonical bytes the link hash covers."""
        body = [
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.client,
            self.object_type,
            self.object_id,
            self.before,
            self.after,
            dict(self.detail),
            self.key_id,
            self.prev_hash,
        ]
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Anchor:
    """The last link known outside the database, to detect rows cut from the end."""

    seq: int
    hash: str


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of walking the chain: how far it holds and where it first breaks."""

    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Return True when every link holds."""
        return self.broken_seq is None


def link_hash(record: AuditRecord, keyring: Keyring) -> str:
    """Return the keyed hash that seals a record to its predecessor."""
    return keyring.mac(record.payload(), record.key_id)


def state_digest(state: Mapping[str, Any] | None, keyring: Keyring) -> str:
    """Return a keyed digest of an object's state, so values never sit in the trail."""
    if state is None:
        return ""
    raw = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str).encode()
    return keyring.mac(hashlib.sha256(raw).digest())[:32]


def verify_chain(
    records: Iterable[AuditRecord], keyring: Keyring, anchor: Anchor | None = None
) -> VerifyReport:
    """Walk records in sequence order and report the first edited, missing or moved row."""
    prev_hash, prev_seq, checked = GENESIS, 0, 0
    current_key = ""
    for rec in records:
        if rec.seq != prev_seq + 1:
            return VerifyReport(checked, rec.seq, f"sequence jumps from {prev_seq} to {rec.seq}")
        if rec.prev_hash != prev_hash:
            return VerifyReport(checked, rec.seq, "link to the previous event is broken")
        try:
            expected = link_hash(rec, keyring)
        except KeyringError:
            return VerifyReport(checked, rec.seq, f"sealed with unknown key {rec.key_id}")
        if expected != rec.hash:
            return VerifyReport(checked, rec.seq, "content does not match its seal (edited)")
        sealing = rec.object_id if rec.action == ROTATE_ACTION else (current_key or rec.key_id)
        if rec.key_id != sealing:
            return VerifyReport(checked, rec.seq, f"sealed with retired key {rec.key_id}")
        current_key = rec.key_id
        if anchor is not None and rec.seq == anchor.seq and rec.hash != anchor.hash:
            return VerifyReport(checked, rec.seq, "event differs from the anchored seal")
        prev_hash, prev_seq, checked = rec.hash, rec.seq, checked + 1
    if anchor is not None and prev_seq < anchor.seq:
        return VerifyReport(
            checked, prev_seq + 1, f"chain ends at {prev_seq} but {anchor.seq} events were sealed"
        )
    return VerifyReport(checked)
