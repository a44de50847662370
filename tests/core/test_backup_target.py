"""Where a backup goes: never into the workspace, a link or a folder; whole or not at all."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.test_backup_support import build_source
from helpers import assert_one_line_error

CODE = "import sys; from dataward.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> dict[str, Any]:
    return build_source(tmp_path_factory.mktemp("source"), sqlite_template)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _inside(root: Path, tmp: Path) -> Path:
    return root / "x.dwbackup"


def _in_state(root: Path, tmp: Path) -> Path:
    return root / "reports" / "x.dwbackup"


def _through_link(root: Path, tmp: Path) -> Path:
    (tmp / "link").symlink_to(root)
    return tmp / "link" / "x.dwbackup"


@pytest.mark.parametrize("where", [_inside, _in_state, _through_link])
def test_backup_inside_the_workspace_is_refused(
    source: dict[str, Any], cli: Any, tmp_path: Path, where: Any
) -> None:
    root = source["root"]
    (root / "reports").mkdir(exist_ok=True)
    dest = where(root, tmp_path)
    result = cli("-w", str(root), "backup", str(dest), "--force")
    assert_one_line_error(result, "must not be written inside the workspace", str(dest))
    assert not dest.exists()
    assert not _leftovers(dest.parent)


def test_symbolic_link_at_the_target_is_refused_even_with_force(
    source: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    real = tmp_path / "real.dwbackup"
    real.write_bytes(b"keep me")
    for name, target in (("link.dwbackup", real), ("dangling.dwbackup", tmp_path / "none")):
        link = tmp_path / name
        link.symlink_to(target)
        for force in ((), ("--force",)):
            result = cli("-w", str(source["root"]), "backup", str(link), *force)
            assert_one_line_error(result, "symbolic link", str(link))
            assert link.is_symlink()
    assert real.read_bytes() == b"keep me"
    assert not (tmp_path / "none").exists()
    assert not _leftovers(tmp_path)


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: os.mkfifo(p), "not a regular file"),
    ],
    ids=["folder", "fifo"],
)
def test_target_that_is_not_a_file_is_refused_even_with_force(
    source: dict[str, Any], cli: Any, tmp_path: Path, make: Any, needle: str
) -> None:
    dest = tmp_path / "x.dwbackup"
    make(dest)
    assert_one_line_error(cli("-w", str(source["root"]), "backup", str(dest), "--force"), needle)
    assert not _leftovers(tmp_path)


def test_missing_folder_is_refused(source: dict[str, Any], cli: Any, tmp_path: Path) -> None:
    dest = tmp_path / "no" / "x.dwbackup"
    assert_one_line_error(cli("-w", str(source["root"]), "backup", str(dest)), "no such folder")


def test_leftovers_of_killed_backups_are_removed(
    source: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    """A kill -9 leaves a temporary file; the next backup to that name removes it, not others'."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = tmp_path / f".x.dwbackup.{int(dead.stdout)}.0badc0de.tmp"
    live = tmp_path / f".x.dwbackup.{os.getpid()}.0badc0de.tmp"
    unrelated = tmp_path / f".y.dwbackup.{int(dead.stdout)}.0badc0de.tmp"
    for path in (stale, live, unrelated):
        path.write_bytes(b"partial")
    assert cli("-w", str(source["root"]), "backup", str(tmp_path / "x.dwbackup")).code == 0
    assert not stale.exists()
    assert live.exists()
    assert unrelated.exists()


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("DATAWARD_")}


@contextlib.contextmanager
def _huge_state_file(root: Path) -> Iterator[None]:
    """Add a sparse 64 GiB state file (no disk used): a backup then reads it for minutes."""
    huge = root / "evidence" / ("ee" * 32)
    with huge.open("wb") as handle:
        handle.truncate(64 * 2**30)
    try:
        yield
    finally:
        huge.unlink()


def _when_writing(out: Path, act: Callable[[], None], alive: Callable[[], bool]) -> None:
    """Wait until a temporary archive appears in ``out`` (the backup is writing), then act."""
    deadline = time.monotonic() + 120
    while not _leftovers(out):
        assert alive(), "the backup ended before it wrote anything"
        assert time.monotonic() < deadline, "the backup never started writing"
        time.sleep(0.01)
    act()


def test_sigterm_during_backup_leaves_no_file(source: dict[str, Any], tmp_path: Path) -> None:
    """As systemd stops a run: the process removes its temporary file and exits 130."""
    out = tmp_path / "out"
    out.mkdir()
    root = source["root"]
    with _huge_state_file(root):
        proc = subprocess.Popen(
            [sys.executable, "-c", CODE, "-w", str(root), "backup", str(out / "x.dwbackup")],
            env=_env(), stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        _when_writing(out, proc.terminate, lambda: proc.poll() is None)
        _, errors = proc.communicate(timeout=60)
    assert proc.returncode == 130, errors
    assert "interrupted" in errors
    assert "Traceback" not in errors
    assert list(out.iterdir()) == []


def test_ctrl_c_during_backup_leaves_no_file(
    source: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    """Ctrl-C (SIGINT to this process, the command running here) while the archive is written."""
    out = tmp_path / "out"
    out.mkdir()
    root = source["root"]
    with _huge_state_file(root):
        running = threading.Event()
        running.set()
        sender = threading.Thread(
            target=_when_writing,
            args=(out, lambda: os.kill(os.getpid(), signal.SIGINT), running.is_set),
        )
        sender.start()
        try:
            result = cli("-w", str(root), "backup", str(out / "x.dwbackup"))
        finally:
            running.clear()
            sender.join()
    assert result.code == 130, result
    assert "interrupted" in result.err
    assert list(out.iterdir()) == []


def test_full_disk_is_one_line_and_leaves_no_file(source: dict[str, Any], tmp_path: Path) -> None:
    """The file size limit makes writes fail as a full disk does (EFBIG in place of ENOSPC)."""
    big = source["root"] / "evidence" / ("ff" * 32)
    big.write_bytes(os.urandom(6 * 2**20))
    limit = 3 * 2**20

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    out = tmp_path / "out"
    out.mkdir()
    dest = out / "x.dwbackup"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CODE, "-w", str(source["root"]), "backup", str(dest)],
            env=_env(), capture_output=True, text=True, timeout=120, preexec_fn=limited,
            check=False,
        )  # fmt: skip
    finally:
        big.unlink()
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: {dest}: cannot write the backup (File too large)")
    assert list(out.iterdir()) == []


def test_state_file_name_that_is_not_utf8_is_refused(
    source: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    odd = source["root"] / "reports" / os.fsdecode(b"r\xe9sum\xe9.html")
    odd.parent.mkdir(exist_ok=True)
    odd.write_text("<p>report</p>")
    try:
        result = cli("-w", str(source["root"]), "backup", str(tmp_path / "x.dwbackup"))
    finally:
        odd.unlink()
    assert_one_line_error(result, "not valid UTF-8", "rename the file")
    assert list(tmp_path.iterdir()) == []


def test_restore_from_a_folder_it_replaces_is_refused(
    source: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    """A backup kept in reports/ would be moved aside and deleted by the restore itself."""
    inside = source["root"] / "reports" / "kept.dwbackup"
    inside.parent.mkdir(exist_ok=True)
    inside.write_bytes(source["archive"].read_bytes())
    try:
        result = cli("-w", str(source["root"]), "restore", str(inside), "--force")
        assert_one_line_error(result, "inside a folder the restore replaces", str(inside))
        assert inside.read_bytes() == source["archive"].read_bytes()
    finally:
        inside.unlink()
