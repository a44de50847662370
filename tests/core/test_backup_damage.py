"""A damaged, tampered or crafted archive is refused whole, and the workspace does not change."""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.test_backup_support import build_source, members, raw_dump, reseal, seal, state, targets
from dataward.core.engine.backup_crypto import CHUNK, TAG
from helpers import assert_one_line_error

SIZE = CHUNK + TAG


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> dict[str, Any]:
    """A small workspace with 3 MiB of random evidence: its archive spans four chunks."""
    return build_source(tmp_path_factory.mktemp("source"), sqlite_template, extra_mib=3)


@pytest.fixture(scope="module")
def busy(
    source: dict[str, Any], tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """A SQLite workspace with the source's key, records and files of its own, and its dump.

    Shared by every case: each refused restore must leave it exactly as this dump says.
    """
    from dataward.core.clients import add
    from dataward.core.engine.clients import ClientSpec
    from dataward.core.workspace import open_workspace

    with targets(tmp_path_factory.mktemp("busy"), request) as make:
        root = make("sqlite", source["key"])
        add(open_workspace(root, env={}), ClientSpec("telora", "Telora"))
        (root / "monitoring.yaml").write_text("lookback_days: 9\n")
        yield {"root": root, "rows": raw_dump(root), "files": state(root)}


def _refused(busy: dict[str, Any], archive: Path) -> str:
    """Restore into the shared workspace; return the refusal, having checked nothing changed."""
    from dataward.core.backup_restore import restore
    from dataward.core.engine.backup_crypto import BackupError
    from dataward.core.workspace import open_workspace

    root = busy["root"]
    with pytest.raises(BackupError) as refused:
        restore(open_workspace(root, env={}), archive, force=True)
    assert raw_dump(root) == busy["rows"]
    assert state(root) == busy["files"]
    assert not [p for p in root.iterdir() if p.name.startswith(".restore-")]
    return refused.value.line()


def _split(data: bytes) -> tuple[bytes, list[bytes]]:
    """Return an archive's clear header and its sealed chunks."""
    end = data.index(b"\n", data.index(b"\n") + 1) + 1
    body = data[end:]
    return data[:end], [body[i : i + SIZE] for i in range(0, len(body), SIZE)]


def _chunks(change: Callable[[list[bytes]], list[bytes]]) -> Callable[[bytes, Path], bytes]:
    def apply(data: bytes, other: Path) -> bytes:
        head, chunks = _split(data)
        assert len(chunks) == 4
        return head + b"".join(change(chunks))

    return apply


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _header(change: Callable[[dict[str, str]], None]) -> Callable[[bytes, Path], bytes]:
    def apply(data: bytes, other: Path) -> bytes:
        head, chunks = _split(data)
        first, second = head.split(b"\n")[:2]
        fields = json.loads(second)
        change(fields)
        line = json.dumps(fields, sort_keys=True).encode()
        return first + b"\n" + line + b"\n" + b"".join(chunks)

    return apply


def _other_archive_chunk(data: bytes, other: Path) -> bytes:
    """The same key, another archive: its chunk 1 put in place of ours."""
    head, chunks = _split(data)
    theirs = _split(other.read_bytes())[1]
    return head + b"".join([chunks[0], theirs[1], *chunks[2:]])


def _plain_zip(path: Path) -> bytes:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notes.txt", "hello")
    return path.read_bytes()


def _first_format(path: Path) -> bytes:
    """An archive of the first, unencrypted format (a ZIP with a clear manifest and a seal)."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data/core_client.jsonl", "[1]\n")
        zf.writestr("manifest.json", json.dumps({"format": "dataward-backup/1"}))
        zf.writestr("manifest.seal", json.dumps({"key_id": "k1", "hmac": "00"}))
    return path.read_bytes()


BAD = "damaged or truncated"
DAMAGE: list[tuple[str, Callable[[bytes, Path], bytes], str]] = [
    ("byte flipped in the first chunk", lambda d, o: _flip(d, len(_split(d)[0]) + 100), BAD),
    ("byte flipped in a tag", lambda d, o: _flip(d, len(_split(d)[0]) + SIZE - 3), BAD),
    ("byte flipped in the last chunk", lambda d, o: _flip(d, len(d) - 40), BAD),
    ("chunks swapped", _chunks(lambda c: [c[0], c[2], c[1], c[3]]), BAD),
    ("chunk dropped", _chunks(lambda c: [c[0], c[1], c[3]]), BAD),
    ("chunk repeated", _chunks(lambda c: [c[0], c[1], c[1], c[2], c[3]]), BAD),
    ("last chunk dropped (cut on a boundary)", _chunks(lambda c: c[:3]), BAD),
    ("last chunk moved first", _chunks(lambda c: [c[3], c[0], c[1], c[2]]), BAD),
    ("chunk of another archive", _other_archive_chunk, BAD),
    ("cut in half", lambda d, o: d[: len(d) // 2], BAD),
    ("last byte cut", lambda d, o: d[:-1], BAD),
    ("byte appended", lambda d, o: d + b"\0", BAD),
    ("header only", lambda d, o: _split(d)[0], BAD),
    ("salt changed", _header(lambda h: h.update(salt="0" * 64)), "header does not match key"),
    ("check changed", _header(lambda h: h.update(check="0" * 32)), "header does not match key"),
    ("header field added", _header(lambda h: h.update(note="x")), "unreadable header"),
    ("header cut", lambda d, o: d[:30], "unreadable header"),
    ("newer format", lambda d, o: d.replace(b"backup/2", b"backup/3", 1), "newer than this"),
    ("first format", lambda d, o: _first_format(o), "format dataward-backup/1"),
    ("empty file", lambda d, o: b"", "not a dataward backup"),
    ("text file", lambda d, o: b"id,name\n1,northbank\n", "not a dataward backup"),
    ("gzip file", lambda d, o: gzip.compress(d), "not a dataward backup"),
    ("zip of something else", lambda d, o: _plain_zip(o), "not a dataward backup"),
]


@pytest.mark.parametrize(("damage", "needle"), [pytest.param(f, n, id=i) for i, f, n in DAMAGE])
def test_damaged_archive_is_refused_and_nothing_changes(
    source: dict[str, Any], busy: dict[str, Any], tmp_path: Path,
    damage: Callable[[bytes, Path], bytes], needle: str,
) -> None:  # fmt: skip
    other = tmp_path / "other.dwbackup"
    if damage is _other_archive_chunk:
        from dataward.core.backup import backup
        from dataward.core.workspace import open_workspace

        backup(open_workspace(source["root"], env={}), other)
    bad = tmp_path / "bad.dwbackup"
    bad.write_bytes(damage(source["archive"].read_bytes(), other))
    line = _refused(busy, bad)
    assert line.startswith(f"{bad}: "), line
    assert needle in line, line


@pytest.mark.parametrize("case", ["chunks swapped", "first format"])
def test_damage_is_one_line_on_the_command_line(
    source: dict[str, Any], busy: dict[str, Any], cli: Any, tmp_path: Path, case: str
) -> None:
    damage, needle = next((f, n) for i, f, n in DAMAGE if i == case)
    bad = tmp_path / "bad.dwbackup"
    bad.write_bytes(damage(source["archive"].read_bytes(), tmp_path / "other.zip"))
    result = cli("-w", str(busy["root"]), "restore", str(bad), "--force")
    assert_one_line_error(result, needle, str(bad))


def test_the_intact_archive_restores(
    source: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The archive the damage cases start from is good: only the damage is refused."""
    from dataward.core.backup_restore import restore
    from dataward.core.workspace import open_workspace

    name = "cd" * 32
    with targets(tmp_path, request) as make:
        root = make("sqlite", source["key"])
        restore(open_workspace(root, env={}), source["archive"])
        assert (root / "evidence" / name).read_bytes() == (
            source["root"] / "evidence" / name
        ).read_bytes()


def _files_named(*paths: str) -> Callable[[dict[str, Any], dict[str, bytes]], None]:
    """Name state files in the manifest (each with a member of its own) as a crafter would."""

    def change(manifest: dict[str, Any], parts: dict[str, bytes]) -> None:
        for i, path in enumerate(paths):
            member = f"files/crafted-{i}"
            parts[member] = b"owned"
            manifest["files"].append({"path": path, "member": member, "bytes": 0, "sha256": ""})

    return change


def _member_named(name: str) -> Callable[[dict[str, Any], dict[str, bytes]], None]:
    def change(manifest: dict[str, Any], parts: dict[str, bytes]) -> None:
        parts[name] = b"owned"

    return change


CRAFTED: list[tuple[str, Callable[[dict[str, Any], dict[str, bytes]], None], str]] = [
    ("parent folder", _files_named("../escaped.txt"), "outside the workspace state"),
    ("parent inside", _files_named("evidence/../../escaped.txt"), "outside the workspace state"),
    ("absolute", _files_named("/tmp/escaped.txt"), "outside the workspace state"),
    ("other top folder", _files_named("dataward.key"), "outside the workspace state"),
    ("config", _files_named("dataward.toml"), "outside the workspace state"),
    ("hidden", _files_named("rules/.hidden"), "outside the workspace state"),
    ("dot part", _files_named("rules/./local.yml"), "outside the workspace state"),
    ("empty part", _files_named("rules//x.yml"), "outside the workspace state"),
    ("NUL", _files_named("rules/x\0.yml"), "outside the workspace state"),
    ("folder as file", _files_named("evidence"), "outside the workspace state"),
    ("file as folder", _files_named("monitoring.yaml/x"), "outside the workspace state"),
    ("named twice", _files_named("rules/twice.yml", "rules/twice.yml"), "named twice"),
    ("file and folder", _files_named("rules/a", "rules/a/b"), "named twice"),
    ("zip-slip member", _member_named("../../escaped.txt"), "unexpected member"),
    ("absolute member", _member_named("/tmp/escaped.txt"), "unexpected member"),
]


@pytest.mark.parametrize(("craft", "needle"), [pytest.param(c, n, id=i) for i, c, n in CRAFTED])
def test_crafted_file_names_are_refused(
    source: dict[str, Any], busy: dict[str, Any], tmp_path: Path,
    craft: Callable[[dict[str, Any], dict[str, bytes]], None], needle: str,
) -> None:  # fmt: skip
    """Encrypted with the right key (so only a key holder could make it) and still refused."""
    (tmp_path / "deep" / "er").mkdir(parents=True)
    bad = reseal(source["archive"], tmp_path / "deep" / "er" / "bad.dwbackup", source["key"], craft)
    assert needle in _refused(busy, bad)
    assert not list(tmp_path.rglob("escaped.txt"))
    assert not list(busy["root"].parent.rglob("escaped.txt"))
    assert not Path("/tmp/escaped.txt").exists()


def test_an_archive_sealed_under_a_key_not_held_names_it(
    source: dict[str, Any], busy: dict[str, Any], tmp_path: Path
) -> None:
    """The header names the key; the workspace holding other keys says which one it needs."""
    from dataward.core.engine.crypto import Keyring

    stranger = Keyring.generate()
    bad = seal(members(source["archive"], source["key"]), tmp_path / "s.dwbackup",
               stranger.to_json())  # fmt: skip
    line = _refused(busy, bad)
    assert f"which needs key {stranger.active_id}" in line
    assert "DATAWARD_KEY" in line
