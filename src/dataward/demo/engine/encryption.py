"""Write the at-rest register and plant the encryption problems the shares already hold.

The register says each client share sits on the file server's encrypted volume, except
Carewell's restricted/archive folder, a legacy NAS volume mounted into the share without
encryption (holding a copy of the member claims extract). The export ZIPs written with the
shares hold sensitive files as plain, unencrypted members: each is planted as found.
"""

from __future__ import annotations

from dataward.demo.engine.estate import Estate
from dataward.demo.engine.formats import csv_doc
from dataward.demo.engine.model import Cell

AT_REST = "encryption/at_rest_register.csv"
HEADER = ("client", "path", "at_rest", "method", "note")
VOLUME = "BitLocker (XTS-AES 256) on the file server's data volume"
LEGACY = "shares/carewell/restricted/archive"


def at_rest_rows() -> list[list[Cell]]:
    """Return the register: every share encrypted, one legacy archive folder not."""
    rows: list[list[Cell]] = [
        [slug, f"shares/{slug}", "encrypted", "BitLocker", VOLUME]
        for slug in ("northbank", "carewell", "telora")
    ]
    note = "legacy NAS volume mounted into the share; no encryption at rest"
    rows.append(["carewell", LEGACY, "unencrypted", "", note])
    return rows


def write_encryption(estate: Estate) -> None:
    """Write the at-rest register and plant the unencrypted folder and the open archives."""
    path = estate.write(
        AT_REST, csv_doc(HEADER, at_rest_rows()), client=None, kind="at_rest", days_ago=9.2
    )
    held = [f for f in estate.files if f["path"].startswith(f"{LEGACY}/")]
    for n, f in enumerate(held):
        estate.plant(
            "encryption-sensitive-data-on-unencrypted-volume" + (f"-{n + 1}" if n else ""),
            "encryption",
            "carewell",
            kind="unencrypted_storage",
            path=path,
            detail=f"row 5 registers {LEGACY} as unencrypted; it holds {f['path']}",
            expect={
                "check": "encryption_sensitive_data_at_rest_encrypted",
                "count": 1,
                "subject": f["path"],
            },
            description="Carewell's restricted share keeps an archive folder on a legacy NAS "
            "volume without encryption at rest, and a copy of the member claims extract sits "
            "there.",
        )
    _plant_archives(estate)


def _plant_archives(estate: Estate) -> None:
    """Plant each share ZIP whose members hold sensitive values (none is encrypted)."""
    inside = {v["path"] for v in estate.sensitive if v["member"]}
    for f in estate.files:
        if f["format"] != "zip" or not f["path"].startswith("shares/") or f["path"] not in inside:
            continue
        members = sorted({v["member"] for v in estate.sensitive if v["path"] == f["path"]})
        name = f["path"].rsplit("/", 1)[-1]
        estate.plant(
            f"encryption-open-archive-{f['client']}",
            "encryption",
            f["client"],
            kind="unencrypted_archive",
            path=f["path"],
            detail=f"{name}: members {', '.join(m for m in members if m)} stored without "
            "encryption",
            expect={
                "check": "encryption_no_sensitive_files_in_unencrypted_archives",
                "count": 1,
                "subject": f["path"],
            },
            description=f"An export archive on the {f['client']} share holds customer files "
            "as plain ZIP members, readable by anyone who gets a copy of the archive.",
        )
