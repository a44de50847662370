"""Store sensitive text fields encrypted with the workspace key (AES-GCM)."""

from __future__ import annotations

from typing import Any

from django.db import models

from dataward.runtime import current_keyring


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text field kept encrypted at rest and bound to its model and field name."""

    def context(self) -> str:
        """Return the associated data that binds a ciphertext to this field."""
        return f"{self.model._meta.label}.{self.name}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        """Decrypt a stored value."""
        if value in (None, ""):
            return value  # type: ignore[no-any-return]
        return current_keyring().decrypt(value, self.context())  # type: ignore[no-any-return]

    def get_prep_value(self, value: Any) -> Any:
        """Encrypt a value before it is stored."""
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return current_keyring().encrypt(value, self.context())
