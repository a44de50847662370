"""Define the one error type users see: what went wrong, where, and what to do next."""

from __future__ import annotations


class DatawardError(Exception):
    """Report a problem the user can fix, as one line naming the place and the fix."""

    exit_code = 2

    def __init__(self, what: str, where: str | None = None, hint: str | None = None) -> None:
        self.what = what
        self.where = where
        self.hint = hint
        super().__init__(self.line())

    def line(self) -> str:
        """Return the single line shown to the user."""
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text}; {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, str | None]:
        """Return the error as the API's ``{code, message, where}`` shape."""
        return {"code": type(self).__name__, "message": self.line(), "where": self.where}


class WorkspaceError(DatawardError):
    """Report a missing, unreadable or corrupt workspace."""


class KeyringError(DatawardError):
    """Report a missing, malformed or wrong workspace key."""


class PermissionDeniedError(DatawardError):
    """Report an action the acting user's role or client scope does not allow."""


class UnscopedQueryError(DatawardError):
    """Report a read of client-owned records that was not scoped to a client."""


class ImportFileError(DatawardError):
    """Report a bad import file, naming the file, row and field at fault."""
