"""Judge what a TLS check found against the profile: one finding per problem, and a verdict."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dataward.encryption.engine.hostname import names_host
from dataward.encryption.engine.profile import TlsProfile
from dataward.encryption.engine.sslyze_json import curve_bits
from dataward.encryption.engine.tls_facts import TlsFacts

#: Verdicts from best to worst; an endpoint's verdict is its worst finding's status.
ORDER = ("pass", "warning", "fail", "error")
_WORDS = {"SSLv2": "SSL 2", "SSLv3": "SSL 3", "TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1"}
_WEAK_HASHES = ("sha1", "md5")


@dataclass(frozen=True)
class TlsFinding:
    """One problem with an endpoint: a stable code, fail/warning/error, and what was seen."""

    code: str
    status: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


def verdict(findings: Iterable[TlsFinding]) -> str:
    """Return the worst status among the findings, or pass."""
    return max((f.status for f in findings), key=ORDER.index, default="pass")


def protocol_words(names: Iterable[str]) -> str:
    """Return protocol names as people write them (TLSv1 -> TLS 1.0)."""
    return ", ".join(_WORDS.get(n, n.replace("TLSv", "TLS ")) for n in names)


def _protocols(facts: TlsFacts, profile: TlsProfile) -> Iterator[TlsFinding]:
    bad = [p for p in facts.protocols if p not in profile.protocols]
    if not bad:
        return
    allowed = " and ".join(protocol_words([p]) for p in sorted(profile.protocols))
    only = "" if any(p in profile.protocols for p in facts.protocols) else "only "
    yield TlsFinding(
        "protocol_not_allowed",
        "fail",
        f"offers {only}{protocol_words(bad)}; the profile allows only {allowed}",
        {"protocols": bad, "suites": {p: list(facts.protocols[p]) for p in bad}},
    )


def _suites(facts: TlsFacts, profile: TlsProfile) -> Iterator[TlsFinding]:
    allowed = {"TLSv1.2": profile.tls12_cipher_suites, "TLSv1.3": profile.tls13_cipher_suites}
    outside = {
        p: [s for s in facts.protocols.get(p, ()) if s not in ok] for p, ok in allowed.items()
    }
    outside = {p: s for p, s in outside.items() if s}
    if outside:
        names = sorted({s for suites in outside.values() for s in suites})
        yield TlsFinding(
            "cipher_not_allowed",
            "fail",
            f"accepts cipher suites outside the profile: {', '.join(names)}",
            {"suites": outside},
        )


def _key_exchange(facts: TlsFacts, profile: TlsProfile) -> Iterator[TlsFinding]:
    problems = []
    if facts.dh_bits is not None and facts.dh_bits < profile.dh_min_bits:
        problems.append(f"a DHE group of {facts.dh_bits} bits (minimum {profile.dh_min_bits})")
    weak = [c for c in facts.curves if (curve_bits(c) or 999) < profile.ecdh_min_bits]
    if weak:
        problems.append(f"curves under {profile.ecdh_min_bits} bits ({', '.join(weak)})")
    elif facts.ecdh_bits is not None and facts.ecdh_bits < profile.ecdh_min_bits:
        problems.append(f"an ECDHE group of {facts.ecdh_bits} bits")
    if problems:
        message = "accepts " + "; ".join(problems)
        yield TlsFinding("weak_key_exchange", "fail", message, {"problems": problems})


def _health(facts: TlsFacts) -> Iterator[TlsFinding]:
    if facts.vulnerabilities:
        found = list(facts.vulnerabilities)
        message = f"is vulnerable to {', '.join(found)}"
        yield TlsFinding("vulnerable", "fail", message, {"found": found})
    if facts.not_tested:
        missing = list(facts.not_tested)
        message = f"could not be tested for {', '.join(missing)}; check it again"
        yield TlsFinding("incomplete", "warning", message, {"not_tested": missing})


def _dates(facts: TlsFacts, profile: TlsProfile, now: datetime, warn: int) -> Iterator[TlsFinding]:
    for leaf in facts.leaves:
        after = leaf.not_after.date().isoformat()
        base = {"subject": leaf.subject, "not_after": after}
        if leaf.not_after <= now:
            yield TlsFinding("certificate_expired", "fail", f"certificate expired on {after}", base)
        elif leaf.not_after <= now + timedelta(days=warn):
            days = (leaf.not_after - now).days
            message = f"certificate expires on {after} (in {days} days)"
            yield TlsFinding("certificate_expiring", "warning", message, {**base, "days": days})
        if leaf.not_before > now:
            before = leaf.not_before.date().isoformat()
            message = f"certificate is valid only from {before}"
            yield TlsFinding("certificate_not_yet_valid", "fail", message, base)
        span = (leaf.not_after - leaf.not_before).days
        if span > profile.max_certificate_days:
            message = (
                f"certificate is valid for {span} days "
                f"(the profile allows at most {profile.max_certificate_days})"
            )
            yield TlsFinding("certificate_lifespan", "warning", message, {**base, "days": span})


def _names(facts: TlsFacts) -> Iterator[TlsFinding]:
    for leaf in facts.leaves:
        if not names_host(facts.host, leaf.dns_names, leaf.ip_addresses):
            names = [*leaf.dns_names, *leaf.ip_addresses]
            shown = ", ".join(names) or "no subjectAltName"
            message = f"certificate names {shown}, not {facts.host}"
            yield TlsFinding("hostname_mismatch", "fail", message, {"names": names})


def _trust(facts: TlsFacts, seen: set[str]) -> Iterator[TlsFinding]:
    """Fail an untrusted chain unless the reason is already a finding (expiry, host name)."""
    if facts.trusted_by or not facts.chain:
        return
    reason = facts.trust_error
    if (reason == "expired" and "certificate_expired" in seen) or (
        reason == "hostname" and "hostname_mismatch" in seen
    ):
        return
    stores = (
        "Mozilla's root store or the CA file given" if facts.ca_file else "Mozilla's root store"
    )
    why = {
        "expired": "a certificate in the chain has expired",
        "hostname": "the validation of the host name failed",
    }.get(reason, "the chain does not lead to a trusted root")
    leaf = facts.chain[0]
    self_signed = leaf.self_issued and len(facts.chain) == 1
    if self_signed:
        why = "the certificate is self-signed"
    message = f"certificate is not trusted by {stores}: {why}"
    evidence = {"subject": leaf.subject, "issuer": leaf.issuer, "self_signed": self_signed}
    yield TlsFinding("certificate_untrusted", "fail", message, evidence)


def _keys(facts: TlsFacts, profile: TlsProfile) -> Iterator[TlsFinding]:
    for leaf in facts.leaves:
        minimum = {"RSA": profile.rsa_min_bits, "EC": profile.ec_min_bits}.get(leaf.key_type)
        if leaf.key_type in ("DSA", "DH") or (minimum and leaf.key_bits < minimum):
            message = f"certificate key is {leaf.key_type} {leaf.key_bits} bits"
            if minimum:
                message += f" (minimum {minimum})"
            evidence = {"key_type": leaf.key_type, "bits": leaf.key_bits}
            yield TlsFinding("weak_certificate_key", "fail", message, evidence)
    weak = [c for c in facts.chain if c.signature_hash in _WEAK_HASHES and not c.self_issued]
    if weak or facts.chain_has_sha1:
        message = "certificate chain is signed with SHA-1 or MD5"
        yield TlsFinding("weak_signature", "fail", message, {"subjects": [c.subject for c in weak]})


def _hsts(facts: TlsFacts, profile: TlsProfile, https: bool | None) -> Iterator[TlsFinding]:
    """Judge HSTS when the endpoint is (declared or found to be) HTTPS."""
    if https is False or (https is None and facts.http != "https"):
        return
    if facts.http != "https":
        message = "the HTTP response could not be read, so HSTS was not checked"
        yield TlsFinding("http_not_tested", "warning", message)
        return
    if facts.hsts_max_age is None:
        message = "sends no Strict-Transport-Security header"
        yield TlsFinding("hsts_missing", "fail", message, {"min_seconds": profile.hsts_min_seconds})
    elif facts.hsts_max_age < profile.hsts_min_seconds:
        message = (
            f"sends HSTS max-age {facts.hsts_max_age} s; the minimum is "
            f"{profile.hsts_min_seconds} s (one year)"
        )
        evidence = {"max_age": facts.hsts_max_age, "min_seconds": profile.hsts_min_seconds}
        yield TlsFinding("hsts_too_short", "fail", message, evidence)


def judge(
    facts: TlsFacts,
    profile: TlsProfile,
    now: datetime,
    *,
    https: bool | None = None,
    expiry_warning_days: int | None = None,
) -> list[TlsFinding]:
    """Return every problem of one endpoint under the profile, as of ``now``.

    ``https`` says whether the endpoint serves HTTPS (HSTS applies); None decides from whether
    it answered HTTP.
    """
    if facts.error:
        return [TlsFinding("unreachable", "error", f"could not be checked: {facts.error}")]
    warn = profile.expiry_warning_days if expiry_warning_days is None else expiry_warning_days
    out = [
        *_protocols(facts, profile),
        *_suites(facts, profile),
        *_key_exchange(facts, profile),
        *_health(facts),
        *_dates(facts, profile, now, warn),
        *_names(facts),
        *_keys(facts, profile),
        *_hsts(facts, profile, https),
    ]
    out += _trust(facts, {f.code for f in out})
    return out


def describe(findings: list[TlsFinding]) -> str:
    """Return the findings as one line, worst first."""
    if not findings:
        return "meets the profile"
    ranked = sorted(findings, key=lambda f: -ORDER.index(f.status))
    return "; ".join(f.message for f in ranked)
