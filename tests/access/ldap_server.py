"""Start a throwaway OpenLDAP server (Debian slapd) on loopback for the LDAP connector tests.

The server gets its own cn=config (built with ``slapadd -n0``), a small test schema for the
Active Directory attributes, one mdb database per suffix and a random free port.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ldap3
import pytest

SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
MODULES = Path("/usr/lib/ldap")
SCHEMAS = Path("/etc/ldap/schema")
REQUIRE_ENV = "DATAWARD_REQUIRE_SLAPD"
ROOT_PW = "root-secret-7f3a"
#: A private OID arc (X.667 UUID arc) for the test schema.
ARC = "2.25.248770316240711679155506205624401812583"

_SYNTAX = "SYNTAX 1.3.6.1.4.1.1466.115.121.1"
_DIRECTORY_STRING = (
    f"EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch {_SYNTAX}.15 SINGLE-VALUE"
)
_INTEGER = f"EQUALITY integerMatch ORDERING integerOrderingMatch {_SYNTAX}.27 SINGLE-VALUE"
AD_SCHEMA = f"""\
dn: cn=dataward-ad,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: dataward-ad
olcAttributeTypes: ( {ARC}.1.1 NAME 'sAMAccountName' {_DIRECTORY_STRING} )
olcAttributeTypes: ( {ARC}.1.2 NAME 'userPrincipalName' {_DIRECTORY_STRING} )
olcAttributeTypes: ( {ARC}.1.3 NAME 'employeeID' {_DIRECTORY_STRING} )
olcAttributeTypes: ( {ARC}.1.4 NAME 'userAccountControl' {_INTEGER} )
olcAttributeTypes: ( {ARC}.1.5 NAME 'lastLogonTimestamp' {_INTEGER} )
olcAttributeTypes: ( {ARC}.1.6 NAME 'adminCount' {_INTEGER} )
olcAttributeTypes: ( {ARC}.1.7 NAME 'supportedCapabilities' EQUALITY objectIdentifierMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )
olcObjectClasses: ( {ARC}.2.1 NAME 'user' AUXILIARY MAY ( sAMAccountName $ userPrincipalName $
  employeeID $ userAccountControl $ lastLogonTimestamp $ adminCount ) )
olcObjectClasses: ( {ARC}.2.2 NAME 'computer' AUXILIARY )
"""


@dataclass(frozen=True)
class Database:
    """One mdb database: its suffix, the LDIF loaded offline and its overlays and limits."""

    suffix: str
    ldif: str
    overlays: tuple[str, ...] = ()
    limits: tuple[str, ...] = ()
    ppolicy_default: str = ""


@dataclass
class Slapd:
    """A running slapd: where to reach it and how to stop it."""

    url: str
    root: Path
    process: subprocess.Popen[bytes]
    ldaps_url: str = ""
    ca_file: Path | None = None
    log: Path = field(default_factory=Path)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s) and remove its files."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.root, ignore_errors=True)


def require_slapd(modules: Sequence[str] = ()) -> None:
    """Skip when Debian's slapd (or a module) is missing, or fail when DATAWARD_REQUIRE_SLAPD=1."""
    missing = sorted(set(modules) - available_modules())
    if SLAPD.exists() and SLAPADD.exists() and not missing:
        return
    reason = f"OpenLDAP slapd not installed ({SLAPD}): apt-get install slapd (bash .ci/run does)"
    if SLAPD.exists() and SLAPADD.exists():
        reason = f"slapd modules {', '.join(missing)} not found in {MODULES}"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}; {REQUIRE_ENV}=1 requires it")
    pytest.skip(reason)


def available_modules() -> frozenset[str]:
    """Return the dynamically loadable slapd modules/overlays this machine has."""
    wanted = ("back_mdb", "memberof", "ppolicy", "lastbind")
    return frozenset(m for m in wanted if (MODULES / f"{m}.so").exists())


def _config(root: Path, dbs: Sequence[Database], modules: frozenset[str], tls: bool) -> str:
    """Return the cn=config LDIF: modules, schemas, limits, ACLs and the databases."""
    (root / "ad.ldif").write_text(AD_SCHEMA)
    glob = [f"olcPidFile: {root}/slapd.pid"]
    if tls:
        glob += [f"olcTLSCertificateFile: {root}/cert.pem"]
        glob += [f"olcTLSCertificateKeyFile: {root}/key.pem"]
    out = ["dn: cn=config", "objectClass: olcGlobal", "cn: config", *glob, ""]
    if modules:
        out += ["dn: cn=module{0},cn=config", "objectClass: olcModuleList", "cn: module{0}"]
        out += [f"olcModulePath: {MODULES}", *(f"olcModuleLoad: {m}" for m in sorted(modules)), ""]
    out += ["dn: cn=schema,cn=config", "objectClass: olcSchemaConfig", "cn: schema", ""]
    for name in ("core", "cosine", "nis", "inetorgperson"):
        out += [f"include: file://{SCHEMAS}/{name}.ldif", ""]
    out += [f"include: file://{root}/ad.ldif", ""]
    out += ["dn: olcDatabase={-1}frontend,cn=config", "objectClass: olcDatabaseConfig"]
    out += ["objectClass: olcFrontendConfig", "olcDatabase: {-1}frontend", ""]
    out += ["dn: olcDatabase={0}config,cn=config", "objectClass: olcDatabaseConfig"]
    out += ["olcDatabase: {0}config", "olcRootDN: cn=config", f"olcRootPW: {ROOT_PW}", ""]
    for n, db in enumerate(dbs, start=1):
        (root / f"db{n}").mkdir()
        dn = f"olcDatabase={{{n}}}mdb,cn=config"
        out += [f"dn: {dn}", "objectClass: olcDatabaseConfig", "objectClass: olcMdbConfig"]
        out += [f"olcDatabase: {{{n}}}mdb", f"olcDbDirectory: {root}/db{n}"]
        out += [f"olcSuffix: {db.suffix}", f"olcRootDN: cn=admin,{db.suffix}"]
        out += [f"olcRootPW: {ROOT_PW}", "olcDbMaxSize: 67108864", "olcDbNoSync: TRUE"]
        out += ["olcAccess: {0}to attrs=userPassword by anonymous auth by self write by * none"]
        out += ["olcAccess: {1}to * by * read", *(f"olcLimits: {x}" for x in db.limits), ""]
        for i, overlay in enumerate(db.overlays):
            out += [f"dn: olcOverlay={{{i}}}{overlay},{dn}", "objectClass: olcOverlayConfig"]
            out += [f"olcOverlay: {{{i}}}{overlay}"]
            if overlay == "memberof":
                out += ["objectClass: olcMemberOf"]
            elif overlay == "ppolicy":
                out += ["objectClass: olcPPolicyConfig", "olcPPolicyUseLockout: TRUE"]
                out += [f"olcPPolicyDefault: {db.ppolicy_default}"] if db.ppolicy_default else []
            elif overlay == "lastbind":
                out += ["objectClass: olcLastBindConfig"]
            out += [""]
    return "\n".join(out) + "\n"


