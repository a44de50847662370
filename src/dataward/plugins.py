"""Declare dataward's extension points and load built-in and third-party plug-ins alike."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer

hookspec = pluggy.HookspecMarker("dataward")
hookimpl = pluggy.HookimplMarker("dataward")


class Hookspecs:
    """The hooks a dataward package or a third-party plug-in may implement."""

    @hookspec
    def django_apps(self) -> Iterable[str]:  # type: ignore[empty-body]
        """Return the dotted paths of Django apps this plug-in adds."""

    @hookspec
    def django_settings(self) -> dict[str, Any]:  # type: ignore[empty-body]
        """Return Django settings this plug-in needs (e.g. the web UI's middleware and URLs)."""

    @hookspec
    def register_commands(self, cli: typer.Typer) -> None:
        """Add command groups to the ``dataward`` command."""

    @hookspec
    def register_checks(self, register: Callable[[str], None]) -> None:
        """Call ``register(module_path)`` for every module that defines checks."""

    @hookspec
    def workspace_readers(self) -> dict[str, Callable[..., Any]]:  # type: ignore[empty-body]
        """Return named readers that give checks client-scoped data from the workspace."""

    @hookspec
    def refresh_live_data(self, ws: Any, client: Any, max_age_days: int) -> None:
        """Before an assessment with --refresh, re-collect live data older than max_age_days.

        For example the encryption package re-checks the client's TLS endpoints. Checks
        themselves never touch the network; this hook is where such collection happens.
        """

    @hookspec
    def assessment_completed(
        self, ws: Any, client: Any, assessment: int, outcomes: list[Any]
    ) -> None:
        """React to a stored assessment, e.g. raise or update one risk per failing control.

        ``outcomes`` are the runner's Outcome rows with exceptions applied.
        """

    @hookspec
    def obligations(self, ws: Any, today: date) -> Iterable[Any]:  # type: ignore[empty-body]
        """Return the ``Obligation`` rows (core/engine/obligations.py) this package keeps.

        Only records the acting user may view; every dated duty, whether due or not.
        """

    @hookspec
    def demo_import(self, ctx: Any) -> None:
        """Import the parts of the demo estate this package understands into the workspace."""

    @hookspec
    def demo_finish(self, ctx: Any) -> None:
        """Finish the demo after every client was assessed (e.g. write the reports)."""

    @hookspec
    def demo_verify(self, ctx: Any) -> Iterable[Any]:  # type: ignore[empty-body]
        """Return ``AreaOutcome`` rows comparing what this package raised with the manifest."""


def builtin_packages() -> list[str]:
    """Return the dotted names of dataward's own packages, found by walking the folder."""
    import dataward

    return sorted(
        f"dataward.{info.name}"
        for info in pkgutil.iter_modules(dataward.__path__)
        if info.ispkg and not info.name.startswith("_")
    )


@cache
def manager() -> pluggy.PluginManager:
    """Return the plug-in manager with every built-in package and installed plug-in."""
    pm = pluggy.PluginManager("dataward")
    pm.add_hookspecs(Hookspecs)
    # pluggy calls the last registered first; register in reverse so hooks run core first, then
    # the other packages alphabetically (core's demo_import creates the clients others scan).
    packages = builtin_packages()
    order = [p for p in packages if p == "dataward.core"] + [
        p for p in packages if p != "dataward.core"
    ]
    for package in reversed(order):
        try:
            module = importlib.import_module(f"{package}.plugin")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.plugin":
                raise
            continue
        pm.register(module, name=package)
    pm.load_setuptools_entrypoints("dataward")
    return pm


def hook() -> Any:
    """Return the hook relay of the plug-in manager."""
    return manager().hook


def walk_modules(package: str) -> list[str]:
    """Return every module path inside a package folder, so no list is kept by hand."""
    try:
        pkg = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name != package:
            raise
        return []
    return sorted(
        f"{package}.{info.name}"
        for info in pkgutil.iter_modules(pkg.__path__)
        if not info.name.startswith("_")
    )
