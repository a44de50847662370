"""The TLS judge on facts the loopback servers cannot produce: weak groups, keys, SHA-1, bugs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dataward.encryption.engine.endpoints import Endpoint, endpoint_status
from dataward.encryption.engine.hostname import names_host
from dataward.encryption.engine.profile import intermediate
from dataward.encryption.engine.sslyze_json import SslyzeOutputError, connection_error, parse
from dataward.encryption.engine.tls_facts import CertFacts, TlsFacts
from dataward.encryption.engine.tls_judge import judge, verdict

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
LEAF = CertFacts(
    subject="CN=api.example.com",
    issuer="CN=Example CA",
    not_before=NOW - timedelta(days=10),
    not_after=NOW + timedelta(days=80),
    dns_names=("api.example.com",),
    key_type="EC",
    key_bits=256,
    signature="ecdsa-with-SHA256",
    signature_hash="sha256",
)
GOOD = TlsFacts(
    host="api.example.com",
    port=443,
    checked_at=NOW,
    protocols={"TLSv1.2": ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",), "TLSv1.3": ()},
    ecdh_bits=256,
    curves=("X25519", "secp256r1"),
    chain=(LEAF,),
    trusted_by=("Mozilla",),
    http="https",
    hsts_max_age=31536000,
)

# what changes from the good endpoint, and the finding codes expected
CASES = [
    ({}, set()),
    ({"dh_bits": 1024}, {"weak_key_exchange"}),
    ({"curves": ("secp224r1", "X25519")}, {"weak_key_exchange"}),
    ({"vulnerabilities": ("Heartbleed", "ROBOT")}, {"vulnerable"}),
    ({"not_tested": ("ROBOT",)}, {"incomplete"}),
    ({"chain_has_sha1": True}, {"weak_signature"}),
    ({"chain": (replace(LEAF, key_type="RSA", key_bits=1024),)}, {"weak_certificate_key"}),
    ({"chain": (replace(LEAF, not_after=NOW + timedelta(days=400)),)}, {"certificate_lifespan"}),
    (
        {"chain": (replace(LEAF, not_before=NOW + timedelta(days=1)),)},
        {"certificate_not_yet_valid"},
    ),
    ({"chain": (replace(LEAF, dns_names=("*.example.com",)),)}, set()),
    ({"chain": (replace(LEAF, dns_names=("*.api.example.com",)),)}, {"hostname_mismatch"}),
    ({"protocols": {"TLSv1.3": ("TLS_AES_128_CCM_SHA256",)}}, {"cipher_not_allowed"}),
    (
        {"protocols": {"SSLv3": ("TLS_RSA_WITH_RC4_128_SHA",), "TLSv1.2": ()}},
        {"protocol_not_allowed"},
    ),
    ({"hsts_max_age": 0}, {"hsts_too_short"}),
    ({"trusted_by": (), "trust_error": "untrusted"}, {"certificate_untrusted"}),
    # the chain fails only because an intermediate expired: reported as untrusted, with why
    ({"trusted_by": (), "trust_error": "expired"}, {"certificate_untrusted"}),
    ({"error": "the connection timed out"}, {"unreachable"}),
]


@pytest.mark.parametrize(("change", "codes"), CASES)
def test_one_finding_per_problem(change: dict[str, object], codes: set[str]) -> None:
    findings = judge(replace(GOOD, **change), intermediate(), NOW)  # type: ignore[arg-type]
    assert {f.code for f in findings} == codes


def test_a_second_certificate_deployment_is_judged_too() -> None:
    rsa = replace(LEAF, key_type="RSA", key_bits=1024, dns_names=("other.example.com",))
    findings = judge(replace(GOOD, other_leaves=(rsa,)), intermediate(), NOW)
    assert {f.code for f in findings} == {"weak_certificate_key", "hostname_mismatch"}


def test_expiry_warning_window_is_configurable() -> None:
    soon = replace(GOOD, chain=(replace(LEAF, not_after=NOW + timedelta(days=20)),))
    assert verdict(judge(soon, intermediate(), NOW)) == "warning"
    assert judge(soon, intermediate(), NOW, expiry_warning_days=7) == []


HOSTS = [
    ("api.example.com", ("api.example.com",), (), True),
    ("API.Example.com.", ("api.example.com",), (), True),
    ("a.example.com", ("*.example.com",), (), True),
    ("a.b.example.com", ("*.example.com",), (), False),
    ("example.com", ("*.example.com",), (), False),
    ("example.com", ("*.com",), (), False),
    ("127.0.0.1", ("localhost",), ("127.0.0.1",), True),
    ("127.0.0.1", ("127.0.0.1",), (), False),  # an address must be an IP entry, not a DNS one
    ("::1", (), ("0:0:0:0:0:0:0:1",), True),
    ("10.0.0.1", (), ("10.0.0.2",), False),
]


@pytest.mark.parametrize(("host", "dns", "ips", "ok"), HOSTS)
def test_host_names(host: str, dns: tuple[str, ...], ips: tuple[str, ...], ok: bool) -> None:
    assert names_host(host, dns, ips) is ok


ENDPOINT = Endpoint("api.example.com", 443)


def test_never_checked_is_a_warning_naming_the_command() -> None:
    state = endpoint_status(ENDPOINT, None, intermediate(), NOW, client="acme")
    assert state.status == "warning"
    assert "dataward tls check api.example.com:443 --client acme" in state.summary


def test_old_and_unreachable_results_warn_and_failing_ones_fail_at_any_age() -> None:
    old = replace(GOOD, checked_at=NOW - timedelta(days=45))
    assert endpoint_status(ENDPOINT, old, intermediate(), NOW).status == "warning"
    assert endpoint_status(ENDPOINT, old, intermediate(), NOW, max_age_days=60).status == "pass"
    bad = replace(old, hsts_max_age=None)
    assert endpoint_status(ENDPOINT, bad, intermediate(), NOW).status == "fail"
    down = replace(GOOD, error="the server refused the connection")
    state = endpoint_status(ENDPOINT, down, intermediate(), NOW)
    assert state.status == "warning"
    assert "refused" in state.summary


def test_a_tls_endpoint_is_not_held_to_hsts() -> None:
    plain = replace(GOOD, http="no", hsts_max_age=None)
    tls = Endpoint("api.example.com", 443, protocol="tls")
    assert endpoint_status(tls, plain, intermediate(), NOW).status == "pass"
    assert endpoint_status(ENDPOINT, plain, intermediate(), NOW).status == "warning"


def test_connection_errors_are_short() -> None:
    trace = (
        'Traceback...\nsslyze.errors.ServerRejectedConnection: 1.2.3.4:1 -> "Server rejected".\n'
    )
    assert connection_error(trace) == "the server refused the connection"
    odd = 'x\nsslyze.errors.SomethingNew: h:1 -> "It broke badly".\n'
    assert connection_error(odd) == "It broke badly"
    assert connection_error(None) == "the connection failed"


def test_unresolvable_targets_become_errors_and_junk_is_refused() -> None:
    doc = {
        "server_scan_results": [],
        "invalid_server_strings": [
            {"server_string": "nowhere.invalid:443", "error_message": "Could not resolve hostname"}
        ],
    }
    [facts] = parse(doc, NOW)
    assert (facts.host, facts.port, facts.error) == (
        "nowhere.invalid",
        443,
        "the host name could not be resolved",
    )
    with pytest.raises(SslyzeOutputError):
        parse({"something": "else"}, NOW)
    with pytest.raises(SslyzeOutputError):
        parse({"server_scan_results": [{"server_location": {}}]}, NOW)
