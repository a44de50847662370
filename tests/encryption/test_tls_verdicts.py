"""Verdicts on real TLS servers on loopback, each checked by the real sslyze in its own process.

One server per configuration: a good one (TLS 1.2+, ECDHE with AES-GCM, HSTS) and bad ones
(old protocols, a static-RSA CBC suite, expired, self-signed and wrong-host certificates, HTTPS
without HSTS or with a short one). The test CA is trusted through sslyze's CA-file option.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dataward.encryption.engine.profile import intermediate
from dataward.encryption.engine.tls_facts import from_dict, to_dict
from dataward.encryption.engine.tls_judge import judge, verdict

# configuration, expected verdict, expected finding codes (exactly these: one per problem)
CASES = [
    ("good", "pass", set()),
    ("good_plain_tls", "pass", set()),
    ("old_protocols", "fail", {"protocol_not_allowed"}),
    ("weak_cipher", "fail", {"cipher_not_allowed"}),
    ("expired", "fail", {"certificate_expired"}),
    ("expiring", "warning", {"certificate_expiring"}),
    ("self_signed", "fail", {"certificate_untrusted"}),
    ("wrong_host", "fail", {"hostname_mismatch"}),
    ("no_hsts", "fail", {"hsts_missing"}),
    ("short_hsts", "fail", {"hsts_too_short"}),
    ("closed", "error", {"unreachable"}),
]


@pytest.mark.parametrize(("name", "expected", "codes"), CASES, ids=[c[0] for c in CASES])
def test_each_server_gets_its_verdict(scanned, name: str, expected: str, codes: set[str]) -> None:  # type: ignore[no-untyped-def]
    findings = judge(scanned[name], intermediate(), datetime.now(UTC))
    assert {f.code for f in findings} == codes, findings
    assert verdict(findings) == expected


def test_the_good_server_is_seen_as_it_is(scanned) -> None:  # type: ignore[no-untyped-def]
    good = scanned["good"]
    assert set(good.protocols) == {"TLSv1.2", "TLSv1.3"}
    assert set(good.protocols["TLSv1.2"]) <= set(intermediate().tls12_cipher_suites)
    assert "Supplied CA file" in good.trusted_by
    assert good.ca_file
    assert good.http == "https"
    assert good.hsts_max_age == 63072000
    leaf = good.leaf
    assert leaf is not None
    assert "127.0.0.1" in leaf.ip_addresses
    assert leaf.key_type == "EC"
    assert good.vulnerabilities == ()
    assert good.not_tested == ()


def test_a_plain_tls_service_is_not_judged_for_hsts_unless_declared_https(scanned) -> None:  # type: ignore[no-untyped-def]
    plain = scanned["good_plain_tls"]
    assert plain.http == "no"
    declared = judge(plain, intermediate(), datetime.now(UTC), https=True)
    assert [f.code for f in declared] == ["http_not_tested"]
    assert verdict(declared) == "warning"


def test_an_https_endpoint_declared_tls_skips_hsts(scanned) -> None:  # type: ignore[no-untyped-def]
    assert judge(scanned["no_hsts"], intermediate(), datetime.now(UTC), https=False) == []


def test_old_protocols_name_the_versions_and_their_suites(scanned) -> None:  # type: ignore[no-untyped-def]
    [finding] = judge(scanned["old_protocols"], intermediate(), datetime.now(UTC))
    assert finding.message.startswith("offers only TLS 1.0, TLS 1.1")
    assert set(finding.evidence["protocols"]) == {"TLSv1", "TLSv1.1"}
    assert all(finding.evidence["suites"][p] for p in ("TLSv1", "TLSv1.1"))


def test_the_weak_suite_is_named(scanned) -> None:  # type: ignore[no-untyped-def]
    [finding] = judge(scanned["weak_cipher"], intermediate(), datetime.now(UTC))
    assert finding.evidence["suites"] == {"TLSv1.2": ["TLS_RSA_WITH_AES_128_CBC_SHA"]}


def test_trust_comes_from_the_ca_file_only(scanned, sslyze_command, servers) -> None:  # type: ignore[no-untyped-def]
    """Without the test CA the good server's chain is untrusted: Mozilla's store lacks the CA."""
    from dataward.encryption import runner

    [facts] = runner.run(sslyze_command, [("127.0.0.1", servers["good"].port)], datetime.now(UTC))
    findings = judge(facts, intermediate(), datetime.now(UTC))
    assert [f.code for f in findings] == ["certificate_untrusted"]
    assert "Mozilla's root store:" in findings[0].message
    assert not facts.ca_file


def test_a_result_judged_later_sees_the_certificate_expire(scanned) -> None:  # type: ignore[no-untyped-def]
    facts = scanned["expiring"]
    assert facts.leaf is not None
    later = facts.leaf.not_after.replace(microsecond=0)
    codes = {f.code for f in judge(facts, intermediate(), later)}
    assert codes == {"certificate_expired"}


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_facts_round_trip_through_json(scanned, name: str) -> None:  # type: ignore[no-untyped-def]
    import json

    facts = scanned[name]
    assert from_dict(json.loads(json.dumps(to_dict(facts)))) == facts
    text = json.dumps(to_dict(facts))
    assert "BEGIN CERTIFICATE" not in text
    assert "PRIVATE KEY" not in text
