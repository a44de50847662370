"""Register the devices package as a Django app."""

from django.apps import AppConfig


class DevicesConfig(AppConfig):
    """Device inventories, their posture history and the device policy."""

    name = "dataward.devices"
    label = "devices"
    verbose_name = "dataward devices"
