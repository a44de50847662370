"""Run the web app under gunicorn: the workspace is opened once, then each worker serves it."""

from __future__ import annotations

import gc
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from dataward.core.workspace import Workspace


class DatawardServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with its settings given here, not read from a command line or file."""

    def __init__(self, ws: Workspace, options: dict[str, Any]) -> None:
        self.ws = ws
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply our options to gunicorn's configuration."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Return the WSGI app in each worker, serving the workspace opened before the fork."""
        from django.core.wsgi import get_wsgi_application

        from dataward.web.app import serve

        serve(self.ws)
        application = get_wsgi_application()
        gc.collect()
        gc.freeze()  # start-up objects leave the collector's view: no long pauses on requests
        return application


def options(host: str, port: int, workers: int) -> dict[str, Any]:
    """Return gunicorn's settings: bounded workers and timeouts, logs on stderr."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": bind,
        "workers": max(1, min(workers, 16)),
        "worker_class": "sync",
        "timeout": 120,
        "graceful_timeout": 20,
        "limit_request_line": 8190,
        "forwarder_headers": "",  # never take SCRIPT_NAME or PATH_INFO from a request header
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        "preload_app": False,
        "worker_exit": _close_database,
    }


def _close_database(server: Any, worker: Any) -> None:
    """Close a stopping worker's pooled connections, so the server sees a clean sign-off."""
    from dataward.runtime import close_database

    close_database()


def run(ws: Workspace, host: str, port: int, workers: int, banner: str = "") -> None:
    """Serve until interrupted; connections are closed before gunicorn forks.

    On PostgreSQL each worker then connects as "dataward web", with the pool or persistent
    connections DATAWARD_DB_POOL or DATAWARD_DB_CONN_MAX_AGE ask for.
    """
    from dataward.core.backup_busy import serving
    from dataward.runtime import serve_database

    serve_database(ws.config)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    with serving(ws.paths.root):  # `dataward restore` refuses while this lock is held
        print(banner or f"dataward is serving {ws.paths.root} at {url}", file=sys.stderr)
        DatawardServer(ws, options(host, port, workers)).run()
