"""Create and open workspaces: config, key, database, migrations and the acting user."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from dataward.core.engine.crypto import Keyring
from dataward.core.engine.permissions import Action, Principal, Role, may
from dataward.core.engine.workspace import (
    WorkspaceConfig,
    WorkspacePaths,
    atomic_write,
    create_layout,
    file_mode,
    load_config,
    resolve_root,
)
from dataward.errors import KeyringError, PermissionDeniedError, WorkspaceError
from dataward.runtime import activate, state


def utcnow() -> datetime:
    """Return the current time in UTC (the default clock)."""
    return datetime.now(UTC)


@dataclass
class Workspace:
    """An open workspace: its settings, keyring, acting user and clock."""

    config: WorkspaceConfig
    keyring: Keyring
    actor: Principal
    clock: Callable[[], datetime] = utcnow
    warnings: list[str] = field(default_factory=list)

    @property
    def paths(self) -> WorkspacePaths:
        """Return the workspace's file paths."""
        return self.config.paths

    def require(self, action: Action, client: str | None) -> None:
        """Raise PermissionDeniedError unless the acting user may take the action."""
        if not may(self.actor, action, client):
            scope = f"client {client}" if client else "the operation"
            raise PermissionDeniedError(
                f"{self.actor.name} ({self.actor.role}) may not {action} on {scope}",
                "permissions",
                "ask an admin to grant the role or client scope",
            )


def redacted_url(url: str) -> str:
    """Return a database URL without its password, fit for an error message."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        return url
    host = parts.hostname or "localhost"
    return f"{parts.scheme}://{parts.username or ''}@{host}:{parts.port or 5432}{parts.path}"


def load_keyring(paths: WorkspacePaths, env: Mapping[str, str]) -> tuple[Keyring, list[str]]:
    """Read the keyring from DATAWARD_KEY or the key file, with warnings about its safety."""
    if env.get("DATAWARD_KEY"):
        return Keyring.from_text(env["DATAWARD_KEY"], "DATAWARD_KEY"), []
    try:
        text = paths.key.read_text()
    except FileNotFoundError:
        raise KeyringError(
            "workspace key file is missing", str(paths.key), "restore it or set DATAWARD_KEY"
        ) from None
    except (PermissionError, IsADirectoryError, UnicodeDecodeError):
        raise KeyringError(
            "workspace key file is unreadable", str(paths.key), "run as its owner or restore it"
        ) from None
    warnings = []
    if file_mode(paths.key) & 0o077:
        warnings.append(
            f"{paths.key}: key file is readable by others (mode {file_mode(paths.key):o}); "
            "run chmod 600 on it"
        )
    return Keyring.from_text(text, str(paths.key)), warnings


def reload_keyring(ws: Workspace) -> Keyring:
    """Re-read the key file after a rotation by another process, and use it from now on.

    Refuses in one line when the keyring came from DATAWARD_KEY: the environment of a running
    process cannot change, so it must be restarted with the new keyring.
    """
    source = ws.keyring.finder
    if not isinstance(source, _KeySource):
        source = _KeySource(ws.config, ws.keyring, from_env=False, stamp=None)
    source.reload(strict=True)
    ws.keyring = source.use()
    _accept_sessions_of(ws.keyring)
    return ws.keyring


def _key_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


class _KeySource:
    """Where a process's keyring comes from; the finder keyrings ask for newer keys.

    A rotation (`dataward keys rotate`, in another process or on another machine whose key file
    is then copied here) replaces the key file while services keep running. Called with a key id
    the keyring lacks (met in the audit chain or in an encrypted field), or with None before a
    field is encrypted, this re-reads the key file if it changed since it was read, so a running
    process decrypts what the rotation re-encrypted and seals and encrypts with the new key.
    """

    def __init__(
        self,
        config: WorkspaceConfig,
        keyring: Keyring,
        from_env: bool,
        stamp: tuple[int, int, int] | None,
    ) -> None:
        """Watch the key file from ``stamp``, taken before ``keyring`` was read from it.

        A stamp taken after the read would hide a rotation that replaced the file in between:
        the process would hold the old keys while believing it had read the new file.
        """
        self.config = config
        self.from_env = from_env
        self.stamp = None if from_env else stamp
        self.ring = keyring.with_finder(self)

    def use(self) -> Keyring:
        """Make this source's keyring the one encrypted fields use in this process."""
        state.keyring = self.ring
        return self.ring

    def __call__(self, key_id: str | None) -> Keyring | None:
        if self.from_env:
            if key_id is not None and not self.ring.holds(key_id):
                raise KeyringError(
                    f"key {key_id} is not in DATAWARD_KEY (the key was rotated after this process "
                    "started)",
                    "DATAWARD_KEY",
                    "restart this process with the new keyring in DATAWARD_KEY",
                )
            return self.ring
        if _key_stamp(self.config.paths.key) != self.stamp:
            self.reload(strict=key_id is not None)
        return self.ring

    def reload(self, strict: bool) -> Keyring:
        """Re-read the key file; on failure raise (strict) or keep the keyring held now."""
        if self.from_env:
            raise KeyringError(
                "the keyring comes from DATAWARD_KEY, which a running process cannot re-read",
                "DATAWARD_KEY",
                "restart this process with the new keyring in DATAWARD_KEY",
            )
        stamp = _key_stamp(self.config.paths.key)  # before reading: a later change reads again
        try:
            ring, _ = load_keyring(self.config.paths, {})
            _check_keys(ring, self.config)
        except KeyringError:
            if strict:
                raise
            return self.ring  # e.g. a copy half-written: go on with the key held, try again later
        self.stamp = stamp
        mine = state.keyring is not None and state.keyring.finder is self
        self.ring = ring.with_finder(self)
        if mine:
            self.use()
            _accept_sessions_of(self.ring)
        return self.ring


