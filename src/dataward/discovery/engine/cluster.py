"""Connect a scan to a Dask scheduler, or start a LocalCluster for it, and check what runs there.

A scheduler address is probed with a plain TCP connection first (a few seconds at most), so a
wrong host or port is one line at once rather than Dask's connect retries. The scheduler and
every worker must import the same dataward: the scheduler unpickles the submitted tasks (their
function is dataward's) and the workers run them; :func:`check_cluster` asks each and names the
first one that cannot or runs another version, or cannot see a scanned folder.

Ctrl-C is held back while the LocalCluster starts (its worker processes inherit an ignored
SIGINT: this process owns the interrupt and stops them). An interrupt pressed meanwhile is acted
on once the start is over: the cluster is stopped, then ``KeyboardInterrupt`` raised, so nothing
is left running.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing import resource_tracker
from typing import Any

from dataward import __version__
from dataward.errors import DatawardError

#: Seconds for the TCP probe, for Dask's connection, and for disconnecting at the end.
PROBE_TIMEOUT = 5
CONNECT_TIMEOUT = 15
CLOSE_TIMEOUT = 10
#: Dask's own default scheduler port, used when an address names none.
DEFAULT_PORT = 8786
_HINT = "start the scheduler (dask scheduler) or check --scheduler; e.g. tls://host:8786"
_SAME = "install dataward {version} (the same version) on the Dask scheduler and every worker"


@dataclass
class Cluster:
    """A connected Dask client and, for ``--workers N``, the LocalCluster it started."""

    client: Any
    local: Any = None
    address: str = ""

    def close(self) -> None:
        """Disconnect, and stop the LocalCluster if this scan started one.

        Bounded even when the scheduler is gone; a Ctrl-C meanwhile is dropped, not half-done.
        """
        _ctrl_c_held(lambda: _close_quietly([self.client, self.local]))

    def lost(self) -> bool:
        """Return True once the client has lost its scheduler (it is reconnecting or closed)."""
        return str(self.client.status) != "running"

    def threads(self) -> int:
        """Return the worker threads the scheduler knows of now (at least 1)."""
        return max(1, int(sum(self.client.nthreads().values())))


def connect(scheduler: str = "", workers: int = 0) -> Cluster:
    """Connect to a scheduler address, or start a LocalCluster of ``workers`` processes."""
    _quiet()
    dask: Any = importlib.import_module("distributed")  # untyped library
    security = dask.security.Security()  # Dask's config and DASK_DISTRIBUTED__COMM__* variables
    if not scheduler:
        return _start_local(dask, workers, encrypt=bool(security.require_encryption))
    address = _address(scheduler)
    if security.require_encryption and not address.startswith("tls://"):
        raise DatawardError(
            "Dask's settings require encryption, and this address is not tls://", address,
            "give the scheduler's tls:// address",
        )  # fmt: skip
    if address.startswith("tls://") and not _tls_configured(security):
        raise DatawardError(
            "a tls:// scheduler needs Dask's TLS settings", address,
            "set DASK_DISTRIBUTED__COMM__TLS__CA_FILE, …__TLS__CLIENT__CERT and "
            "…__TLS__CLIENT__KEY (or the same in Dask's config file)",
        )  # fmt: skip
    probe(address)
    try:
        client = dask.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError, RuntimeError) as exc:
        reason = "timed out: is it a Dask scheduler?" if isinstance(exc, TimeoutError) else None
        raise DatawardError(
            f"cannot reach the Dask scheduler ({reason or type(exc).__name__})", address, _HINT
        ) from None
    cluster = Cluster(client, None, address)
    try:
        check_scheduler(cluster)
    except BaseException:
        cluster.close()
        raise
    return cluster


def _address(scheduler: str) -> str:
    """Return the address with a scheme (tcp:// by default) and a port (Dask's 8786)."""
    from distributed.comm.addressing import parse_address, parse_host_port, unparse_host_port

    scheme, where = parse_address(scheduler if "://" in scheduler else f"tcp://{scheduler}")
    if scheme not in ("tcp", "tls"):
        raise DatawardError(
            f"unsupported scheduler address scheme {scheme}://", scheduler, "use tls:// or tcp://"
        )
    try:
        host, port = parse_host_port(where, default_port=DEFAULT_PORT)
    except ValueError:
        raise DatawardError("not a host:port address", scheduler, _HINT) from None
    return f"{scheme}://{unparse_host_port(host, port)}"


def probe(address: str) -> None:
    """Fail in one line unless something accepts TCP connections at the address, within seconds."""
    from distributed.comm.addressing import get_address_host_port

    host, port = get_address_host_port(address)
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT):
            pass
    except socket.gaierror:
        raise DatawardError(f"unknown host {host}", address, _HINT) from None
    except TimeoutError:
        raise DatawardError(
            f"no answer from {host} port {port} within {PROBE_TIMEOUT} s", address,
            "check the host, the port and any firewall between here and the scheduler",
        ) from None  # fmt: skip
    except ConnectionRefusedError:
        raise DatawardError(f"nothing listens on {host} port {port}", address, _HINT) from None
    except OSError as exc:
        raise DatawardError(
            f"cannot reach {host} port {port} ({exc.strerror or type(exc).__name__})",
            address,
            _HINT,
        ) from None


