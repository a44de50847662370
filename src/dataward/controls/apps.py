"""Register the controls package as a Django app."""

from django.apps import AppConfig


class ControlsConfig(AppConfig):
    """Assessments and check results."""

    name = "dataward.controls"
    label = "controls"
    verbose_name = "dataward controls"
