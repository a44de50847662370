"""Load the TLS profile endpoints are judged against (Mozilla intermediate, from a data file)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROFILE_FILE = Path(__file__).with_name("mozilla_intermediate.yaml")


@dataclass(frozen=True)
class TlsProfile:
    """The values a TLS endpoint must meet; see mozilla_intermediate.yaml for their source."""

    name: str
    version: str
    source: str
    protocols: frozenset[str]
    tls12_cipher_suites: frozenset[str]
    tls13_cipher_suites: frozenset[str]
    dh_min_bits: int
    ecdh_min_bits: int
    rsa_min_bits: int
    ec_min_bits: int
    max_certificate_days: int
    hsts_min_seconds: int
    hsts_recommended_seconds: int
    expiry_warning_days: int

    @property
    def label(self) -> str:
        """Return the profile's short name with its version, e.g. mozilla-intermediate-5.7."""
        return f"{self.name}-{self.version}"


def parse_profile(data: dict[str, Any]) -> TlsProfile:
    """Return a profile from its mapping (the YAML file's content)."""
    return TlsProfile(
        name=str(data["name"]),
        version=str(data["version"]),
        source=str(data["source"]),
        protocols=frozenset(data["protocols"]),
        tls12_cipher_suites=frozenset(data["tls12_cipher_suites"]),
        tls13_cipher_suites=frozenset(data["tls13_cipher_suites"]),
        dh_min_bits=int(data["dh_min_bits"]),
        ecdh_min_bits=int(data["ecdh_min_bits"]),
        rsa_min_bits=int(data["rsa_min_bits"]),
        ec_min_bits=int(data["ec_min_bits"]),
        max_certificate_days=int(data["max_certificate_days"]),
        hsts_min_seconds=int(data["hsts_min_seconds"]),
        hsts_recommended_seconds=int(data["hsts_recommended_seconds"]),
        expiry_warning_days=int(data["expiry_warning_days"]),
    )


@cache
def intermediate() -> TlsProfile:
    """Return the shipped Mozilla intermediate profile."""
    data = yaml.safe_load(PROFILE_FILE.read_text(encoding="utf-8"))
    return parse_profile(data)
