"""Make client scope structural: client-owned rows cannot be read without naming a scope."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, Self

from django.db import models

from dataward.errors import UnscopedQueryError

if TYPE_CHECKING:
    from dataward.core.models import Client


class ScopedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """A queryset that refuses to run until it is scoped to clients (or explicitly unscoped)."""

    _scoped = False

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._scoped = self._scoped
        return clone  # type: ignore[no-any-return]

    def _mark(self) -> Self:
        clone = self._clone()
        clone._scoped = True
        return clone

    def for_client(self, client: Client) -> Self:
        """Return rows belonging to one client."""
        return self.filter(client=client)._mark()

    def for_clients(self, clients: Iterable[Client]) -> Self:
        """Return rows belonging to any of these clients."""
        return self.filter(client__in=list(clients))._mark()

    def unscoped(self, reason: str) -> Self:
        """Return every client's rows; the reason documents why this read is operation-wide."""
        if not reason:
            raise ValueError("an unscoped read needs a reason")
        return self._mark()

    def _combine(self, result: Any, other: Any, both: bool) -> Any:
        """Scope a combined queryset only when its parts are scoped as the operator requires."""
        theirs = bool(getattr(other, "_scoped", False))
        scoped = (self._scoped and theirs) if both else (self._scoped or theirs)
        if not isinstance(result, ScopedQuerySet):
            if not scoped:
                self._guard()  # Django fell back to a plain queryset; refuse rather than leak
            return result
        result._scoped = scoped
        return result

    def __or__(self, other: Any) -> Self:
        return self._combine(super().__or__(other), other, both=True)  # type: ignore[no-any-return]

    def __xor__(self, other: Any) -> Self:
        return self._combine(super().__xor__(other), other, both=True)  # type: ignore[no-any-return]

    def __and__(self, other: Any) -> Self:
        return self._combine(super().__and__(other), other, both=False)  # type: ignore[no-any-return]

    def _combinator_query(self, combinator: str, *other_qs: Any, **kwargs: Any) -> Self:
        clone = super()._combinator_query(combinator, *other_qs, **kwargs)  # type: ignore[misc]
        clone._scoped = self._scoped and all(getattr(q, "_scoped", False) for q in other_qs)
        return clone  # type: ignore[no-any-return]

    def aiterator(self, chunk_size: int = 2000) -> Any:
        """Stream scoped rows asynchronously."""
        self._guard()
        return super().aiterator(chunk_size=chunk_size)

    def raw(self, *args: Any, **kwargs: Any) -> Any:
        """Refuse raw SQL on client-owned rows unless scoped (the SQL must scope itself)."""
        self._guard()
        return super().raw(*args, **kwargs)

    def _guard(self) -> None:
        if not self._scoped:
            raise UnscopedQueryError(
                f"{self.model.__name__} rows were read without a client scope",
                "query",
                "call .for_client(client) or .unscoped(reason)",
            )

    def _fetch_all(self) -> None:
        self._guard()
        super()._fetch_all()

    def count(self) -> int:
        """Count scoped rows."""
        self._guard()
        return super().count()

    def exists(self) -> bool:
        """Tell whether scoped rows exist."""
        self._guard()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Aggregate scoped rows."""
        self._guard()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        """Update scoped rows."""
        self._guard()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete scoped rows."""
        self._guard()
        return super().delete()

    def iterator(self, chunk_size: int | None = None) -> Any:
        """Stream scoped rows."""
        self._guard()
        return super().iterator(chunk_size=chunk_size)


class ClientOwned(models.Model):
    """Base for every record that belongs to one client (or, explicitly, to the operation)."""

    client = models.ForeignKey("core.Client", on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class TimeBoxedException(ClientOwned):
    """Base for approved, dated exceptions (to access rules, to checks): who, why, until when."""

    ref = models.CharField(max_length=32)
    reason = models.TextField()
    approved_by = models.CharField(max_length=150)
    starts = models.DateField()
    ends = models.DateField()
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()

    class Meta:
        abstract = True

    def state(self, today: date) -> str:
        """Return pending, in force or expired on ``today``."""
        return "expired" if self.ends < today else "pending" if self.starts > today else "in force"
