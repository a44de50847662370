"""Give mypy's Django plugin a settings module; the real settings are built at run time."""

from dataward.runtime import extra_settings, installed_apps

SECRET_KEY = "typecheck-only"  # noqa: S105 - never used to run dataward
INSTALLED_APPS = installed_apps()  # every package that offers a Django app, as at run time
AUTH_USER_MODEL = "core.User"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
globals().update(extra_settings())  # the web UI's middleware, URLs, templates, ...
