"""Run sslyze in its own process and environment, and read its JSON output.

sslyze is AGPL-3.0 and pins its own ``cryptography``, so dataward never imports it: it runs
``<python> -m sslyze --json_out=-`` (or the ``sslyze`` script) found by, in order, the
``--sslyze`` option, ``DATAWARD_SSLYZE``, a ``.venv-sslyze`` beside the workspace, in the current
folder or in dataward's source checkout, and ``sslyze`` on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from dataward.encryption.engine.sslyze_json import SslyzeOutputError, parse
from dataward.encryption.engine.tls_facts import TlsFacts, endpoint_label
from dataward.errors import DatawardError

ENV = "DATAWARD_SSLYZE"
VENV = ".venv-sslyze"
INSTALL = (
    f"install it in its own environment: python3 -m venv {VENV} && "
    f"{VENV}/bin/pip install -r requirements-sslyze.lock (or pip install sslyze==6.3.1), "
    f"or point --sslyze / {ENV} at it"
)
#: The scan commands dataward asks for: every protocol, certificates, HTTP headers, curves and
#: the known vulnerabilities; sslyze's own Mozilla check is off (dataward judges the results).
COMMANDS = (
    "--sslv2",
    "--sslv3",
    "--tlsv1",
    "--tlsv1_1",
    "--tlsv1_2",
    "--tlsv1_3",
    "--certinfo",
    "--http_headers",
    "--elliptic_curves",
    "--heartbleed",
    "--openssl_ccs",
    "--robot",
    "--compression",
    "--reneg",
)
#: The time limit of one run: a base plus a share per endpoint (sslyze scans them concurrently).
BASE_SECONDS = 120
PER_ENDPOINT_SECONDS = 15


def _command_for(path: Path) -> list[str] | None:
    """Return how to run sslyze from a venv folder, a Python interpreter or the sslyze script."""
    if path.is_dir():
        python = path / "bin" / "python"
        return [str(python), "-m", "sslyze"] if python.is_file() else None
    if not path.is_file() or not os.access(path, os.X_OK):
        return None
    if path.name.startswith("python"):
        return [str(path), "-m", "sslyze"]
    return [str(path)]


def _candidates(workspace: Path | None) -> list[Path]:
    import dataward

    checkout = Path(dataward.__file__).resolve().parents[2]
    places = [Path.cwd(), checkout]
    if workspace is not None:
        places[:0] = [workspace, workspace.parent]
    return [p / VENV for p in dict.fromkeys(places)]


def locate(option: str | None, env: Mapping[str, str], workspace: Path | None = None) -> list[str]:
    """Return the command that runs sslyze, or raise one line saying how to install it."""
    given = option or env.get(ENV)
    if given:
        where = "--sslyze" if option else ENV
        command = _command_for(Path(given).expanduser())
        if command is None:
            raise DatawardError(f"no sslyze at {given}", where, INSTALL)
        return command
    for venv in _candidates(workspace):
        command = _command_for(venv)
        if command is not None:
            return command
    script = shutil.which("sslyze")
    if script:
        return [script]
    raise DatawardError("sslyze is not installed", "tls check", INSTALL)


def _child_env() -> dict[str, str]:
    """Return the environment for sslyze: no dataward secrets, no Python path of ours."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DATAWARD_") and k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["PYTHONWARNINGS"] = "ignore"
    return env


def arguments(targets: Sequence[tuple[str, int]], ca_file: Path | None) -> list[str]:
    """Return sslyze's arguments for the targets (JSON on stdout, dataward's scan commands)."""
    args = ["--json_out=-", "--mozilla_config=disable", *COMMANDS]
    if ca_file is not None:
        args.append(f"--certinfo_ca_file={ca_file}")
    return args + [endpoint_label(h, p) for h, p in targets]


def run(
    command: Sequence[str],
    targets: Sequence[tuple[str, int]],
    now: datetime,
    ca_file: Path | None = None,
    timeout: float | None = None,
) -> list[TlsFacts]:
    """Check the targets with sslyze and return one TlsFacts each, in the order given."""
    if ca_file is not None and not ca_file.is_file():
        raise DatawardError("CA file not found", str(ca_file), "give a PEM file of CA certificates")
    limit = timeout or BASE_SECONDS + PER_ENDPOINT_SECONDS * len(targets)
    proc = subprocess.Popen(
        [*command, *arguments(targets, ca_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_child_env(),
        start_new_session=True,  # so a timeout can stop sslyze's worker processes too
    )
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        hint = "check fewer endpoints at once, or check that they answer"
        raise DatawardError(
            f"sslyze did not finish within {limit:.0f} s", "tls check", hint
        ) from None
    return _read(out, err, proc.returncode, targets, now)


def _read(
    out: bytes, err: bytes, code: int, targets: Sequence[tuple[str, int]], now: datetime
) -> list[TlsFacts]:
    """Parse sslyze's output; a failed run is one line naming its last error line."""
    try:
        facts = parse(json.loads(out.decode("utf-8")), now)
    except (ValueError, UnicodeDecodeError, SslyzeOutputError):
        lines = [ln.strip() for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
        last = lines[-1][:200] if lines else f"exit status {code}, no output"
        hint = "run it by hand with --help to see whether it works; " + INSTALL
        raise DatawardError(f"sslyze failed ({last})", "tls check", hint) from None
    by_target = {(f.host.lower(), f.port): f for f in facts}
    results = []
    for host, port in targets:
        found = by_target.get((host.lower(), port))
        results.append(found or TlsFacts(host, port, now, error="sslyze returned no result"))
    return results
