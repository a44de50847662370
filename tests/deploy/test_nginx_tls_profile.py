"""dataward's own TLS check judges the shipped nginx site: Mozilla's intermediate profile.

`dataward tls check` runs sslyze (in its own environment) against nginx with
deploy/nginx/dataward.conf, trusting the test CA. The site answers to ``localhost`` here: sslyze
must ask for a name the certificate holds, and the default server refuses any other.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deploy.pki import Authority
from deploy.proxy import Browser, Proxy, echo_upstream, need_nginx, running_nginx
from encryption.tls_servers import require_sslyze


@pytest.fixture(scope="module")
def localhost_proxy(
    authority: Authority,
) -> Iterator[Proxy]:
    """Run the shipped site as ``localhost`` in front of an echo server."""
    need_nginx()
    with (
        echo_upstream() as port,
        running_nginx(authority, port, host="localhost") as running,
    ):
        yield running


def test_tls_1_3_is_offered_and_1_2_still_accepted(localhost_proxy: Proxy) -> None:
    browser = Browser(localhost_proxy, host="localhost")
    newest = browser.connection()
    newest.connect()
    assert newest.sock.version() == "TLSv1.3"
    newest.close()
    older = browser.connection(newest=ssl.TLSVersion.TLSv1_2)
    older.connect()
    assert older.sock.version() == "TLSv1.2"
    older.close()


def test_dataward_tls_check_passes_the_site(
    localhost_proxy: Proxy, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = require_sslyze()
    exe = command[0]
    monkeypatch.setenv(
        "DATAWARD_SSLYZE", str(Path(exe).parent.parent) if command[1:2] == ["-m"] else exe
    )
    root = str(tmp_path / "ws")
    assert cli("-w", root, "init").code == 0
    target = f"localhost:{localhost_proxy.https}"
    done = cli("-w", root, "tls", "check", target, "--ca-file", str(localhost_proxy.ca_file),
               "-f", "json")  # fmt: skip
    assert done.code == 0, done
    (result,) = json.loads(done.out)
    assert result["verdict"] == "pass", result["findings"]
    assert result["protocols"] == ["TLSv1.2", "TLSv1.3"]
    assert result["hsts_max_age"] == 63072000
