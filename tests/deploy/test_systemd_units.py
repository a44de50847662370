"""The systemd units under deploy/systemd: systemd's own checks, and what they must say.

`systemd-analyze verify` parses each unit as systemd would load it (unknown keys, bad values,
a missing binary, a timer without its service) and `systemd-analyze security --offline` scores
the sandboxing, both without a running systemd. The installed paths are rewritten to this
checkout's virtualenv and deploy/bin, so the binaries the units start really exist.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.files import DEPLOY, UNITS, VENV_BIN, command, read_env_file, unit_text, value

ANALYZE = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"
SERVICES = sorted(p.name for p in UNITS.glob("*.service"))
TIMERS = sorted(p.name for p in UNITS.glob("*.timer"))
#: systemd-analyze security's exposure level runs from 0 (locked down) to 10 (no sandbox at
#: all); these units must stay in its "OK" band.
MAX_EXPOSURE = 2.0


def _loadable(name: str) -> str:
    """Return the name systemd-analyze is given: a template gets an instance."""
    return name.replace("@.", "@01.")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write every unit, paths rewritten to this checkout, into one folder."""
    if not Path(ANALYZE).exists():
        pytest.skip("systemd-analyze not found (Debian package systemd)")
    folder = tmp_path_factory.mktemp("units")
    for path in UNITS.iterdir():
        (folder / path.name).write_text(unit_text(path.name))
    return folder


def _analyze(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ANALYZE, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("name", SERVICES + TIMERS)
def test_systemd_analyze_verify_reports_nothing(rendered: Path, name: str) -> None:
    done = _analyze("verify", f"./{_loadable(name)}", cwd=rendered)
    assert done.returncode == 0, done.stderr
    assert not (done.stdout + done.stderr).strip()


def test_verify_does_report_a_broken_unit(rendered: Path) -> None:
    broken = rendered / "broken-copy.service"
    text = unit_text("dataward-web.service")
    text = text.replace("NoNewPrivileges=yes", "NoNewPrivilege=yes")
    broken.write_text(text.replace(str(VENV_BIN / "dataward"), "/nonexistent/dataward"))
    done = _analyze("verify", "./broken-copy.service", cwd=rendered)
    assert done.returncode != 0
    assert "Unknown key 'NoNewPrivilege'" in done.stderr
    assert "/nonexistent/dataward is not executable" in done.stderr
    broken.unlink()


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_sandboxed(rendered: Path, name: str) -> None:
    done = _analyze("security", "--offline=yes", f"./{_loadable(name)}", cwd=rendered)
    assert done.returncode == 0, done.stderr
    level = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert level, done.stdout[-500:]
    assert float(level.group(1)) <= MAX_EXPOSURE, done.stdout


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_as_dataward_with_the_common_hardening(name: str) -> None:
    text = unit_text(name)
    assert value(text, "Service", "User") == "dataward"
    for key, expected in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "UMask": "0077",
        "CapabilityBoundingSet": "",
    }.items():
        assert value(text, "Service", key) == expected, (name, key)
    argv = command(value(text, "Service", "ExecStart"), _placeholders(), instance="01")
    assert Path(argv[0]).exists(), argv[0]


def _placeholders() -> dict[str, str]:
    return read_env_file((DEPLOY / "dask.env.example").read_text())


def test_only_the_workspace_and_the_backups_are_writable() -> None:
    writable = {
        name: value(unit_text(name), "Service", "ReadWritePaths")
        for name in SERVICES
        if "ReadWritePaths=" in unit_text(name)
    }
    assert writable == {
        "dataward-web.service": "/var/lib/dataward",
        "dataward-remind.service": "/var/lib/dataward",
        "dataward-backup.service": "/var/lib/dataward /var/backups/dataward",
    }  # the Dask units write nothing but their private /tmp: the shares stay read-only


@pytest.mark.parametrize("name", TIMERS)
def test_each_timer_starts_its_service_and_catches_up(name: str) -> None:
    assert (UNITS / name.replace(".timer", ".service")).exists()
    assert value(unit_text(name), "Timer", "Persistent") == "true"
    assert value(unit_text(name), "Install", "WantedBy") == "timers.target"


def test_the_units_agree_with_the_proxy_and_the_cluster_settings() -> None:
    web = command(value(unit_text("dataward-web.service"), "Service", "ExecStart"), {})
    assert web[1:] == ["serve", "--host", "127.0.0.1", "--port", "8000", "--workers", "4"]
    nginx = (DEPLOY / "nginx" / "dataward.conf").read_text()
    assert "server 127.0.0.1:8000;" in nginx  # the upstream is the port the unit serves on
    env = _placeholders()
    scheduler = command(value(unit_text("dataward-scheduler.service"), "Service", "ExecStart"), env)
    port = scheduler[scheduler.index("--port") + 1]
    assert env["SCHEDULER_ADDRESS"].endswith(f":{port}")
    assert scheduler[scheduler.index("--protocol") + 1] == "tls"
    worker_unit = unit_text("dataward-worker@.service")
    worker = command(value(worker_unit, "Service", "ExecStart"), env, instance="07")
    assert worker[2] == env["SCHEDULER_ADDRESS"]
    assert worker[worker.index("--worker-port") + 1] == "9007"
    assert worker[worker.index("--nanny-port") + 1] == "9107"
    for argv in (scheduler, worker):  # Dask's status pages never leave the machine
        assert argv[argv.index("--dashboard-address") + 1].startswith("127.0.0.1:")


def test_the_web_unit_waits_for_gunicorns_ready_message() -> None:
    text = unit_text("dataward-web.service")
    assert value(text, "Service", "Type") == "notify"
    assert value(text, "Service", "NotifyAccess") == "main"
    # tests/deploy/test_nginx.py starts `dataward serve` with NOTIFY_SOCKET set and waits for
    # READY=1 on it, as systemd would.
