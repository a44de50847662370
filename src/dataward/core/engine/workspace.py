"""Locate, create and validate a workspace folder without touching the database."""

from __future__ import annotations

import os
import secrets
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from dataward.errors import WorkspaceError

CONFIG_NAME = "dataward.toml"
KEY_NAME = "dataward.key"
DB_NAME = "dataward.sqlite3"
AUDIT_HEAD_NAME = "audit.head"
DEFAULT_DIR = ".dataward"
INIT_HINT = "run `dataward init` or pass --workspace DIR"

CONFIG_TEMPLATE = """\
# dataward workspace settings. Environment variables override these values:
#   DATAWARD_DATABASE_URL  (database.url), DATAWARD_KEY (the key file's content)
[workspace]
format = 1

[database]
# Empty means the embedded SQLite file in this folder; PostgreSQL example:
# url = "postgresql://dataward@127.0.0.1:5432/dataward"
url = "{database_url}"
"""


@dataclass(frozen=True)
class WorkspacePaths:
    """Name the files that make up one workspace folder."""

    root: Path

    @property
    def config(self) -> Path:
        """Return the path of ``dataward.toml``."""
        return self.root / CONFIG_NAME

    @property
    def key(self) -> Path:
        """Return the path of the workspace key file."""
        return self.root / KEY_NAME

    @property
    def sqlite(self) -> Path:
        """Return the path of the embedded SQLite database."""
        return self.root / DB_NAME

    @property
    def audit_head(self) -> Path:
        """Return the path of the audit chain's anchor file."""
        return self.root / AUDIT_HEAD_NAME


@dataclass(frozen=True)
class WorkspaceConfig:
    """Hold the settings read from ``dataward.toml`` and the environment."""

    paths: WorkspacePaths
    database_url: str

    @property
    def is_sqlite(self) -> bool:
        """Return True when the workspace stores its records in SQLite."""
        return self.database_url.startswith("sqlite:")


def resolve_root(explicit: str | os.PathLike[str] | None, env: dict[str, str]) -> Path:
    """Return the workspace folder: the explicit path, DATAWARD_WORKSPACE, or ./.dataward."""
    chosen = explicit or env.get("DATAWARD_WORKSPACE") or DEFAULT_DIR
    return Path(chosen).expanduser().absolute()


def load_config(root: Path, env: dict[str, str]) -> WorkspaceConfig:
    """Read and validate the workspace config, raising a one-line WorkspaceError."""
    paths = WorkspacePaths(root)
    if not root.exists():
        raise WorkspaceError("no dataward workspace here", str(root), INIT_HINT)
    if not root.is_dir():
        raise WorkspaceError("not a folder", str(root), "pass --workspace a folder")
    data = _read_toml(paths.config)
    section = data.get("database", {})
    if not isinstance(section, dict):
        raise WorkspaceError("[database] must be a table", str(paths.config), "fix the file")
    _check_settings(data, paths.config)
    url = env.get("DATAWARD_DATABASE_URL") or section.get("url") or ""
    if not isinstance(url, str):
        raise WorkspaceError(
            "database.url must be a string", str(paths.config), 'write url = "postgresql://..."'
        )
    if not url:
        url = f"sqlite:///{paths.sqlite}"
    if not url.startswith(("sqlite:", "postgres://", "postgresql://", "pgsql://")):
        raise WorkspaceError(
            "database URL must start with sqlite:// or postgresql://",
            "DATAWARD_DATABASE_URL" if env.get("DATAWARD_DATABASE_URL") else str(paths.config),
            "fix the URL",
        )
    return WorkspaceConfig(paths=paths, database_url=url)


KNOWN_SETTINGS = {"workspace": {"format"}, "database": {"url"}}
SECRET_WORDS = ("password", "passwd", "secret", "token", "key", "credential")


def url_has_password(url: str) -> bool:
    """Return whether a database URL carries a password (user:pw@ or a password= option)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return False
    query = {name.lower() for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return bool(password) or bool(query & {"password", "sslpassword"})


def _check_settings(data: dict[str, object], path: Path) -> None:
    """Refuse unknown settings and any secret: secrets belong in the environment or key file."""
    for table, value in data.items():
        keys = value.keys() if isinstance(value, dict) else [""]
        for key in keys:
            name = f"{table}.{key}" if key else table
            if any(word in name.lower() for word in SECRET_WORDS):
                raise WorkspaceError(
                    f"secrets do not belong in dataward.toml ({name})",
                    str(path),
                    "remove it; dataward reads secrets from DATAWARD_* environment variables "
                    "(an env file of mode 600) or the key file",
                )
            if table not in KNOWN_SETTINGS or (key and key not in KNOWN_SETTINGS[table]):
                known = ", ".join(f"{t}.{k}" for t, ks in KNOWN_SETTINGS.items() for k in ks)
                raise WorkspaceError(
                    f"unknown setting {name}", str(path), f"remove it (known: {known})"
                )
    database = data.get("database")
    url = database.get("url") if isinstance(database, dict) else None
    if isinstance(url, str) and url_has_password(url):
        raise WorkspaceError(
            "dataward.toml holds a database password (database.url)",
            str(path),
            "remove it from the URL; give it in DATAWARD_DATABASE_URL (an env file of mode 600) "
            "or in the service user's ~/.pgpass",
        )


def _read_toml(path: Path) -> dict[str, object]:
    """Parse a TOML file, turning every failure into a one-line WorkspaceError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise WorkspaceError(
            f"workspace has no {CONFIG_NAME}", str(path.parent), INIT_HINT
        ) from None
    except PermissionError:
        raise WorkspaceError(
            "permission denied", str(path), "run as the workspace owner or fix its permissions"
        ) from None
    except OSError as exc:
        raise WorkspaceError(f"cannot read ({exc.strerror})", str(path), "check the disk") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WorkspaceError(
            f"not valid TOML ({exc})", str(path), "fix the file or re-create it with dataward init"
        ) from None


def create_layout(root: Path, database_url: str = "") -> WorkspacePaths:
    """Create the workspace folder and its config file, refusing to overwrite one."""
    paths = WorkspacePaths(root)
    if paths.config.exists():
        raise WorkspaceError(
            "a workspace already exists here", str(root), "use it, or choose another --workspace"
        )
    if url_has_password(database_url):
        raise WorkspaceError(
            "the database URL holds a password; it would be written to dataward.toml",
            "--database-url",
            "leave the password out and give the full URL in DATAWARD_DATABASE_URL "
            "(an env file of mode 600) or the password in ~/.pgpass",
        )
    if paths.key.exists():  # never replace a key: without it every fingerprint and seal is lost
        raise WorkspaceError(
            "a workspace key file already exists here but its dataward.toml is missing",
            str(paths.key),
            "restore dataward.toml next to it, or move the key file away before init",
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, stat.S_IRWXU)
        atomic_write(paths.config, CONFIG_TEMPLATE.format(database_url=database_url).encode())
    except PermissionError:
        raise WorkspaceError(
            "permission denied", str(root), "choose a folder you can write to"
        ) from None
    return paths


def atomic_write(path: Path, data: bytes, mode: int = 0o600, durable: bool = True) -> None:
    """Write a file so readers see the old or the new content, never half of it.

    ``durable`` also flushes it to disk before the rename; skip that only for files that may
    lag behind after a power cut (the audit anchor).
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    except OSError as exc:  # name the file the user asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def file_mode(path: Path) -> int:
    """Return the permission bits of a file."""
    return stat.S_IMODE(path.stat().st_mode)
