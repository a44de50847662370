"""Register the web package as a Django app."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The dashboard, its sign-in and the API tokens."""

    name = "dataward.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"
