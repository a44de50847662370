"""The disposal primitives against every way a file can be swapped, linked or cut short."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from dataward.retention.engine import dispose as engine
from dataward.retention.engine.dispose import (
    FailedError,
    GoneError,
    RefusedError,
    Target,
    dispose,
    finish,
    gone,
    measure,
)

DATA = b"acct,card\n1,4539148803436467\n"


def _file(root: Path, rel: str, data: bytes = DATA) -> Target:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Target(str(root), rel)


@pytest.mark.parametrize("method", ["delete", "overwrite"])
def test_a_root_that_became_a_symlink_is_refused(tmp_path: Path, method: str) -> None:
    real = tmp_path / "real"
    t = _file(real, "a.csv")
    size, sha = measure(t)
    (tmp_path / "share").symlink_to(real)
    with pytest.raises(RefusedError, match="symlink"):
        dispose(Target(str(tmp_path / "share"), "a.csv"), size, sha, method)
    assert (real / "a.csv").read_bytes() == DATA


def test_a_folder_above_the_root_that_became_a_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    _file(real / "share", "a.csv")
    size, sha = measure(Target(str(real / "share"), "a.csv"))
    (tmp_path / "mnt").symlink_to(real)
    with pytest.raises(RefusedError, match="symlink"):
        measure(Target(str(tmp_path / "mnt" / "share"), "a.csv"))
    with pytest.raises(RefusedError, match="symlink"):
        dispose(Target(str(tmp_path / "mnt" / "share"), "a.csv"), size, sha, "delete")
    assert (real / "share" / "a.csv").exists()


def test_a_relative_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="absolute"):
        measure(Target("share", "a.csv"))


@pytest.mark.parametrize("method", ["delete", "overwrite"])
def test_a_hard_linked_file_is_refused_and_its_other_name_kept(tmp_path: Path, method: str) -> None:
    t = _file(tmp_path / "share", "a.csv")
    size, sha = measure(t)
    (tmp_path / "held").mkdir()
    os.link(tmp_path / "share" / "a.csv", tmp_path / "held" / "evidence.csv")
    with pytest.raises(RefusedError, match="hard links"):
        dispose(t, size, sha, method)
    assert (tmp_path / "held" / "evidence.csv").read_bytes() == DATA
    assert (tmp_path / "share" / "a.csv").read_bytes() == DATA


def test_a_fifo_swapped_in_after_the_check_is_refused_without_hanging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = _file(tmp_path, "a.csv")
    size, sha = measure(t)
    checked = os.stat(tmp_path / "a.csv")
    (tmp_path / "a.csv").unlink()
    os.mkfifo(tmp_path / "a.csv")
    monkeypatch.setattr(engine, "_regular", lambda name, dir_fd: checked)
    signal.alarm(10)  # a blocking open of the FIFO would hang here forever
    try:
        with pytest.raises(RefusedError, match="replaced"):
            dispose(t, size, sha, "overwrite")
    finally:
        signal.alarm(0)
    assert (tmp_path / "a.csv").is_fifo()


def test_a_name_with_a_backslash_is_one_file_not_a_folder(tmp_path: Path) -> None:
    t = _file(tmp_path, "exports/a\\b.csv")
    (tmp_path / "exports" / "a").mkdir()
    (tmp_path / "exports" / "a" / "b.csv").write_bytes(DATA)
    size, sha = measure(t)
    dispose(t, size, sha, "delete")
    assert not (tmp_path / "exports" / "a\\b.csv").exists()
    assert (tmp_path / "exports" / "a" / "b.csv").exists()


def test_a_folder_put_in_the_files_place_before_unlink_fails_cleanly(tmp_path: Path) -> None:
    t = _file(tmp_path, "a.csv")
    size, sha = measure(t)

    def swap(_ident: str) -> None:
        (tmp_path / "a.csv").rename(tmp_path / "moved.csv")
        (tmp_path / "a.csv").mkdir()

    with pytest.raises(FailedError, match="another file took its name"):
        dispose(t, size, sha, "overwrite", swap)
    assert (tmp_path / "a.csv").is_dir()
    assert (tmp_path / "moved.csv").read_bytes() == bytes(size)  # the checked inode was zeroed


def test_finish_completes_a_half_overwritten_file_only_if_it_is_the_same_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = _file(tmp_path, "a.csv")
    size, sha = measure(t)
    seen: list[str] = []

    def crash(fd: int, n: int) -> None:
        os.pwrite(fd, bytes(n // 2), 0)
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "_overwrite", crash)
    with pytest.raises(KeyboardInterrupt):
        dispose(t, size, sha, "overwrite", seen.append)
    monkeypatch.undo()
    half = (tmp_path / "a.csv").read_bytes()
    assert half != DATA
    assert half.startswith(bytes(size // 2))
    with pytest.raises(RefusedError, match="changed since the plan"):
        dispose(t, size, sha, "overwrite")  # a fresh verification cannot tell it is ours
    assert finish(t, seen[0], size, "overwrite") is True
    assert gone(t)
    assert finish(t, seen[0], size, "overwrite") is False  # already gone: nothing to do


def test_finish_refuses_a_file_put_in_place_of_the_interrupted_one(tmp_path: Path) -> None:
    t = _file(tmp_path, "a.csv")
    ident = engine.identity(os.stat(tmp_path / "a.csv"))
    (tmp_path / "a.csv").unlink()
    (tmp_path / "other.csv").write_bytes(DATA)  # keeps the first inode number busy
    _file(tmp_path, "a.csv", DATA)
    if engine.identity(os.stat(tmp_path / "a.csv")) == ident:
        pytest.skip("the file system reused the inode at once")
    with pytest.raises(RefusedError, match="replaced"):
        finish(t, ident, len(DATA), "overwrite")
    assert (tmp_path / "a.csv").read_bytes() == DATA


def test_gone_is_only_true_when_the_file_is_really_absent(tmp_path: Path) -> None:
    t = _file(tmp_path / "share", "x/a.csv")
    assert not gone(t)
    (tmp_path / "share" / "x").rename(tmp_path / "elsewhere")
    (tmp_path / "share" / "x").symlink_to(tmp_path / "elsewhere")
    assert not gone(t)  # hidden behind a symlink is not gone
    with pytest.raises(RefusedError, match="symlink"):
        measure(t)
    (tmp_path / "share" / "x").unlink()
    assert gone(t)
    with pytest.raises(GoneError):
        measure(t)
