"""Register the incidents package as a Django app."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    """Incidents, their impact per client, timeline, notification clocks and playbook tasks."""

    name = "dataward.incidents"
    label = "incidents"
    verbose_name = "dataward incidents"
