"""A bad cell or setting is never echoed raw in an importer's error when it looks like data.

Each case writes a real input file whose bad cell holds a value a user could have pasted into
the wrong column (a card number, an e-mail address), runs the real reader, and checks the error
is one line naming the field, shows the cell only by its shape, and never repeats the value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dataward.access.engine.connectors.entra import read_entra
from dataward.devices.engine import policy as devices_policy
from dataward.encryption.engine.endpoints import read_endpoints
from dataward.errors import DatawardError
from dataward.incidents.engine.register import parse_register
from dataward.training.engine import policy as training_policy
from dataward.training.engine.lms import read_completions
from dataward.vendors.engine.register import Known, read_register

CARD = "4111111111111111"
SPACED_CARD = "4111 1111 1111 1111"
EMAIL = "pat.doe@example.com"
TODAY = date(2026, 11, 30)
SIGNIN_HEAD = "Date (UTC),Username,Status,Sign-in error code,Authentication requirement\n"


def _entra_csv(tmp: Path, status: str, code: str) -> None:
    text = f"{SIGNIN_HEAD}2026-11-21T09:00:00Z,bob@contoso.example,{status},{code},"
    (tmp / "signins.csv").write_text(text + "Multifactor authentication\n", encoding="utf-8")
    read_entra([tmp / "signins.csv"])


def _entra_json(tmp: Path, code: str) -> None:
    record = {
        "userPrincipalName": "bob@contoso.example",
        "createdDateTime": "2026-11-21T09:00:00Z",
        "status": {"errorCode": code},
    }
    (tmp / "signins.json").write_text(json.dumps({"value": [record]}), encoding="utf-8")
    read_entra([tmp / "signins.json"])


def _endpoints(tmp: Path, protocol: str) -> None:
    (tmp / "endpoints.csv").write_text(f"host,port,protocol\napi.example.net,443,{protocol}\n")
    read_endpoints(tmp / "endpoints.csv")


def _lms(tmp: Path, status: str) -> None:
    text = f"employee_id,course,completed_on,status\nE1,SAT,2026-01-01,{status}\n"
    (tmp / "lms.csv").write_text(text)
    read_completions(tmp / "lms.csv", today=TODAY)


def _vendors(tmp: Path, tier: str) -> None:
    (tmp / "vendors.csv").write_text(f"name,declared_tier\nNimbus CX,{tier}\n")
    read_register(tmp / "vendors.csv", Known(frozenset({"northbank"}), frozenset()), TODAY)


def _training(tmp: Path, text: str) -> None:
    base = "courses: [{code: sat, title: Awareness}]\nrequirements: [{course: sat}]\n"
    (tmp / "training.yaml").write_text(base + text)
    training_policy.load_policy(tmp / "training.yaml", {"northbank"})


def _devices(tmp: Path, text: str) -> None:
    (tmp / "devices.yaml").write_text(text)
    devices_policy.load_policy(tmp / "devices.yaml", {"northbank"})


def _incidents(tmp: Path, field: str, value: str) -> None:
    entry = {"id": "R-1", "title": "Lost bag", "severity": "low"}
    entry |= {"detected_at": "2026-10-01T10:00Z", field: value}
    path = tmp / "register.json"
    path.write_text(json.dumps({"schema": "dataward-incident-register/1", "incidents": [entry]}))
    parse_register(path.read_text(), str(path), datetime(2026, 11, 1, tzinfo=UTC))


Case = tuple[Callable[[Path], None], str, str]
CASES: list[Case] = [
    (lambda t: _entra_csv(t, SPACED_CARD, "0"), "'status'", SPACED_CARD),
    (lambda t: _entra_csv(t, "", EMAIL), "'error_code'", EMAIL),
    (lambda t: _entra_json(t, CARD + "x"), "'status.errorCode'", CARD),
    (lambda t: _endpoints(t, EMAIL), "'protocol'", EMAIL),
    (lambda t: _lms(t, CARD), "'status'", CARD),
    (lambda t: _vendors(t, EMAIL), "'declared_tier'", EMAIL),
    (lambda t: _training(t, f"phishing: {{team: {EMAIL}}}\n"), "phishing.team", EMAIL),
    (lambda t: _training(t, f"phishing: {{min_sample: {CARD}x}}\n"), "min_sample", CARD),
    (lambda t: _devices(t, f"default: {{usb_storage: {CARD}}}\n"), "usb_storage", CARD),
    (lambda t: _devices(t, f"default: {{firewall: {EMAIL}}}\n"), "firewall", EMAIL),
    (lambda t: _incidents(t, "severity", SPACED_CARD), "'severity'", SPACED_CARD),
    (lambda t: _incidents(t, "status", EMAIL), "'status'", EMAIL),
    (lambda t: _incidents(t, "occurred_at", CARD), "'occurred_at'", CARD),
]


def _failure(run: Callable[[Path], None], tmp: Path) -> str:
    with pytest.raises(DatawardError) as caught:
        run(tmp)
    return caught.value.line()


@pytest.mark.parametrize(("run", "field", "secret"), CASES)
def test_a_sensitive_looking_cell_is_shown_by_its_shape_only(
    tmp_path: Path, run: Callable[[Path], None], field: str, secret: str
) -> None:
    line = _failure(run, tmp_path)
    assert "\n" not in line
    assert field in line, line
    assert "looks like" in line, line
    for raw in (secret, secret.replace(" ", ""), "4111", "pat.doe"):
        assert raw not in line, line


@pytest.mark.parametrize(
    ("run", "field", "word"),
    [
        (lambda t: _lms(t, "graded"), "'status'", "'graded'"),
        (lambda t: _endpoints(t, "ftp"), "'protocol'", "'ftp'"),
        (lambda t: _devices(t, "default: {usb_storage: allowed}\n"), "usb_storage", "'allowed'"),
    ],
)
def test_a_short_harmless_word_is_still_quoted_so_the_user_can_find_it(
    tmp_path: Path, run: Callable[[Path], None], field: str, word: str
) -> None:
    line = _failure(run, tmp_path)
    assert "\n" not in line
    assert field in line, line
    assert word in line, line
