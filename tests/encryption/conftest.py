"""Fixtures for the encryption tests: sslyze in its own environment, real TLS servers on loopback.

The servers and one real sslyze run over all of them live for the test session; sslyze is found
as dataward finds it (DATAWARD_SSLYZE, .venv-sslyze, PATH). Without it the TLS tests skip, or
fail when DATAWARD_REQUIRE_SSLYZE=1 (bash .ci/run sets it).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from encryption.tls_servers import (
    CONFIGS,
    HOST,
    Pki,
    TlsServer,
    make_pki,
    require_sslyze,
    serving,
)


@pytest.fixture(scope="session")
def sslyze_command() -> list[str]:
    """Return how to run sslyze, once per session."""
    return require_sslyze()


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Write the test CA and leaves once per session."""
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def servers(pki: Pki) -> Iterator[dict[str, TlsServer]]:
    """Run one TLS server per configuration on 127.0.0.1 for the session."""
    with serving(pki, list(CONFIGS)) as running:
        yield running


@pytest.fixture(scope="session")
def closed_port() -> int:
    """Return a loopback port nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def scanned(sslyze_command: list[str], servers: dict[str, TlsServer], pki: Pki, closed_port: int):  # type: ignore[no-untyped-def]
    """Check every server (and a closed port) with one real sslyze run, trusting the test CA."""
    from dataward.encryption import runner

    names = [*servers, "closed"]
    targets = [(HOST, s.port) for s in servers.values()] + [(HOST, closed_port)]
    facts = runner.run(sslyze_command, targets, datetime.now(UTC), pki.ca_file)
    return dict(zip(names, facts, strict=True))


@pytest.fixture
def sslyze_env(sslyze_command: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """Point DATAWARD_SSLYZE at the sslyze found, for commands run in-process."""
    exe = sslyze_command[0]
    value = str(Path(exe).parent.parent) if sslyze_command[1:2] == ["-m"] else exe
    monkeypatch.setenv("DATAWARD_SSLYZE", value)
    return value
