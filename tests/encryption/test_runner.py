"""Finding sslyze, running it in a clean environment with a time limit, reading its output.

Fake ``sslyze`` scripts stand in where the behaviour under test is dataward's own (where it
looks, what environment it passes, what happens on a hang or on junk output).
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dataward.encryption import runner
from dataward.errors import DatawardError

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _venv(root: Path) -> Path:
    python = root / "bin" / "python"
    python.parent.mkdir(parents=True)
    _script(python, "")
    return root


def test_the_option_wins_then_the_environment(tmp_path: Path) -> None:
    opt = _script(tmp_path / "sslyze", "")
    env_venv = _venv(tmp_path / "env-venv")
    assert runner.locate(str(opt), {runner.ENV: str(env_venv)}) == [str(opt)]
    assert runner.locate(None, {runner.ENV: str(env_venv)}) == [
        str(env_venv / "bin" / "python"),
        "-m",
        "sslyze",
    ]


def test_a_venv_beside_the_workspace_is_found(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    ws = tmp_path / "project" / ".dataward"
    ws.mkdir(parents=True)
    venv = _venv(tmp_path / "project" / runner.VENV)
    assert runner.locate(None, {}, ws) == [str(venv / "bin" / "python"), "-m", "sslyze"]


def test_missing_sslyze_is_one_line_saying_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(DatawardError) as bad:
        runner.locate(str(tmp_path / "nope"), {})
    line = bad.value.line()
    assert "\n" not in line
    assert "--sslyze" in line
    assert "pip install -r requirements-sslyze.lock" in line


def test_nothing_anywhere_says_not_installed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(runner, "_candidates", lambda workspace: [tmp_path / runner.VENV])
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DatawardError, match="sslyze is not installed; install it"):
        runner.locate(None, {})


def test_sslyze_runs_without_dataward_secrets_in_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "env.json"
    fake = _script(
        tmp_path / "sslyze",
        "import json, os, sys\n"
        f"json.dump({{'env': dict(os.environ), 'argv': sys.argv[1:]}}, open({str(seen)!r}, 'w'))\n"
        "print(json.dumps({'server_scan_results': [], 'invalid_server_strings': []}))\n",
    )
    monkeypatch.setenv("DATAWARD_KEY", "c2VjcmV0")
    monkeypatch.setenv("DATAWARD_DATABASE_URL", "postgresql://u:pw@db/x")
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    [facts] = runner.run([str(fake)], [("127.0.0.1", 8443)], NOW, ca)
    assert facts.error == "sslyze returned no result"
    got = json.loads(seen.read_text())
    assert not [k for k in got["env"] if k.startswith("DATAWARD_")]
    assert "--json_out=-" in got["argv"]
    assert "--mozilla_config=disable" in got["argv"]
    assert f"--certinfo_ca_file={ca}" in got["argv"]
    assert got["argv"][-1] == "127.0.0.1:8443"


def test_a_hung_sslyze_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    fake = _script(
        tmp_path / "sslyze",
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n",
    )
    start = time.monotonic()
    with pytest.raises(DatawardError, match="did not finish within 2 s"):
        runner.run([str(fake)], [("127.0.0.1", 443)], NOW, timeout=2)
    assert time.monotonic() - start < 30
    child = int(marker.read_text())
    for _ in range(50):  # the whole process group was killed; give the kernel a moment
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("sslyze's child process survived the time limit")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("import sys; sys.stderr.write('Traceback\\nModuleNotFoundError: nassl\\n'); sys.exit(1)",
         "sslyze failed (ModuleNotFoundError: nassl)"),
        ("print('not json')", "sslyze failed (exit status 0, no output)"),
        ("print('{\"other\": 1}')", "sslyze failed"),
    ],
)  # fmt: skip
def test_a_broken_sslyze_is_one_line(tmp_path: Path, body: str, needle: str) -> None:
    fake = _script(tmp_path / "sslyze", body + "\n")
    with pytest.raises(DatawardError) as bad:
        runner.run([str(fake)], [("127.0.0.1", 443)], NOW)
    assert needle in bad.value.line()
    assert "\n" not in bad.value.line()


def test_a_missing_ca_file_is_refused_before_running(tmp_path: Path) -> None:
    with pytest.raises(DatawardError, match="CA file not found"):
        runner.run(["/bin/false"], [("127.0.0.1", 443)], NOW, tmp_path / "none.pem")


def test_sslyze_is_never_imported_by_dataward() -> None:
    import ast

    src = Path(runner.__file__).resolve().parents[1]
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] in ("sslyze", "nassl") for n in names), path
    assert "sslyze" not in sys.modules


def test_without_sslyze_tls_tests_skip_unless_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from encryption import tls_servers

    monkeypatch.setattr(runner, "_candidates", lambda workspace: [])
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(runner.ENV, raising=False)
    monkeypatch.delenv(tls_servers.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="sslyze not available"):
        tls_servers.require_sslyze()
    monkeypatch.setenv(tls_servers.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="DATAWARD_REQUIRE_SSLYZE=1 requires it"):
        tls_servers.require_sslyze()
