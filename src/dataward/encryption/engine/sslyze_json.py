"""Read sslyze's JSON output (``--json_out``) into TlsFacts, one per endpoint.

The format is sslyze's serialised ``ServerScanResult`` (sslyze 6.x): see
https://nabla-c0d3.github.io/sslyze/documentation/available-scan-commands.html. Only the
fields the profile is judged on are kept; certificates are reduced to names, dates, key and
signature, never their bodies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from dataward.encryption.engine.tls_facts import CertFacts, TlsFacts

#: sslyze scan command -> the protocol it tests, in the profile's spelling.
SUITE_COMMANDS: dict[str, str] = {
    "ssl_2_0_cipher_suites": "SSLv2",
    "ssl_3_0_cipher_suites": "SSLv3",
    "tls_1_0_cipher_suites": "TLSv1",
    "tls_1_1_cipher_suites": "TLSv1.1",
    "tls_1_2_cipher_suites": "TLSv1.2",
    "tls_1_3_cipher_suites": "TLSv1.3",
}
#: The other scan commands dataward runs, by the name shown when one does not complete.
OTHER_COMMANDS: dict[str, str] = {
    "certificate_info": "certificate",
    "elliptic_curves": "elliptic curves",
    "heartbleed": "Heartbleed",
    "openssl_ccs_injection": "OpenSSL CCS injection",
    "robot": "ROBOT",
    "tls_compression": "compression",
    "session_renegotiation": "renegotiation",
}
#: Trust stores whose verdict counts: Mozilla's, and a CA file the user supplied.
COUNTED_STORES = ("Mozilla", "Supplied CA file")
#: OpenSSL reports X25519 and X448 by their secret sizes; count them as the group's strength.
CURVE_BITS = {"X25519": 256, "X448": 448}
_ERROR_LINE = re.compile(r"^sslyze\.errors\.(\w+): .*?(?:-> \"?([^\"]*)\"?\.?)?$", re.M)
_CONNECT_ERRORS = {
    "ServerRejectedConnection": "the server refused the connection",
    "ConnectionToServerTimedOut": "the connection timed out",
    "ServerHostnameCouldNotBeResolved": "the host name could not be resolved",
    "ServerTlsConfigurationNotSupported": "no TLS handshake succeeded (is it a TLS port?)",
    "ConnectionToHttpProxyFailed": "the HTTP proxy could not be reached",
}


class SslyzeOutputError(ValueError):
    """sslyze's output is not the JSON document dataward expects."""


def _when(text: str | None, default: datetime) -> datetime:
    if not text:
        return default
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def connection_error(trace: str | None) -> str:
    """Return a short reason for a failed connection from sslyze's error trace."""
    found = _ERROR_LINE.findall(trace or "")
    if not found:
        return "the connection failed"
    name, reason = found[-1]
    known = _CONNECT_ERRORS.get(name)
    if known:
        return known
    return reason[:120] if reason else f"the connection failed ({name})"


def curve_bits(name: str) -> int | None:
    """Return an elliptic curve's size in bits from its name (secp224r1 -> 224)."""
    if name in CURVE_BITS:
        return CURVE_BITS[name]
    match = re.search(r"(\d{3})", name)
    return int(match.group(1)) if match else None


def _cert(data: Mapping[str, Any]) -> CertFacts:
    san = data.get("subject_alternative_name") or {}
    key = data.get("public_key") or {}
    algo = str(key.get("algorithm", "")).removesuffix("PublicKey")
    return CertFacts(
        subject=str((data.get("subject") or {}).get("rfc4514_string", "")),
        issuer=str((data.get("issuer") or {}).get("rfc4514_string", "")),
        not_before=_when(data["not_valid_before"], datetime.min.replace(tzinfo=UTC)),
        not_after=_when(data["not_valid_after"], datetime.min.replace(tzinfo=UTC)),
        dns_names=tuple(san.get("dns_names") or ()),
        ip_addresses=tuple(str(a) for a in san.get("ip_addresses") or ()),
        key_type={"EC": "EC", "RSA": "RSA"}.get(algo, algo),
        key_bits=int(key.get("key_size") or 0),
        signature=str((data.get("signature_algorithm_oid") or {}).get("name", "")),
        signature_hash=str((data.get("signature_hash_algorithm") or {}).get("name") or ""),
        fingerprint_sha256=str(data.get("fingerprint_sha256", "")),
    )


