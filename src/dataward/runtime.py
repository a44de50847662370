"""Configure Django for one workspace and switch between workspaces in one process."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import Any

import dj_database_url
import django
from django.conf import settings

from dataward.core.engine.workspace import WorkspaceConfig
from dataward.errors import DatawardError
from dataward.plugins import hook

PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}", "OPTIONS": options}
    for name, options in (
        ("UserAttributeSimilarityValidator", {}),
        ("MinimumLengthValidator", {"min_length": 12}),
        ("CommonPasswordValidator", {}),
        ("NumericPasswordValidator", {}),
    )
]
#: Seconds a web request waits for a free pooled connection before it fails.
POOL_TIMEOUT = 10


def database_settings(
    config: WorkspaceConfig, env: Mapping[str, str] | None = None, *, serving: bool = False
) -> dict[str, Any]:
    """Return Django's database settings for the workspace's URL.

    On PostgreSQL the DATAWARD_DB_* variables are read (and checked) here. ``serving`` marks a
    long-lived `dataward serve` worker: only there do a pool, persistent connections and the
    statement timeout apply, as a CLI command holds its one connection for its whole life.
    """
    if config.is_sqlite:  # a path, not a URL: '#' or '%' in a folder name must not be parsed
        db: dict[str, Any] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": config.database_url.removeprefix("sqlite:///"),
        }
    else:
        db = _parse_url(config, dict(os.environ if env is None else env))
    if db["ENGINE"].endswith("sqlite3"):
        db["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        return db
    options = db.setdefault("OPTIONS", {})  # the URL's query (sslmode, sslrootcert...) is here
    options.setdefault("connect_timeout", 5)
    options.setdefault("application_name", "dataward web" if serving else "dataward cli")
    db.update(_postgres_production(dict(os.environ if env is None else env), options, serving))
    return db


#: libpq connection parameters a database URL's query may carry (TLS, socket, naming, timeouts).
LIBPQ_PARAMETERS = frozenset({
    "application_name", "channel_binding", "client_encoding", "connect_timeout",
    "fallback_application_name", "gssencmode", "gsslib", "host", "hostaddr", "keepalives",
    "keepalives_count", "keepalives_idle", "keepalives_interval", "krbsrvname",
    "load_balance_hosts", "options", "passfile", "port", "require_auth", "service", "sslcert",
    "sslcompression", "sslcrl", "sslcrldir", "sslkey", "sslmode", "sslpassword", "sslrootcert",
    "sslsni", "ssl_max_protocol_version", "ssl_min_protocol_version", "target_session_attrs",
    "tcp_user_timeout",
})  # fmt: skip
#: Settings some write into a database URL that dataward takes from a variable instead.
URL_SETTINGS = {
    "pool": "DATAWARD_DB_POOL",
    "conn_max_age": "DATAWARD_DB_CONN_MAX_AGE",
    "conn_health_checks": "DATAWARD_DB_CONN_MAX_AGE",
    "statement_timeout": "DATAWARD_DB_STATEMENT_TIMEOUT",
    "pgbouncer": "DATAWARD_DB_PGBOUNCER",
    "pool_mode": "DATAWARD_DB_PGBOUNCER",
}


def _parse_url(config: WorkspaceConfig, env: Mapping[str, str]) -> dict[str, Any]:
    """Parse a PostgreSQL URL; its query may hold libpq parameters only, each once."""
    where = (
        "DATAWARD_DATABASE_URL"
        if env.get("DATAWARD_DATABASE_URL") == config.database_url
        else f"{config.paths.config} (database.url)"
    )
    try:
        db: dict[str, Any] = dict(dj_database_url.parse(config.database_url, conn_max_age=0))
    except ValueError:  # a port that is no number, an unclosed [IPv6 address] (no value echoed)
        raise DatawardError(
            "the database URL cannot be parsed",
            where,
            "write postgresql://USER@HOST:PORT/NAME, with %-escapes for special characters",
        ) from None
    options = db.setdefault("OPTIONS", {})
    for name, value in list(options.items()):
        shown = repr(name[:40])
        if name.lower() in URL_SETTINGS:
            raise DatawardError(
                f"{shown} in the database URL is not read by dataward",
                where,
                f"remove it and set {URL_SETTINGS[name.lower()]} instead",
            )
        if name not in LIBPQ_PARAMETERS:
            raise DatawardError(
                f"{shown} in the database URL is not a libpq connection parameter dataward accepts",
                where,
                "remove it; for pooling and timeouts set DATAWARD_DB_POOL, "
                "DATAWARD_DB_CONN_MAX_AGE or DATAWARD_DB_STATEMENT_TIMEOUT",
            )
        if isinstance(value, list):
            raise DatawardError(
                f"{shown} is given more than once in the database URL", where, "keep one"
            )
        if isinstance(value, bool):  # dj-database-url read "true"/"false"; libpq wants text
            options[name] = str(value).lower()
    return db


def _postgres_production(
    env: dict[str, str], options: dict[str, Any], serving: bool
) -> dict[str, Any]:
    """Check the DATAWARD_DB_* variables; apply them to a serving process's settings."""
    pool = _pool(env.get("DATAWARD_DB_POOL", "").strip())
    max_age = _whole(env, "DATAWARD_DB_CONN_MAX_AGE", "seconds, e.g. 300")
    timeout = _whole(env, "DATAWARD_DB_STATEMENT_TIMEOUT", "milliseconds, e.g. 60000")
    bouncer = _pgbouncer(env.get("DATAWARD_DB_PGBOUNCER", "").strip().lower())
    if pool and max_age:
        raise DatawardError(
            "DATAWARD_DB_POOL and DATAWARD_DB_CONN_MAX_AGE are both set",
            "DATAWARD_DB_CONN_MAX_AGE",
            "unset one: a pool already keeps its connections open",
        )
    if bouncer and timeout:
        raise DatawardError(
            "PgBouncer does not pass a statement timeout given at connection",
            "DATAWARD_DB_STATEMENT_TIMEOUT",
            "unset it and set the timeout on the role: ALTER ROLE ... SET statement_timeout = ...",
        )
    if not serving:
        return {}
    if timeout:
        options["options"] = f"{options.get('options', '')} -c statement_timeout={timeout}".strip()
    if pool:
        options["pool"] = pool
        return {"CONN_HEALTH_CHECKS": True}  # the pool checks a connection before lending it
    if max_age:
        return {"CONN_MAX_AGE": max_age, "CONN_HEALTH_CHECKS": True}
    return {}


