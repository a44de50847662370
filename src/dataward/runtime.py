"""Configure Django for one workspace and switch between workspaces in one process."""

from __future__ import annotations

import contextlib
from typing import Any

import dj_database_url
import django
from django.conf import settings

from dataward.core.engine.workspace import WorkspaceConfig
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


def database_settings(config: WorkspaceConfig) -> dict[str, Any]:
    """Return Django's database settings for the workspace's URL."""
    if config.is_sqlite:  # a path, not a URL: '#' or '%' in a folder name must not be parsed
        db: dict[str, Any] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": config.database_url.removeprefix("sqlite:///"),
        }
    else:
        db = dict(dj_database_url.parse(config.database_url, conn_max_age=0))
    if db["ENGINE"].endswith("sqlite3"):
        db["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        db.setdefault("OPTIONS", {})
        db["OPTIONS"].setdefault("connect_timeout", 5)
    return db


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
    from django.db import connections

    connections.close_all()
    settings.DATABASES = {"default": db}
    settings.SECRET_KEY = secret_key
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
