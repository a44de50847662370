"""Walk real folders: globs, stable order, symlinks, special files, permissions and odd roots."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from dataward.discovery.engine.sources.folder import BROKEN, NOT_REGULAR, OUTSIDE, FileRef, walk
from dataward.discovery.engine.types import Skipped, Where
from dataward.errors import DatawardError

FILES = [
    "B.txt",
    "a-b.txt",
    "a.txt",
    "a/deep/y.csv",
    "a/x.csv",
    "archive/old.csv",
    "archive/sub/z.txt",
    "b.tmp",
    "data.csv",
    "sub/c.tmp",
    "sub/notes.md",
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "share"
    for i, rel in enumerate(FILES):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"row {i}\n" * (i + 1))
    return root


def rels(items: list[FileRef | Skipped]) -> list[str]:
    return [i.rel for i in items if isinstance(i, FileRef)]


def skips(items: list[FileRef | Skipped]) -> dict[str, str]:
    return {i.where.member: i.reason for i in items if isinstance(i, Skipped)}


def test_walk_yields_every_file_sorted_by_relative_path(tree: Path) -> None:
    first = list(walk(tree))
    assert rels(first) == sorted(FILES) == FILES
    assert rels(list(walk(tree))) == rels(first)
    ref = next(i for i in first if isinstance(i, FileRef) and i.rel == "a/x.csv")
    info = (tree / "a/x.csv").stat()
    assert (ref.path, ref.size, ref.mtime_ns) == (tree / "a/x.csv", info.st_size, info.st_mtime_ns)


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        ((), (), FILES),
        (("**/*.csv",), (), ["a/deep/y.csv", "a/x.csv", "archive/old.csv", "data.csv"]),
        (("*.csv",), (), ["a/deep/y.csv", "a/x.csv", "archive/old.csv", "data.csv"]),
        (("a/*.csv",), (), ["a/x.csv"]),
        (("a/**",), (), ["a/deep/y.csv", "a/x.csv"]),
        (("a/",), (), ["a/deep/y.csv", "a/x.csv"]),
        (("?.txt",), (), ["B.txt", "a.txt", "archive/sub/z.txt"]),
        (("[ab].txt",), (), ["a.txt"]),
        (("[!ab].txt",), (), ["B.txt", "archive/sub/z.txt"]),
        (("/?.txt",), (), ["B.txt", "a.txt"]),
        (("**/deep/*",), (), ["a/deep/y.csv"]),
        ((), ("archive/**",), [f for f in FILES if not f.startswith("archive/")]),
        ((), ("*.tmp",), [f for f in FILES if not f.endswith(".tmp")]),
        ((), ("sub",), [f for f in FILES if "sub/" not in f]),
        ((), ("/sub",), [f for f in FILES if not f.startswith("sub/")]),
        (("**/*.csv",), ("archive/**",), ["a/deep/y.csv", "a/x.csv", "data.csv"]),
        (
            ("**/*.csv", "*.md"),
            ("a/deep/**", "data.csv"),
            ["a/x.csv", "archive/old.csv", "sub/notes.md"],
        ),
        (("*.pdf",), (), []),
    ],
)
def test_include_and_exclude_globs(
    tree: Path, include: tuple[str, ...], exclude: tuple[str, ...], expected: list[str]
) -> None:
    assert rels(list(walk(tree, include=include, exclude=exclude))) == expected


@pytest.fixture
def linked(tree: Path, tmp_path: Path) -> Path:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("not part of the share\n")
    links = {
        "out_file": outside / "secret.txt",
        "out_dir": outside,
        "out_chain": tree / "out_file",
        "in_file.txt": tree / "a.txt",
        "in_rel.txt": Path("a") / "x.csv",
        "loop_dir": tree,
        "a/up": Path(".."),
        "self_loop": tree / "self_loop",
        "dangling": tree / "gone.txt",
    }
    for name, target in links.items():
        (tree / name).symlink_to(target)
    return tree


def test_symlinks_outside_the_root_are_skipped_and_inside_files_are_read(linked: Path) -> None:
    items = list(walk(linked))
    assert rels(items) == sorted([*FILES, "in_file.txt", "in_rel.txt"])
    assert skips(items) == {
        "out_file": OUTSIDE,
        "out_dir": OUTSIDE,
        "out_chain": OUTSIDE,
        "self_loop": BROKEN,
        "dangling": BROKEN,
    }
    ref = next(i for i in items if isinstance(i, FileRef) and i.rel == "in_file.txt")
    assert ref.size == (linked / "a.txt").stat().st_size
    assert ref.path == linked / "in_file.txt"


def test_symlink_loops_end_and_links_to_folders_are_not_followed(linked: Path) -> None:
    items = list(walk(linked))
    assert not any(
        i.where.member.startswith(("loop_dir/", "a/up/")) for i in items if isinstance(i, Skipped)
    )
    assert not any(r.startswith(("loop_dir/", "a/up/")) for r in rels(items))


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        (("*.txt",), (), {"out_dir": OUTSIDE}),
        ((), ("out_*", "self_loop", "dangling"), {}),
    ],
)
def test_filters_apply_to_symlinks(
    linked: Path, include: tuple[str, ...], exclude: tuple[str, ...], expected: dict[str, str]
) -> None:
    assert skips(list(walk(linked, include=include, exclude=exclude))) == expected


def test_special_files_are_skipped(tree: Path) -> None:
    os.mkfifo(tree / "pipe")
    (tree / "pipe_link").symlink_to(tree / "pipe")
    items = list(walk(tree))
    assert skips(items) == {"pipe": NOT_REGULAR, "pipe_link": NOT_REGULAR}
    assert list(walk(tree / "pipe")) == [Skipped(Where(member="pipe"), NOT_REGULAR)]


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: chmod cannot deny reads")
@pytest.mark.parametrize("exclude", [(), ("locked/**",)])
def test_unreadable_folders_and_files_are_skipped(tree: Path, exclude: tuple[str, ...]) -> None:
    locked = tree / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("hidden\n")
    (tree / "a/x.csv").chmod(0)
    locked.chmod(0)
    try:
        items = list(walk(tree, exclude=exclude))
    finally:
        locked.chmod(0o755)
        (tree / "a/x.csv").chmod(0o644)
    assert "a/x.csv" not in rels(items)
    assert skips(items)["a/x.csv"].startswith("permission denied")
    assert ("locked" in skips(items)) == (not exclude)


def test_a_single_file_root_yields_just_that_file(tree: Path) -> None:
    items = list(walk(tree / "a" / "x.csv"))
    assert [(i.rel, i.path) for i in items if isinstance(i, FileRef)] == [
        ("x.csv", tree / "a" / "x.csv")
    ]
    assert list(walk(tree / "a" / "x.csv", exclude=["*.csv"])) == []


@pytest.mark.parametrize("name", ["missing", "missing/deeper.txt"])
def test_a_missing_root_raises_naming_the_path(tmp_path: Path, name: str) -> None:
    with pytest.raises(DatawardError) as err:
        list(walk(tmp_path / name))
    assert err.value.where == str(tmp_path / name)
    assert "\n" not in str(err.value)


def test_deep_trees_do_not_hit_the_recursion_limit(tmp_path: Path) -> None:
    depth = sys.getrecursionlimit() + 100
    deepest = str(tmp_path)
    for _ in range(depth):  # os.makedirs and Path.mkdir(parents=True) recurse themselves
        deepest += "/d"
        os.mkdir(deepest)
    Path(deepest, "bottom.txt").write_text("end\n")
    try:
        assert rels(list(walk(tmp_path))) == ["d/" * depth + "bottom.txt"]
    finally:  # shutil.rmtree (pytest's cleanup) recurses too, so remove the tree here
        os.unlink(Path(deepest, "bottom.txt"))
        for _ in range(depth):
            os.rmdir(deepest)
            deepest = deepest[: -len("/d")]


def test_an_empty_folder_yields_nothing(tmp_path: Path) -> None:
    assert list(walk(tmp_path)) == []