def _trust(deployment: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
    """Return the counted stores that validated the chain, and the reason when none did."""
    results = deployment.get("path_validation_results") or []
    trusted = tuple(
        r["trust_store"]["name"]
        for r in results
        if r.get("was_validation_successful") and r["trust_store"]["name"] in COUNTED_STORES
    )
    if trusted:
        return trusted, ""
    errors = {r["trust_store"]["name"]: str(r.get("validation_error") or "") for r in results}
    text = errors.get("Supplied CA file") or errors.get("Mozilla") or ""
    if "not valid at validation time" in text:
        return (), "expired"
    if "subjectAltName" in text or "hostname" in text.lower():
        return (), "hostname"
    return (), "untrusted"


def _certificates(result: Mapping[str, Any]) -> dict[str, Any]:
    """Return the chain, the extra leaves, trust and SHA-1 use of certificate_info's result."""
    deployments = result.get("certificate_deployments") or []
    if not deployments:
        return {}
    chains = [tuple(_cert(c) for c in d["received_certificate_chain"]) for d in deployments]
    verdicts = [_trust(d) for d in deployments]
    trusted = set.intersection(*(set(t) for t, _ in verdicts))
    reasons = [r for _, r in verdicts if r]
    sha1 = any(d.get("verified_chain_has_sha1_signature") for d in deployments) or any(
        c.signature_hash in ("sha1", "md5") and not c.self_issued for chain in chains for c in chain
    )
    return {
        "chain": chains[0],
        "other_leaves": tuple(c[0] for c in chains[1:] if c),
        "trusted_by": tuple(sorted(trusted)),
        "trust_error": reasons[0] if reasons and not trusted else "",
        "chain_has_sha1": sha1,
        "ca_file": any(
            r["trust_store"]["name"] == "Supplied CA file"
            for d in deployments
            for r in d.get("path_validation_results") or []
        ),
    }


def _suites(scan: Mapping[str, Any]) -> dict[str, Any]:
    """Return the protocols offered with their suites and the smallest key-exchange groups."""
    offered: dict[str, tuple[str, ...]] = {}
    dh: list[int] = []
    ecdh: list[int] = []
    missing = []
    for command, protocol in SUITE_COMMANDS.items():
        attempt = scan.get(command) or {}
        if attempt.get("status") != "COMPLETED":
            missing.append(protocol)
            continue
        result = attempt["result"]
        if not result.get("is_tls_version_supported"):
            continue
        accepted = result.get("accepted_cipher_suites") or []
        offered[protocol] = tuple(a["cipher_suite"]["name"] for a in accepted)
        for a in accepted:
            key = a.get("ephemeral_key") or {}
            if key.get("type_name") == "DH":
                dh.append(int(key["size"]))
            elif key.get("type_name") == "ECDH":
                bits = CURVE_BITS.get(str(key.get("curve_name")), int(key.get("size") or 0))
                ecdh.append(bits)
    return {
        "protocols": offered,
        "dh_bits": min(dh) if dh else None,
        "ecdh_bits": min(ecdh) if ecdh else None,
        "missing": missing,
    }


def _http(scan: Mapping[str, Any]) -> tuple[str, int | None]:
    """Return whether the endpoint answered HTTP and its HSTS max-age (0 without max-age)."""
    attempt = scan.get("http_headers") or {}
    result = attempt.get("result")
    if attempt.get("status") != "COMPLETED" or not result:
        return "unknown", None
    if result.get("http_error_trace"):
        return "no", None
    header = result.get("strict_transport_security_header")
    if header is None:
        return "https", None
    return "https", int(header.get("max_age") or 0)


def _vulnerabilities(scan: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the known weaknesses sslyze confirmed."""

    def result(name: str) -> Mapping[str, Any]:
        attempt = scan.get(name) or {}
        return attempt.get("result") or {} if attempt.get("status") == "COMPLETED" else {}

    found = []
    if result("heartbleed").get("is_vulnerable_to_heartbleed"):
        found.append("Heartbleed")
    if result("openssl_ccs_injection").get("is_vulnerable_to_ccs_injection"):
        found.append("OpenSSL CCS injection")
    if str(result("robot").get("robot_result", "")).startswith("VULNERABLE"):
        found.append("ROBOT")
    if result("tls_compression").get("supports_compression"):
        found.append("TLS compression (CRIME)")
    reneg = result("session_renegotiation")
    if reneg and not reneg.get("supports_secure_renegotiation"):
        found.append("insecure renegotiation")
    return tuple(found)


def _one(server: Mapping[str, Any], when: datetime, version: str) -> TlsFacts:
    """Return the facts of one server result."""
    loc = server["server_location"]
    host, port = str(loc["hostname"]), int(loc["port"])
    scan = server.get("scan_result")
    if server.get("connectivity_status") != "COMPLETED" or not scan:
        reason = connection_error(server.get("connectivity_error_trace"))
        return TlsFacts(host, port, when, error=reason, sslyze_version=version)
    suites = _suites(scan)
    missing = list(suites.pop("missing"))
    for command, label in OTHER_COMMANDS.items():
        if (scan.get(command) or {}).get("status") != "COMPLETED":
            missing.append(label)
    certinfo = (scan.get("certificate_info") or {}).get("result") or {}
    certs = _certificates(certinfo)
    curves_result = (scan.get("elliptic_curves") or {}).get("result") or {}
    http, hsts = _http(scan)
    return TlsFacts(
        host,
        port,
        when,
        protocols=suites["protocols"],
        not_tested=tuple(missing),
        dh_bits=suites["dh_bits"],
        ecdh_bits=suites["ecdh_bits"],
        curves=tuple(c["name"] for c in curves_result.get("supported_curves") or ()),
        chain=certs.get("chain", ()),
        other_leaves=certs.get("other_leaves", ()),
        trusted_by=certs.get("trusted_by", ()),
        trust_error=certs.get("trust_error", "untrusted" if not certs else ""),
        chain_has_sha1=certs.get("chain_has_sha1", False),
        ca_file=certs.get("ca_file", False),
        http=http,
        hsts_max_age=hsts,
        vulnerabilities=_vulnerabilities(scan),
        sslyze_version=version,
    )


def parse(doc: Any, now: datetime) -> list[TlsFacts]:
    """Return one TlsFacts per server in an sslyze JSON document (unresolvable ones as errors)."""
    if not isinstance(doc, dict) or "server_scan_results" not in doc:
        raise SslyzeOutputError("not an sslyze JSON document (no server_scan_results)")
    out = []
    try:
        version = str(doc.get("sslyze_version", ""))
        when = _when(doc.get("date_scans_completed"), now)
        for bad in doc.get("invalid_server_strings") or []:
            host, _, port = str(bad["server_string"]).rpartition(":")
            message = str(bad.get("error_message", ""))
            reason = "the host name could not be resolved" if "resolve" in message else message
            out.append(TlsFacts(host.strip("[]"), int(port), when, error=reason[:120]))
        for server in doc["server_scan_results"]:
            out.append(_one(server, when, version))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SslyzeOutputError(f"unexpected sslyze JSON ({type(exc).__name__})") from None
    return out