def _tls_configured(security: Any) -> bool:
    """Return True when Dask's config gives this client a CA and certificate for tls://."""
    args = security.get_connection_args("client")
    return args.get("ssl_context") is not None


def _start_local(dask: Any, workers: int, *, encrypt: bool) -> Cluster:
    """Start a LocalCluster on 127.0.0.1; a Ctrl-C meanwhile stops it again, then interrupts."""
    made: dict[str, Any] = {}

    def start() -> None:
        try:
            made["local"] = dask.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
                security=True if encrypt else None,  # throwaway certificates
            )  # fmt: skip
            made["client"] = dask.Client(made["local"], set_as_default=False)
        except BaseException as exc:  # noqa: BLE001 - raised again below, in the caller's thread
            made["error"] = exc

    pressed = _ctrl_c_held(start)
    if pressed or "error" in made:
        _ctrl_c_held(lambda: _close_quietly([made.get("client"), made.get("local")]))
        if pressed:
            raise KeyboardInterrupt
        raise made["error"]
    return Cluster(made["client"], made["local"], made["local"].scheduler_address)


def _close_quietly(parts: Sequence[Any]) -> None:
    for part in parts:
        if part is not None:
            with suppress(Exception):
                part.close(timeout=CLOSE_TIMEOUT)


def _ctrl_c_held(work: Callable[[], None]) -> bool:
    """Run ``work`` with Ctrl-C held back from it; return whether Ctrl-C was pressed meanwhile.

    Ctrl-C reaches the whole foreground process group. While ``work`` runs (in a helper thread)
    this process ignores SIGINT, so the worker processes it starts inherit that and never print a
    traceback of their own: this process owns the interrupt and stops them. The main thread,
    with SIGINT blocked, waits for it meanwhile: Linux queues a blocked signal even when it is
    ignored, so the press is noticed, and acted on once ``work`` is done (never half-way).
    """
    if threading.current_thread() is not threading.main_thread():
        work()  # signal dispositions belong to the main thread (a scan run from a test thread)
        return False
    # Started later, multiprocessing's resource tracker would unblock SIGINT in the thread that
    # starts it, and a Ctrl-C could land (ignored) there: start it now, before anything is held.
    resource_tracker.ensure_running()
    pressed = False
    handler = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        helper = threading.Thread(target=work, name="dataward: Dask cluster", daemon=True)
        helper.start()
        while helper.is_alive():
            pressed |= signal.sigtimedwait({signal.SIGINT}, 0.1) is not None
        while signal.sigtimedwait({signal.SIGINT}, 0) is not None:  # one that just came
            pressed = True
    finally:
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return pressed


def worker_info(roots: Sequence[str]) -> tuple[str, list[bool]]:
    """Return this process's dataward version and which roots it can see (run on each worker)."""
    return __version__, [os.path.isdir(root) or os.path.isfile(root) for root in roots]


def scheduler_version() -> str:
    """Return this process's dataward version (run on the scheduler)."""
    return __version__


def check_scheduler(cluster: Cluster) -> None:
    """Fail unless the scheduler imports this dataward version (it unpickles the scan's tasks)."""
    try:
        version = str(cluster.client.run_on_scheduler(scheduler_version))
    except Exception as exc:  # noqa: BLE001 - an import error there, or a lost connection
        raise DatawardError(
            f"the Dask scheduler cannot load dataward ({type(exc).__name__})",
            cluster.address,
            _SAME.format(version=__version__),
        ) from None
    if version != __version__:
        raise DatawardError(
            f"the Dask scheduler runs dataward {version}, this command {__version__}",
            cluster.address,
            _SAME.format(version=__version__),
        )


def check_workers(cluster: Cluster, roots: Sequence[str]) -> None:
    """Fail before scanning unless every worker runs this dataward and sees every root."""
    found: dict[str, Any] = cluster.client.run(worker_info, list(roots), on_error="return")
    if not found:
        raise DatawardError(
            "the Dask scheduler has no workers", cluster.address, "start dask worker processes"
        )
    for worker, info in sorted(found.items()):
        if isinstance(info, BaseException):
            # Dask may wrap the worker's error in a plain Exception; its text names the type.
            kind = type(info).__name__
            kind = "ModuleNotFoundError" if "ModuleNotFoundError" in f"{kind} {info}" else kind
            raise DatawardError(
                f"Dask worker {worker} cannot load dataward ({kind})",
                cluster.address,
                _SAME.format(version=__version__),
            )
        version, seen = info
        if version != __version__:
            raise DatawardError(
                f"Dask worker {worker} runs dataward {version}, this command {__version__}",
                cluster.address,
                _SAME.format(version=__version__),
            )
        for root, ok in zip(roots, seen, strict=True):
            if not ok:
                raise DatawardError(
                    f"Dask worker {worker} cannot see {root}",
                    cluster.address,
                    "mount the share at the same path on every worker",
                )


def _quiet() -> None:
    """Keep Dask's own logging to errors: progress is ours, and logs go to stderr anyway."""
    for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.ERROR)
