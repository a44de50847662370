"""Name what one TLS check learned about an endpoint, as plain records that round-trip to JSON.

These facts are what dataward keeps of an sslyze run: no certificate bodies, no key material,
only what the profile is judged on (protocols, suites, key-exchange sizes, the certificate's
names, dates, key and signature, trust, HSTS and known vulnerabilities).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

#: Protocol names as the profile spells them, in order from oldest to newest.
PROTOCOLS: tuple[str, ...] = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")


@dataclass(frozen=True)
class CertFacts:
    """One certificate of the chain the server sent."""

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    key_type: str = ""  # RSA, EC, Ed25519, ...
    key_bits: int = 0
    signature: str = ""  # e.g. ecdsa-with-SHA256
    signature_hash: str = ""  # e.g. sha256
    fingerprint_sha256: str = ""

    @property
    def self_issued(self) -> bool:
        """Return whether the certificate names itself as its issuer."""
        return self.subject == self.issuer


@dataclass(frozen=True)
class TlsFacts:
    """What one check of one endpoint found; ``error`` is set when nothing could be checked."""

    host: str
    port: int
    checked_at: datetime
    error: str = ""
    protocols: dict[str, tuple[str, ...]] = field(default_factory=dict)  # offered -> suites
    not_tested: tuple[str, ...] = ()  # parts of the scan that did not complete
    dh_bits: int | None = None  # smallest finite-field DHE group accepted
    ecdh_bits: int | None = None  # smallest elliptic-curve group accepted
    curves: tuple[str, ...] = ()
    chain: tuple[CertFacts, ...] = ()  # leaf first
    other_leaves: tuple[CertFacts, ...] = ()  # leaves of further deployments (RSA and ECDSA)
    trusted_by: tuple[str, ...] = ()  # trust stores that validated the chain
    trust_error: str = ""  # why the chain did not validate (expired, hostname, untrusted)
    ca_file: bool = False  # a CA file was trusted besides Mozilla's store
    chain_has_sha1: bool = False
    http: str = "unknown"  # "https" answered HTTP, "no" did not, "unknown" not tested
    hsts_max_age: int | None = None
    vulnerabilities: tuple[str, ...] = ()
    sslyze_version: str = ""

    @property
    def leaf(self) -> CertFacts | None:
        """Return the server's own certificate, if one was received."""
        return self.chain[0] if self.chain else None

    @property
    def leaves(self) -> tuple[CertFacts, ...]:
        """Return every leaf certificate the server deploys."""
        return self.chain[:1] + self.other_leaves

    @property
    def target(self) -> str:
        """Return HOST:PORT (IPv6 hosts in brackets)."""
        return endpoint_label(self.host, self.port)


def endpoint_label(host: str, port: int) -> str:
    """Return HOST:PORT, with an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _plain(value: Any) -> Any:
    """Turn datetimes into ISO text and tuples into lists, recursively."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_dict(facts: TlsFacts) -> dict[str, Any]:
    """Return the facts as a JSON-ready mapping."""
    out: dict[str, Any] = _plain(asdict(facts))
    return out


def _cert(data: dict[str, Any]) -> CertFacts:
    return CertFacts(
        subject=str(data.get("subject", "")),
        issuer=str(data.get("issuer", "")),
        not_before=datetime.fromisoformat(data["not_before"]),
        not_after=datetime.fromisoformat(data["not_after"]),
        dns_names=tuple(data.get("dns_names") or ()),
        ip_addresses=tuple(data.get("ip_addresses") or ()),
        key_type=str(data.get("key_type", "")),
        key_bits=int(data.get("key_bits") or 0),
        signature=str(data.get("signature", "")),
        signature_hash=str(data.get("signature_hash", "")),
        fingerprint_sha256=str(data.get("fingerprint_sha256", "")),
    )


def from_dict(data: dict[str, Any]) -> TlsFacts:
    """Return the facts stored by ``to_dict``."""
    return TlsFacts(
        host=str(data["host"]),
        port=int(data["port"]),
        checked_at=datetime.fromisoformat(data["checked_at"]),
        error=str(data.get("error", "")),
        protocols={k: tuple(v) for k, v in (data.get("protocols") or {}).items()},
        not_tested=tuple(data.get("not_tested") or ()),
        dh_bits=data.get("dh_bits"),
        ecdh_bits=data.get("ecdh_bits"),
        curves=tuple(data.get("curves") or ()),
        chain=tuple(_cert(c) for c in data.get("chain") or ()),
        other_leaves=tuple(_cert(c) for c in data.get("other_leaves") or ()),
        trusted_by=tuple(data.get("trusted_by") or ()),
        trust_error=str(data.get("trust_error", "")),
        ca_file=bool(data.get("ca_file")),
        chain_has_sha1=bool(data.get("chain_has_sha1")),
        http=str(data.get("http", "unknown")),
        hsts_max_age=data.get("hsts_max_age"),
        vulnerabilities=tuple(data.get("vulnerabilities") or ()),
        sslyze_version=str(data.get("sslyze_version", "")),
    )