def _pool(text: str) -> dict[str, int] | None:
    """Return psycopg-pool's sizes for DATAWARD_DB_POOL=MIN:MAX (or MAX, with MIN 1)."""
    if not text:
        return None
    low, sep, high = text.partition(":")
    if not sep:
        low, high = "1", text
    if not (_digits(low) and _digits(high) and int(low) <= int(high) and 1 <= int(high) <= 100):
        raise DatawardError(
            f"{text[:40]!r} is not a pool size",
            "DATAWARD_DB_POOL",
            "write MIN:MAX connections per web worker (0 <= MIN <= MAX <= 100), e.g. 1:4, or MAX",
        )
    return {"min_size": int(low), "max_size": int(high), "timeout": POOL_TIMEOUT}


def _whole(env: dict[str, str], name: str, unit: str) -> int:
    """Return a variable's whole number (0 when unset), or fail naming it."""
    text = env.get(name, "").strip()
    if not text:
        return 0
    if not _digits(text) or int(text) > 10**9:
        raise DatawardError(
            f"{text[:40]!r} is not a whole number up to 1000000000", name, f"write {unit}, or 0"
        )
    return int(text)


def _digits(text: str) -> bool:
    """Return True for 1 to 18 ASCII digits: int() of longer text is slow or refused."""
    return 0 < len(text) <= 18 and text.isascii() and text.isdigit()


def _pgbouncer(mode: str) -> str:
    """Return the PgBouncer pool mode in front of the database ('' when there is none)."""
    if mode in ("", "session"):
        return mode
    if mode in ("transaction", "statement"):
        raise DatawardError(
            f"PgBouncer {mode} pooling is not supported",
            "DATAWARD_DB_PGBOUNCER",
            "scans hold session advisory locks across transactions; use pool_mode = session "
            "for dataward's database, or connect to PostgreSQL directly",
        )
    raise DatawardError(
        f"{mode[:40]!r} is not a PgBouncer pool mode",
        "DATAWARD_DB_PGBOUNCER",
        "write session (transaction pooling is not supported), or unset it",
    )


def installed_apps() -> list[str]:
    """Return Django's apps: contrib, then every dataward package with models, then plug-ins."""
    apps = ["django.contrib.contenttypes", "django.contrib.auth"]
    for extra in hook().django_apps():
        apps.extend(a for a in extra if a not in apps)
    return apps


def extra_settings() -> dict[str, Any]:
    """Return the settings every package asks for (the web package's middleware, URLs, ...)."""
    merged: dict[str, Any] = {}
    for extra in reversed(hook().django_settings()):  # core first, as apps are ordered
        merged.update(extra)
    return merged


def activate(config: WorkspaceConfig, secret_key: str) -> None:
    """Point Django at this workspace's database, configuring Django on first use."""
    db = database_settings(config)
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY=secret_key,
            DATABASES={"default": db},
            INSTALLED_APPS=installed_apps(),
            AUTH_USER_MODEL="core.User",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"],
            AUTH_PASSWORD_VALIDATORS=PASSWORD_VALIDATORS,
            USE_TZ=True,
            TIME_ZONE="UTC",
            DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
            LOGGING_CONFIG=None,
            **extra_settings(),
        )
        django.setup()
        return
    _switch(db)
    settings.SECRET_KEY = secret_key


def serve_database(config: WorkspaceConfig) -> None:
    """Close every connection and use the serving settings (pool, persistent connections).

    `dataward serve` calls this before gunicorn forks: each worker then opens its own pool on
    its first request, as a pool's connections and threads cannot cross a fork.
    """
    _switch(database_settings(config, serving=True))


def close_database() -> None:
    """Close this process's connections and its pool, if it has one."""
    from django.db import connections

    connections.close_all()
    default = connections["default"]
    if default.vendor == "postgresql" and default.settings_dict.get("OPTIONS", {}).get("pool"):
        default.close_pool()  # type: ignore[attr-defined]


def _switch(db: dict[str, Any]) -> None:
    from django.db import connections

    close_database()
    settings.DATABASES = {"default": db}
    connections.settings = connections.configure_settings({"default": db})
    with contextlib.suppress(AttributeError):
        del connections["default"]


class _State:
    """Hold the open workspace's keyring for fields that encrypt on save."""

    keyring: Any = None


state = _State()


def current_keyring() -> Any:
    """Return the keyring of the open workspace, or fail if none is open."""
    if state.keyring is None:
        from dataward.errors import KeyringError

        raise KeyringError("no workspace is open", "keyring", "open a workspace first")
    return state.keyring
