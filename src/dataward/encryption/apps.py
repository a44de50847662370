"""Register the encryption package as a Django app."""

from django.apps import AppConfig


class EncryptionConfig(AppConfig):
    """TLS endpoints and scan history, transfer channels, and the at-rest register."""

    name = "dataward.encryption"
    label = "encryption"
    verbose_name = "dataward encryption"