def free_port() -> int:
    """Return a TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    """Return True when something accepts connections on 127.0.0.1:port."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def _make_cert(root: Path) -> None:
    """Write a self-signed certificate for 127.0.0.1 (cert.pem) and its key (key.pem)."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"), "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip


def _run(args: list[str], root: Path) -> None:
    """Run a slap tool, failing the test with its output when it fails."""
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, cwd=root)
    if done.returncode:
        pytest.fail(f"{' '.join(args[:3])} failed: {done.stderr.strip()[-2000:]}")


def start_slapd(
    root: Path, dbs: Sequence[Database], *, root_dse: str = "", tls: bool = False
) -> Slapd:
    """Build the config and databases under ``root`` and start slapd on free loopback ports."""
    require_slapd([o for db in dbs for o in db.overlays])
    modules = available_modules()
    root.mkdir(parents=True, exist_ok=True)
    tls = tls and shutil.which("openssl") is not None
    if tls:
        _make_cert(root)
    (root / "config.ldif").write_text(_config(root, dbs, modules, tls))
    (root / "slapd.d").mkdir()
    _run([str(SLAPADD), "-n0", "-F", "slapd.d", "-l", "config.ldif"], root)
    for n, db in enumerate(dbs, start=1):
        (root / f"data{n}.ldif").write_text(db.ldif)
        _run([str(SLAPADD), "-q", "-n", str(n), "-F", "slapd.d", "-l", f"data{n}.ldif"], root)
    for _attempt in range(5):  # retry when slapd exits: a port was taken after the probe
        port, secure = free_port(), free_port()
        urls = f"ldap://127.0.0.1:{port}/" + (f" ldaps://127.0.0.1:{secure}/" if tls else "")
        log = root / "slapd.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(SLAPD), "-h", urls, "-F", str(root / "slapd.d"), "-d", "0"],
                stdout=out, stderr=subprocess.STDOUT, cwd=root,
            )  # fmt: skip
        server = Slapd(f"ldap://127.0.0.1:{port}", root, process, log=log)
        if tls:
            server.ldaps_url, server.ca_file = f"ldaps://127.0.0.1:{secure}", root / "cert.pem"
        if _wait(server, [port, secure] if tls else [port]):
            try:
                if root_dse:
                    _add_root_dse(server, root_dse)
            except BaseException:
                server.stop()
                raise
            return server
        if server.process.poll() is None:  # alive but not listening: retrying will not help
            server.process.kill()
            server.process.wait(timeout=5)
            break
    pytest.fail(f"slapd did not start: {log.read_text(errors='replace')[-2000:]}")


def _add_root_dse(server: Slapd, attributes: str) -> None:
    """Add attributes to the root DSE over LDAP (cn=config parses the file before any schema)."""
    (server.root / "rootdse.ldif").write_text(f"dn:\n{attributes}\n")
    conn = ldap3.Connection(server.url, "cn=config", ROOT_PW, auto_bind=True)
    conn.modify("cn=config", {"olcRootDSE": [(ldap3.MODIFY_ADD, [f"{server.root}/rootdse.ldif"])]})
    assert conn.result["result"] == 0, conn.result
    conn.unbind()


def _wait(server: Slapd, ports: list[int], limit: float = 20.0) -> bool:
    """Wait (at most ``limit`` seconds) until our slapd serves every port; False if it died.

    slapd writes its pid file only once its listeners are bound (it exits when a port is
    taken), so the pid file tells our server apart from another one on a reused port.
    """
    pid_file = server.root / "slapd.pid"
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        with contextlib.suppress(OSError, ValueError):
            ours = int(pid_file.read_text().strip()) == server.process.pid
            if ours and all(_listening(p) for p in ports):
                return True
        time.sleep(0.02)
    return False


@contextlib.contextmanager
def running_slapd(
    root: Path, dbs: Sequence[Database], *, root_dse: str = "", tls: bool = False
) -> Iterator[Slapd]:
    """Run slapd for the duration of the block, then stop it and remove its files."""
    try:
        server = start_slapd(root, dbs, root_dse=root_dse, tls=tls)
    except BaseException:  # a failed start (or skip) leaves no files behind
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield server
    finally:
        server.stop()