def _accept_sessions_of(keyring: Keyring) -> None:
    """Let web sessions signed with any key of the keyring stay valid in this process."""
    from django.conf import settings

    current = settings.SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = [
        secret
        for key in reversed(keyring.keys)
        if (secret := key.derive("django").hex()) != current
    ]


def init_workspace(
    root: str | os.PathLike[str] | None,
    env: Mapping[str, str] | None = None,
    database_url: str = "",
) -> Workspace:
    """Create a workspace folder with its key, config and migrated database."""
    env = dict(os.environ if env is None else env)
    path = resolve_root(root, env)
    paths = create_layout(path, database_url)
    made = [paths.config]
    try:
        if not env.get("DATAWARD_KEY"):
            atomic_write(paths.key, Keyring.generate().to_json().encode(), mode=0o600)
            made.append(paths.key)
        if not (env.get("DATAWARD_DATABASE_URL") or database_url) and not paths.sqlite.exists():
            paths.sqlite.touch(mode=0o600)
            made.append(paths.sqlite)
        owner_env = {k: v for k, v in env.items() if k != "DATAWARD_USER"}
        ws = open_workspace(path, owner_env)  # the creator acts as the workspace owner
        from dataward.core import audit
        from dataward.core.clients import ensure_operation

        ensure_operation(ws)
        audit.record(ws, "workspace.init", None, "workspace", str(path))
    except BaseException:
        extras = [paths.audit_head, paths.audit_head.with_name(f".{paths.audit_head.name}.lock")]
        if paths.sqlite in made:
            extras += [paths.sqlite.with_name(paths.sqlite.name + s) for s in ("-wal", "-shm")]
        for leftover in made + extras:  # a failed init leaves no half-made workspace behind
            leftover.unlink(missing_ok=True)
        raise
    return ws


def open_workspace(
    root: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    actor: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Workspace:
    """Open a workspace: validate it, migrate its database, check the key, resolve the actor."""
    env = dict(os.environ if env is None else env)
    config = load_config(resolve_root(root, env), env)
    stamp = _key_stamp(config.paths.key)  # before reading: a rotation meanwhile is seen later
    keyring, warnings = load_keyring(config.paths, env)
    if config.is_sqlite and not Path(config.database_url.removeprefix("sqlite:///")).exists():
        raise WorkspaceError(
            "the workspace database file is missing",
            config.database_url.removeprefix("sqlite:///"),
            "restore it from a backup or create a new workspace with dataward init",
        )
    activate(config, secret_key=keyring.active.derive("django").hex())
    keyring = _KeySource(config, keyring, bool(env.get("DATAWARD_KEY")), stamp).use()
    _accept_sessions_of(keyring)  # sessions signed before a rotation stay valid after it
    _prepare_database(config)
    _check_keys(keyring, config)
    name = actor or env.get("DATAWARD_USER")
    ws = Workspace(config, keyring, _principal(name), clock, warnings)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return ws


def _prepare_database(config: WorkspaceConfig) -> None:
    """Connect and apply pending migrations, wrapping database failures in one line."""
    from django.core.management import call_command
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    from dataward.core.schema import create_fresh

    where = redacted_url(config.database_url)
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()) and not create_fresh(
            connection
        ):
            call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as exc:
        raise _database_error(exc, where, config.is_sqlite) from None


def _database_error(exc: Exception, where: str, sqlite: bool) -> WorkspaceError:
    """Turn a driver error into a one-line WorkspaceError that says what to do."""
    text = str(exc).lower()
    if sqlite and ("not a database" in text or "malformed" in text):
        return WorkspaceError(
            "the workspace database is corrupt (not a SQLite database)",
            where,
            "restore it from a backup or create a new workspace with dataward init",
        )
    if sqlite:
        return WorkspaceError(
            "cannot open the workspace database", where, "check the file's permissions and disk"
        )
    return WorkspaceError(
        "cannot connect to the database",
        where,
        "start PostgreSQL or fix DATAWARD_DATABASE_URL / database.url",
    )


def _check_keys(keyring: Keyring, config: WorkspaceConfig) -> None:
    """Fail at once when the key does not belong to this database; record new keys."""
    from dataward.core.models import KeyCheck

    known = {k.key_id: k.check_value for k in KeyCheck.objects.all()}
    held = {k.id for k in keyring.keys}
    if known and not held & known.keys():
        raise KeyringError(
            "the workspace key does not belong to this database",
            "DATAWARD_KEY" if keyring.active.created == "external" else str(config.paths.key),
            "use the key this workspace was created with",
        )
    for key_id in held & known.keys():
        if keyring.check_value(key_id) != known[key_id]:
            raise KeyringError(
                f"key {key_id} does not match the value recorded in the database",
                str(config.paths.key),
                "use the key this workspace was created with",
            )
    for key_id in held - known.keys():
        KeyCheck.objects.get_or_create(
            key_id=key_id, defaults={"check_value": keyring.check_value(key_id)}
        )


def _principal(name: str | None) -> Principal:
    """Resolve who acts: a named dataward user, or the local workspace owner as admin."""
    if not name:
        try:
            owner = getpass.getuser()
        except (KeyError, OSError):  # a uid without a passwd entry, as in some containers
            owner = f"uid:{os.getuid()}"
        return Principal(name=f"local:{owner}", role=Role.ADMIN)
    from dataward.core.users import principal_for

    return principal_for(name)
