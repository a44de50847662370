"""Run file scans in worker processes: each worker holds the keyring and scans whole files."""

from __future__ import annotations

import os
import pwd
import signal
from dataclasses import dataclass
from pathlib import Path

from dataward.core.engine.crypto import Keyring
from dataward.discovery.engine.scanner import (
    Fingerprint,
    LocationResult,
    ScanOptions,
    file_sha256,
    scan_parts,
)


@dataclass(frozen=True, slots=True)
class FileTask:
    """A file to scan, with the content hash seen last time (to skip touched-but-same files)."""

    root: str
    rel: str
    size: int
    mtime_ns: int
    known_sha256: str = ""


@dataclass(slots=True)
class FileOutcome:
    """What scanning one file gave: its hash and owner, and results unless its bytes are known."""

    task: FileTask
    sha256: str = ""
    owner: str = ""
    unchanged: bool = False
    result: LocationResult | None = None
    error: str = ""


_STATE: dict[str, object] = {}


def init_worker(keyring_json: str, opts: ScanOptions) -> None:
    """Load the keyring and options once per worker process.

    Workers ignore Ctrl-C: the main process owns the interrupt and stops them itself, so the user
    sees one line, not a traceback per worker.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE["keyring"] = Keyring.from_text(keyring_json, "scan worker")
    _STATE["opts"] = opts


def scan_task(task: FileTask) -> FileOutcome:
    """Scan one file in this worker; errors become a reason, never an exception with content."""
    keyring = _STATE["keyring"]
    opts = _STATE["opts"]
    assert isinstance(keyring, Keyring)
    assert isinstance(opts, ScanOptions)
    return scan_file(task, keyring.fingerprint, opts)


def scan_file(task: FileTask, fingerprint: Fingerprint, opts: ScanOptions) -> FileOutcome:
    """Hash a file, skip it if its bytes are known, else extract and detect.

    ``fingerprint`` is the keyring's (or a Fingerprinter's, on a remote worker) keyed hash.
    """
    from dataward.discovery.engine.extractors import extract_path

    path = Path(task.root) / task.rel
    outcome = FileOutcome(task)
    try:
        outcome.owner = file_owner(path)
        outcome.sha256 = file_sha256(path)
    except OSError as exc:
        outcome.error = f"could not read the file ({exc.strerror or type(exc).__name__})"
        return outcome
    if task.known_sha256 and outcome.sha256 == task.known_sha256:
        outcome.unchanged = True
        return outcome
    try:
        outcome.result = scan_parts(extract_path(path, opts.limits), fingerprint, opts)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a scan
        # The exception text may quote file content, so only its type is kept.
        outcome.error = f"could not scan the file ({type(exc).__name__})"
    return outcome


def file_owner(path: Path) -> str:
    """Return the name of the user owning a file here (its uid if this machine has no such user).

    Called where the file is read (a Dask worker for a cluster scan): the caller may not see the
    share, and may map user ids differently.
    """
    uid = os.stat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
