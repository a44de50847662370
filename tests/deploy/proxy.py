"""Run deploy/nginx/dataward.conf with Debian's nginx on loopback, and talk HTTPS to it.

nginx runs as a child process of the test with its own prefix, pid file, logs and temporary
folders, on free loopback ports; only the listen addresses, the certificate, log paths and the
upstream port of the shipped file are rewritten (see :func:`site_config`).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from deploy.files import DEPLOY, rewrite
from deploy.pki import Authority

NGINX = os.environ.get("DATAWARD_NGINX", "/usr/sbin/nginx")
HOST = "dataward.test"


def need_nginx() -> str:
    """Return nginx's path; skip without it, or fail when DATAWARD_REQUIRE_NGINX=1."""
    if Path(NGINX).exists():
        return NGINX
    message = f"nginx not found at {NGINX} (bash .ci/run installs Debian's nginx)"
    if os.environ.get("DATAWARD_REQUIRE_NGINX") == "1":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """Return a loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, seconds: float = 30) -> None:
    """Wait until something accepts connections on the port; fail if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    pytest.fail(f"{what} did not listen on port {port} within {seconds:.0f} s")


@dataclass
class Proxy:
    """A running nginx: its ports, its folder (logs are there) and its certificate's CA."""

    https: int
    http: int
    folder: Path
    ca_file: Path

    def access_log(self, waiting_for: str = "", times: int = 1) -> str:
        """Return the site's access log once ``waiting_for`` is in it (nginx logs last)."""
        return wait_for_text(self.folder / "dataward.access.log", waiting_for, times)


def wait_for_text(path: Path, needle: str, times: int = 1, seconds: float = 15) -> str:
    """Return a log file's text once ``needle`` occurs ``times`` times (fail after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        text = path.read_text(errors="replace") if path.exists() else ""
        if text.count(needle) >= times:
            return text
        if time.monotonic() > deadline:
            pytest.fail(f"{path.name} never showed {needle!r}: {text[-500:]!r}")
        time.sleep(0.05)


def site_config(
    folder: Path, https: int, http_port: int, upstream: int, leaf: tuple[Path, Path], host: str
) -> str:
    """Return deploy/nginx/dataward.conf rewritten for loopback ports and this test's files."""
    text = (DEPLOY / "nginx" / "dataward.conf").read_text()
    return rewrite(
        text,
        {
            "listen [::]:80 default_server;": "",
            "listen [::]:443 ssl default_server;": "",
            "listen [::]:80;": "",
            "listen [::]:443 ssl http2;": "",
            "listen 80 default_server;": f"listen 127.0.0.1:{http_port} default_server;",
            "listen 443 ssl default_server;": f"listen 127.0.0.1:{https} ssl default_server;",
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
            "return 301 https://$host$request_uri;": f"return 301 https://$host:{https}$request_uri;",
            "server_name dataward.example.com;": f"server_name {host};",
            "/etc/ssl/dataward/fullchain.pem": str(leaf[0]),
            "/etc/ssl/dataward/privkey.pem": str(leaf[1]),
            "/var/log/nginx/": f"{folder}/",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
        },
    )


def _main_config(folder: Path) -> str:
    """Return an nginx.conf for a foreground, unprivileged nginx that includes the site file."""
    temp = "\n".join(
        f"  {kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 256; }}
http {{
{temp}
  access_log off;
  # As Debian's /etc/nginx/nginx.conf has them around the sites it includes:
  ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
  ssl_prefer_server_ciphers on;
  gzip on;
  include {folder}/site.conf;
}}
"""


@contextlib.contextmanager
def running_nginx(authority: Authority, upstream: int, host: str = HOST) -> Iterator[Proxy]:
    """Start nginx with the shipped site file in front of ``upstream``; stop it afterwards.

    nginx never runs as root: under root (as in CI containers) it is started as ``nobody``,
    in a folder of its own that ``nobody`` owns, removed afterwards.
    """
    nginx = need_nginx()
    folder = Path(tempfile.mkdtemp(prefix="dataward-nginx-"))
    try:
        leaf = authority.issue(folder, "server", [host])
        proxy = Proxy(free_port(), free_port(), folder, authority.cert_file)
        leaf_files = (leaf.cert, leaf.key)
        text = site_config(folder, proxy.https, proxy.http, upstream, leaf_files, host)
        (folder / "site.conf").write_text(text)
        (folder / "nginx.conf").write_text(_main_config(folder))
        drop: dict[str, object] = {}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            for path in (folder, *folder.iterdir()):
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            drop = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        base = [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")]
        base += ["-e", str(folder / "error.log")]
        checked = subprocess.run(
            [*base, "-t"], capture_output=True, text=True, timeout=30, check=False, **drop
        )  # type: ignore[call-overload]
        assert checked.returncode == 0, checked.stderr
        with subprocess.Popen(base, stderr=subprocess.DEVNULL, **drop) as proc:  # type: ignore[call-overload]
            try:
                wait_for_port(proxy.https, proc, "nginx")
                wait_for_port(proxy.http, proc, "nginx")
                yield proxy
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Answer:
    """One HTTP response: status, headers (repeated ones kept) and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def all(self, name: str) -> list[str]:
        """Return every value of a header (case-insensitive)."""
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def one(self, name: str) -> str:
        """Return the header's single value (fails when it is absent or repeated)."""
        values = self.all(name)
        assert len(values) == 1, (name, values)
        return values[0]


class _Loopback(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1, sending ``host`` as SNI and checking the certificate names it."""

    def __init__(self, host: str, port: int, context: ssl.SSLContext) -> None:
        super().__init__(host, port, context=context, timeout=30)
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


@dataclass
class Browser:
    """A minimal HTTPS client with a cookie jar, as a browser on https://dataward.test:PORT."""

    proxy: Proxy
    host: str = HOST
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        """Return the origin a browser would send from this site's pages."""
        return f"https://{self.host}:{self.proxy.https}"

    def connection(self, newest: ssl.TLSVersion | None = None) -> http.client.HTTPSConnection:
        """Return a connection that trusts only the test CA (and offers TLS up to ``newest``)."""
        context = ssl.create_default_context(cafile=str(self.proxy.ca_file))
        if newest is not None:
            context.maximum_version = newest
        return _Loopback(self.host, self.proxy.https, context)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Send one request with the jar's cookies; keep the cookies the answer sets."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            answer = Answer(response.status, response.getheaders(), response.read())
        finally:
            conn.close()
        for cookie in answer.all("Set-Cookie"):
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return answer

    def form(
        self,
        path: str,
        fields: dict[str, str],
        origin: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> Answer:
        """POST a form the way a browser does from this site (Origin, Referer, CSRF token)."""
        from urllib.parse import urlencode

        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin or self.origin,
            "Referer": f"{origin or self.origin}{path}",
            **(extra or {}),
        }
        return self.request("POST", path, urlencode(fields).encode(), headers)


def plain_http(port: int, path: str, host: str) -> Answer:
    """Send one plain-HTTP GET to 127.0.0.1:port with this Host header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        conn.close()


class _Echo(BaseHTTPRequestHandler):
    """Answer every request with the headers it arrived with, as JSON."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = json.dumps([[k, v] for k, v in self.headers.items()]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """Keep the test output quiet."""


@contextlib.contextmanager
def echo_upstream() -> Iterator[int]:
    """Run an HTTP server on loopback that echoes request headers; yield its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
