"""The disposal primitives on real files: unchanged files go, anything else is refused untouched."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from dataward.retention.engine.dispose import RefusedError, Target, dispose, gone, measure


def _file(root: Path, rel: str, data: bytes = b"acct,card\n1,4539148803436467\n") -> Target:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Target(str(root), rel)


def test_measure_and_delete_an_unchanged_file(tmp_path: Path) -> None:
    t = _file(tmp_path, "exports/old.csv")
    size, sha = measure(t)
    assert (size, sha) == (
        29,
        hashlib.sha256((tmp_path / "exports/old.csv").read_bytes()).hexdigest(),
    )
    dispose(t, size, sha, "delete")
    assert not (tmp_path / "exports/old.csv").exists()
    assert gone(t)


def test_overwrite_writes_zeros_before_unlinking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = _file(tmp_path, "a.csv")
    size, sha = measure(t)
    seen: list[bytes] = []
    real_unlink = os.unlink

    def spy(name: str, *, dir_fd: int) -> None:
        fd = os.open(name, os.O_RDONLY, dir_fd=dir_fd)
        seen.append(os.read(fd, 1000))
        os.close(fd)
        real_unlink(name, dir_fd=dir_fd)

    monkeypatch.setattr(os, "unlink", spy)
    dispose(t, size, sha, "overwrite")
    assert seen == [bytes(size)]
    assert not (tmp_path / "a.csv").exists()


def test_a_changed_file_is_refused_and_kept(tmp_path: Path) -> None:
    t = _file(tmp_path, "a.csv")
    size, sha = measure(t)
    (tmp_path / "a.csv").write_bytes(b"acct,card\n1,4539148803436468\n")  # same size, new bytes
    with pytest.raises(RefusedError, match="changed since the plan"):
        dispose(t, size, sha, "overwrite")
    assert (tmp_path / "a.csv").read_bytes().endswith(b"68\n")


def test_a_symlinked_folder_on_the_path_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "share"
    outside = tmp_path / "elsewhere"
    t = _file(outside, "exports/a.csv")
    size, sha = measure(t)
    root.mkdir()
    (root / "exports").symlink_to(outside / "exports")
    with pytest.raises(RefusedError, match="symlink"):
        dispose(Target(str(root), "exports/a.csv"), size, sha, "delete")
    assert (outside / "exports/a.csv").exists()


def test_a_symlinked_file_is_refused_and_its_target_kept(tmp_path: Path) -> None:
    secret = _file(tmp_path, "keep/secret.csv")
    size, sha = measure(secret)
    (tmp_path / "a.csv").symlink_to(tmp_path / "keep/secret.csv")
    with pytest.raises(RefusedError, match="symlink"):
        dispose(Target(str(tmp_path), "a.csv"), size, sha, "delete")
    assert (tmp_path / "keep/secret.csv").exists()
    assert (tmp_path / "a.csv").is_symlink()


@pytest.mark.parametrize("rel", ["../outside.csv", "/etc/passwd", "a/../../b.csv", ""])
def test_a_path_leaving_its_root_is_refused(tmp_path: Path, rel: str) -> None:
    (tmp_path / "root").mkdir()
    _file(tmp_path, "outside.csv")
    with pytest.raises(RefusedError, match="leaves its planned root"):
        dispose(Target(str(tmp_path / "root"), rel), 1, "0" * 64, "delete")
    assert (tmp_path / "outside.csv").exists()


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="gone"):
        measure(Target(str(tmp_path), "nope.csv"))
    (tmp_path / "dir").mkdir()
    with pytest.raises(RefusedError, match="not a regular file"):
        measure(Target(str(tmp_path), "dir"))
