"""One `dataward scan` of a share full of hostile files: it finishes, says why, finds the rest."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from dataward.discovery.engine.sources.folder import BROKEN, NOT_REGULAR, OUTSIDE, walk

from .conftest import EMAIL, GOOD_CSV, HostileScan, encrypted_zip

SKIPPED = [
    ("bomb_ratio.zip", "zeros.txt", "suspicious compression ratio"),
    ("nested.zip", "level1.zip/level2.zip/level3.zip/level4.zip", "nested deeper than limit"),
    ("many.zip", "m10000.txt", "more members than limit"),
    ("slip.zip", "../../evil.txt", "unsafe member path"),
    ("slip.zip", "/etc/cron.d/evil", "unsafe member path"),
    ("slip.zip", "..\\..\\evil.bat", "unsafe member path"),
    ("slip.zip", "a/../../evil.txt", "unsafe member path"),
    ("links.zip", "passwd", "symbolic link member, not followed"),
    ("links.zip", "zero", "special member"),
    ("locked.zip", "secret.csv", "encrypted member"),
    ("locked.xlsx", "", "password-protected (encrypted) office document"),
    ("locked.docx", "", "password-protected (encrypted) office document"),
    ("locked.pdf", "", "encrypted pdf"),
    ("bomb.docx", "", "suspicious compression ratio"),
    ("broken.xlsx", "", "corrupt xlsx after row"),
    ("nul.csv", "", "binary"),
]


def test_the_scan_finishes(hostile: HostileScan) -> None:
    assert hostile.code == 0
    assert hostile.doc["locations"]


@pytest.mark.parametrize(("name", "member", "reason"), SKIPPED)
def test_hostile_part_is_recorded_with_its_reason(
    hostile: HostileScan, name: str, member: str, reason: str
) -> None:
    skips = hostile.skips(name)
    assert any(m == member and reason in r for m, r in skips), skips
    assert all(len(r) < 80 and "\n" not in r for _, r in skips)


@pytest.mark.parametrize(
    ("name", "member", "entity"),
    [
        ("good.csv", "", "US_SSN"),  # the ordinary file next to the hostile ones
        ("good.csv", "", "EMAIL_ADDRESS"),
        ("slip.zip", "ok.txt", "EMAIL_ADDRESS"),  # safe members of a hostile archive
        ("report.csv", "", "US_SSN"),  # a PDF named .csv is read as the PDF it is
        ("bad_bom.csv", "", "EMAIL_ADDRESS"),  # UTF-16 BOM, odd byte count
        ("latin.txt", "", "EMAIL_ADDRESS"),  # invalid UTF-8
        ("deep.json", "", "EMAIL_ADDRESS"),  # nested 100,000 deep: read as text
        ("long_line.log", "", "EMAIL_ADDRESS"),  # one 50 MB line, read in chunks
        ("broken.xlsx", "", "EMAIL_ADDRESS"),  # the rows before the break
    ],
)
def test_readable_content_is_still_found(
    hostile: HostileScan, name: str, member: str, entity: str
) -> None:
    assert entity in hostile.found(name, member), hostile.skips(name)


def test_nothing_outside_the_share_or_behind_a_trap_is_read(hostile: HostileScan) -> None:
    locations = {Path(f["location"]).name for f in hostile.doc["findings"]}
    assert not locations & {"outside_link.txt", "zero_link", "loop_link", "queue.fifo", "null.dev"}
    unsafe = [f for f in hostile.doc["findings"] if "evil" in f["member"]]
    assert unsafe == []
    assert not (hostile.share.parent / "evil.txt").exists()  # nothing was ever unpacked


def test_the_walk_says_why_it_skips_links_fifos_and_devices(hostile: HostileScan) -> None:
    skips = {s.where.member: s.reason for s in walk(hostile.share) if not hasattr(s, "rel")}
    assert skips == {
        "outside_link.txt": OUTSIDE,
        "zero_link": OUTSIDE,
        "loop_link": BROKEN,
        "queue.fifo": NOT_REGULAR,
        "null.dev": NOT_REGULAR if not (hostile.share / "null.dev").is_symlink() else OUTSIDE,
    }


def test_the_encrypted_zip_is_real() -> None:
    data = encrypted_zip("secret.csv", GOOD_CSV.encode(), b"s3cret")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("secret.csv", pwd=b"s3cret") == GOOD_CSV.encode()
        with pytest.raises(RuntimeError, match="password"):
            archive.read("secret.csv")
    assert EMAIL.encode() not in data
