"""Register checks under stable ids with validated metadata."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from dataward.core.engine.clients import ClientSpec
from dataward.errors import DatawardError

ID_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
SEVERITIES = ("low", "medium", "high", "critical")
SCOPES = ("client", "operation", "any")  # "any": runs for every client and the operation


class Status(StrEnum):
    """The outcome of one check on one subject."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    WARNING = "warning"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"
    EXCEPTED = "excepted"  # a failure or warning covered by a time-boxed exception in force


@dataclass(frozen=True)
class Result:
    """What a check says about one subject, with evidence rows (never raw sensitive values)."""

    status: Status
    subject: str
    summary: str
    evidence: tuple[dict[str, Any], ...] = ()


class WorkspaceView(Protocol):
    """The read-only, client-scoped view of the workspace a check receives."""

    client: ClientSpec
    is_operation: bool
    now: datetime

    def read(self, name: str) -> Any:
        """Return the named data, read for this view's client only."""


CheckFn = Callable[[WorkspaceView], Iterable[Result]]


@dataclass(frozen=True)
class CheckMeta:
    """A check's stable id and the metadata shown to users."""

    id: str
    title: str
    severity: str
    risk: str
    remediation: str
    scope: str = "client"


@dataclass(frozen=True)
class RegisteredCheck:
    """A check function with its metadata."""

    meta: CheckMeta
    fn: CheckFn


class CheckDefinitionError(DatawardError):
    """Report a check whose metadata is invalid, naming its module."""


@dataclass
class Registry:
    """Hold checks by id; loading a module registers the checks it defines."""

    checks: dict[str, RegisteredCheck] = field(default_factory=dict)

    def add(self, meta: CheckMeta, fn: CheckFn, module: str) -> None:
        """Validate and add a check, refusing duplicates and bad metadata."""
        validate_meta(meta, fn, module)
        known = self.checks.get(meta.id)
        if known is not None and known.fn is not fn:
            raise CheckDefinitionError(f"check id {meta.id} is registered twice", module, "rename")
        self.checks[meta.id] = RegisteredCheck(meta, fn)

    def load(self, module_path: str) -> None:
        """Import a module and add every check it defines."""
        module = importlib.import_module(module_path)
        for value in vars(module).values():
            meta = getattr(value, "__dataward_check__", None)
            if isinstance(meta, CheckMeta):
                self.add(meta, value, module_path)

    def for_scope(self, scope: str) -> list[RegisteredCheck]:
        """Return the checks that run for a client or for the operation, by id."""
        return [c for _, c in sorted(self.checks.items()) if c.meta.scope in (scope, "any")]


def check(
    *,
    id: str,  # noqa: A002 - the metadata field is called id everywhere
    title: str,
    severity: str,
    risk: str,
    remediation: str,
    scope: str = "client",
) -> Callable[[CheckFn], CheckFn]:
    """Mark a function as the check with this stable id and metadata."""
    meta = CheckMeta(id, title, severity, risk, remediation, scope)

    def mark(fn: CheckFn) -> CheckFn:
        fn.__dataward_check__ = meta  # type: ignore[attr-defined]
        return fn

    return mark


def validate_meta(meta: CheckMeta, fn: CheckFn, module: str) -> None:
    """Raise CheckDefinitionError when a check's metadata breaks the conventions."""
    problems = []
    if not ID_RE.match(meta.id):
        problems.append("id must be lowercase words joined by underscores")
    if getattr(fn, "__name__", "") != meta.id:
        problems.append("function name must equal the id")
    if module.rsplit(".", 1)[-1] != meta.id:
        problems.append("module file name must equal the id")
    if not meta.title or len(meta.title) > 120:
        problems.append("title must be 1-120 characters")
    if meta.severity not in SEVERITIES:
        problems.append(f"severity must be one of {', '.join(SEVERITIES)}")
    if meta.scope not in SCOPES:
        problems.append(f"scope must be one of {', '.join(SCOPES)}")
    if not meta.risk.strip() or not meta.remediation.strip():
        problems.append("risk and remediation must be given")
    if problems:
        raise CheckDefinitionError(f"check {meta.id}: {problems[0]}", module, "fix the decorator")
