"""Start real TLS servers on 127.0.0.1 (Python ssl in threads) with certificates made here.

Certificates come from ``cryptography``: a test CA and leaves that are good (127.0.0.1 and
localhost), expired, expiring soon, self-signed, for the wrong host name, and an RSA leaf for
static-RSA cipher suites. Each server runs one configuration: protocol range, cipher string and,
for HTTPS, whether it sends Strict-Transport-Security.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "127.0.0.1"
REQUIRE_ENV = "DATAWARD_REQUIRE_SSLYZE"
#: Loops stop after this many seconds without a connection or byte, so no thread hangs a run.
IDLE = 1.0
#: A connection may take at most this long to send its HTTP request head.
REQUEST_BUDGET = 5.0
HSTS_GOOD = "max-age=63072000; includeSubDomains"


@dataclass(frozen=True)
class Leaf:
    """A certificate chain file and its key file."""

    cert: Path
    key: Path


@dataclass(frozen=True)
class Pki:
    """The test CA file and the leaves it (or nobody) signed."""

    ca_file: Path
    leaves: dict[str, Leaf]


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _leaf(
    subject: str,
    names: list[x509.GeneralName],
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
    start: datetime,
    end: datetime,
) -> x509.Certificate:
    """Return a server certificate signed by ``issuer`` (or by its own key when None)."""
    signer_name, signer_key = issuer if issuer else (_name(subject), key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(signer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
            critical=False,
        )
    )
    return builder.sign(signer_key, hashes.SHA256())  # type: ignore[arg-type]


def make_pki(root: Path, now: datetime | None = None) -> Pki:
    """Write a test CA and the leaves the TLS tests serve into ``root``."""
    now = now or datetime.now(UTC)
    root.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("dataward test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = root / "ca.pem"
    ca_file.write_bytes(_pem(ca))
    local: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address(HOST)),
    ]
    wrong: list[x509.GeneralName] = [x509.DNSName("other.example")]
    day = timedelta(days=1)
    by_ca = (ca_name, ca_key)
    plans = {
        "good": ("localhost", local, by_ca, now - day, now + 90 * day, "ec"),
        "rsa": ("localhost", local, by_ca, now - day, now + 90 * day, "rsa"),
        "expired": ("localhost", local, by_ca, now - 60 * day, now - 2 * day, "ec"),
        "expiring": ("localhost", local, by_ca, now - 60 * day, now + 10 * day, "ec"),
        "self_signed": ("localhost", local, None, now - day, now + 90 * day, "ec"),
        "wrong_host": ("other.example", wrong, by_ca, now - day, now + 90 * day, "ec"),
    }
    leaves = {}
    for label, (cn, names, issuer, start, end, kind) in plans.items():
        key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if kind == "rsa"
            else ec.generate_private_key(ec.SECP256R1())
        )
        cert = _leaf(cn, names, key, issuer, start, end)
        chain = _pem(cert) + (_pem(ca) if issuer else b"")
        leaf = Leaf(root / f"{label}.pem", root / f"{label}.key")
        leaf.cert.write_bytes(chain)
        leaf.key.write_bytes(_key_pem(key))
        leaves[label] = leaf
    return Pki(ca_file, leaves)


@dataclass(frozen=True)
class Config:
    """One server configuration: certificate, protocol range, ciphers and HTTP behaviour."""

    leaf: str = "good"
    minimum: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2
    maximum: ssl.TLSVersion = ssl.TLSVersion.MAXIMUM_SUPPORTED
    ciphers: str = "ECDHE+AESGCM:ECDHE+CHACHA20"
    http: bool = True
    hsts: str | None = HSTS_GOOD


#: The configurations the verdict tests run, by name.
CONFIGS: dict[str, Config] = {
    "good": Config(),
    "good_plain_tls": Config(http=False, hsts=None),
    "old_protocols": Config(
        minimum=ssl.TLSVersion.TLSv1,
        maximum=ssl.TLSVersion.TLSv1_1,
        ciphers="ECDHE+AES:@SECLEVEL=0",
    ),
    "weak_cipher": Config(leaf="rsa", ciphers="ECDHE+AESGCM:AES128-SHA"),
    "expired": Config(leaf="expired"),
    "expiring": Config(leaf="expiring"),
    "self_signed": Config(leaf="self_signed"),
    "wrong_host": Config(leaf="wrong_host"),
    "no_hsts": Config(hsts=None),
    "short_hsts": Config(hsts="max-age=86400"),
}


def context(pki: Pki, config: Config) -> ssl.SSLContext:
    """Return the server-side SSL context for one configuration."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf = pki.leaves[config.leaf]
    ctx.load_cert_chain(leaf.cert, leaf.key)
    ctx.set_ciphers(config.ciphers)
    with warnings.catch_warnings():  # TLS 1.0 and 1.1 are deprecated: that is the point here
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = config.minimum
        ctx.maximum_version = config.maximum
    return ctx


class TlsServer:
    """A threaded TLS (optionally HTTPS) server on 127.0.0.1 and a free port."""

    def __init__(self, ctx: ssl.SSLContext, config: Config) -> None:
        self.ctx = ctx
        self.config = config
        self.sock = socket.create_server((HOST, 0), backlog=128)
        self.sock.settimeout(IDLE)
        self.port: int = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def target(self) -> str:
        """Return HOST:PORT."""
        return f"{HOST}:{self.port}"

    def start(self) -> TlsServer:
        """Start accepting connections."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting and wait (bounded) for the accept loop to end."""
        self._stop.set()
        self._thread.join(timeout=5 * IDLE)
        self.sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(REQUEST_BUDGET)
        with contextlib.suppress(OSError, ssl.SSLError, ValueError), conn:
            tls = self.ctx.wrap_socket(conn, server_side=True)
            with tls:
                if self.config.http:
                    self._answer_http(tls)
                else:
                    tls.sendall(b"220 dataward test service ready\r\n")

    def _answer_http(self, tls: ssl.SSLSocket) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 16384:
            chunk = tls.recv(4096)
            if not chunk:
                return
            head += chunk
        body = b"ok\n"
        lines = ["HTTP/1.1 200 OK", "Content-Type: text/plain", f"Content-Length: {len(body)}"]
        if self.config.hsts:
            lines.append(f"Strict-Transport-Security: {self.config.hsts}")
        lines += ["Connection: close", "", ""]
        tls.sendall("\r\n".join(lines).encode() + body)


@contextlib.contextmanager
def serving(pki: Pki, names: list[str]) -> Iterator[dict[str, TlsServer]]:
    """Run one server per named configuration and stop them all afterwards."""
    servers: dict[str, TlsServer] = {}
    try:
        for name in names:
            config = CONFIGS[name]
            servers[name] = TlsServer(context(pki, config), config).start()
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def require_sslyze() -> list[str]:
    """Return how to run sslyze; skip without it (fail when DATAWARD_REQUIRE_SSLYZE=1)."""
    from dataward.encryption import runner
    from dataward.errors import DatawardError

    try:
        return runner.locate(None, os.environ)
    except DatawardError as exc:
        reason = f"sslyze not available ({exc.line()})"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{reason}; {REQUIRE_ENV}=1 requires it")
        pytest.skip(reason)
