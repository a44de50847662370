"""The checks registry: validated metadata, a runner that survives raising checks, stored runs."""

from __future__ import annotations

import json
import sys
import types
from datetime import UTC, datetime

import pytest

from dataward.controls.engine.registry import (
    CheckDefinitionError,
    Registry,
    Result,
    Status,
    check,
)
from dataward.controls.engine.runner import run_checks
from dataward.controls.models import Assessment, CheckResult
from dataward.controls.store import registry
from dataward.core import clients
from dataward.core.engine.clients import ClientSpec

GOOD = {
    "title": "Something holds",
    "severity": "high",
    "risk": "Bad things.",
    "remediation": "Fix it.",
}


def _module(name: str, **fns: object) -> str:
    """Install a throwaway module holding the given functions and return its path."""
    module = types.ModuleType(name)
    for attr, fn in fns.items():
        setattr(module, attr, fn)
    sys.modules[name] = module
    return name


def _make(check_id: str, fn_name: str | None = None, **meta: str):  # type: ignore[no-untyped-def]
    def fn(view):  # type: ignore[no-untyped-def]
        yield Result(Status.PASS, "x", "ok")

    fn.__name__ = fn_name or check_id
    return check(id=check_id, **{**GOOD, **meta})(fn)


@pytest.mark.parametrize(
    ("check_id", "fn_name", "module", "meta", "problem"),
    [
        ("Bad-Id", None, "pkg.Bad-Id", {}, "lowercase words"),
        ("core_ok_id", "other_name", "pkg.core_ok_id", {}, "function name"),
        ("core_ok_id", None, "pkg.elsewhere", {}, "module file name"),
        ("core_ok_id", None, "pkg.core_ok_id", {"severity": "urgent"}, "severity"),
        ("core_ok_id", None, "pkg.core_ok_id", {"title": ""}, "title"),
        ("core_ok_id", None, "pkg.core_ok_id", {"risk": " "}, "risk and remediation"),
        ("core_ok_id", None, "pkg.core_ok_id", {"scope": "galaxy"}, "scope"),
    ],
)
def test_bad_metadata_is_refused(check_id, fn_name, module, meta, problem) -> None:
    fn = _make(check_id, fn_name, **meta)
    path = _module(module, fn=fn)
    with pytest.raises(CheckDefinitionError, match=problem) as info:
        Registry().load(path)
    assert module in info.value.line()


def test_duplicate_ids_are_refused() -> None:
    first = _module("pkg_a.dup_check_id", fn=_make("dup_check_id"))
    second = _module("pkg_b.dup_check_id", fn=_make("dup_check_id"))
    reg = Registry()
    reg.load(first)
    with pytest.raises(CheckDefinitionError, match="registered twice"):
        reg.load(second)


class _View:
    def __init__(self) -> None:
        self.client = ClientSpec(slug="acme", name="Acme")
        self.is_operation = False
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def read(self, name: str) -> object:
        raise AssertionError(name)


def test_runner_records_a_raising_check_as_error_and_goes_on() -> None:
    def boom_check_raises(view):  # type: ignore[no-untyped-def]
        secret = "4111111111111111"
        raise ValueError(f"bad value {secret}")

    def fine_check_passes(view):  # type: ignore[no-untyped-def]
        yield Result(Status.PASS, "acme", "fine")

    def empty_check_nothing(view):  # type: ignore[no-untyped-def]
        return []

    reg = Registry()
    for fn in (boom_check_raises, fine_check_passes, empty_check_nothing):
        reg.load(_module(f"pkg.{fn.__name__}", fn=check(id=fn.__name__, **GOOD)(fn)))
    outcomes = {o.check_id: o for o in run_checks(reg.for_scope("client"), _View())}
    assert outcomes["boom_check_raises"].status is Status.ERROR
    assert "ValueError" in outcomes["boom_check_raises"].summary
    assert "4111" not in outcomes["boom_check_raises"].summary
    assert outcomes["fine_check_passes"].status is Status.PASS
    assert outcomes["empty_check_nothing"].status is Status.NOT_APPLICABLE


def test_every_installed_check_has_valid_metadata() -> None:
    reg = registry()
    assert {
        "core_audit_chain_intact",
        "core_workspace_key_file_private",
        "core_client_contract_terms_complete",
    } <= set(reg.checks)
    for registered in reg.checks.values():
        assert registered.meta.scope in ("client", "operation", "any")


def test_assess_stores_results_and_honours_fail_on(ws, cli) -> None:
    root = str(ws.paths.root)
    complete = ClientSpec(
        slug="good",
        name="Good",
        data_categories=["PII"],
        frameworks=["GDPR"],
        breach_notification_hours=24,
        retention_rules=[{"category": "PII", "days": 30}],
        approved_locations=["shares/good"],
    )
    clients.add(ws, complete)
    clients.add(ws, ClientSpec(slug="thin", name="Thin", data_categories=["PCI"]))
    result = cli("assess", "-w", root, "-f", "json", "--fail-on", "fail")
    assert result.code == 1
    rows = json.loads(result.out)["results"]
    by_client = {(r["client"], r["check"]): r for r in rows}
    assert by_client[("good", "core_client_contract_terms_complete")]["status"] == "pass"
    thin = by_client[("thin", "core_client_contract_terms_complete")]
    assert thin["status"] == "fail"
    assert thin["summary"] == (
        "thin lacks frameworks, breach-notification deadline, approved data locations, "
        "retention rule for PCI"
    )
    assert by_client[("operation", "core_audit_chain_intact")]["status"] == "pass"
    good_client = clients.get(ws, "good")
    stored = CheckResult.objects.for_client(good_client)
    assert {r.check_id: r.status for r in stored}["core_client_contract_terms_complete"] == "pass"
    # Nothing has been scanned for this client, so the discovery checks have nothing to judge.
    assert {r.status for r in stored if r.check_id.startswith("discovery_")} == {"not_applicable"}
    assert Assessment.objects.unscoped("test").count() == 3
    only = cli("assess", "-w", root, "--client", "good", "-f", "json", "--fail-on", "fail")
    assert only.code == 0
    assert {r["client"] for r in json.loads(only.out)["results"]} == {"good"}
    table = cli("assess", "-w", root)
    assert table.code == 0
    assert "core_client_contract_terms_complete" in table.out


def test_assess_rejects_a_bad_fail_on(ws, cli) -> None:
    result = cli("assess", "-w", str(ws.paths.root), "--fail-on", "sometimes")
    assert result.code == 2
    assert "--fail-on" in result.err
