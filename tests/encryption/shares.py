"""Build a small share with sensitive data: a plain CSV, ZIPs (one member encrypted), an e-mail."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from email.message import EmailMessage
from pathlib import Path

from stdnum import luhn


def _card(rng: random.Random) -> str:
    body = "4" + "".join(str(rng.randrange(10)) for _ in range(14))
    return body + luhn.calc_check_digit(body)


def customers_csv(seed: int = 3, rows: int = 12) -> str:
    """Return a CSV of names, e-mail addresses and (Luhn-valid) card numbers."""
    rng = random.Random(seed)
    lines = [f"Customer {i},cust{i}@example.org,{_card(rng)}" for i in range(rows)]
    return "name,email,card_number\n" + "\n".join(lines) + "\n"


def mark_encrypted(data: bytes, name: str) -> bytes:
    """Set the 'encrypted' flag of one ZIP member in its local and central headers."""
    buf = bytearray(data)
    target = name.encode()
    headers = ((b"PK\x03\x04", 26, 30, 6), (b"PK\x01\x02", 28, 46, 8))  # local, central
    for signature, name_len_at, name_at, flag_at in headers:
        i = 0
        while (i := buf.find(signature, i)) != -1:
            n = struct.unpack_from("<H", buf, i + name_len_at)[0]
            if bytes(buf[i + name_at : i + name_at + n]) == target:
                flags = struct.unpack_from("<H", buf, i + flag_at)[0]
                struct.pack_into("<H", buf, i + flag_at, flags | 1)
            i += 4
    return bytes(buf)


def export_zip(with_locked: bool = True) -> bytes:
    """Return a ZIP holding customers.csv in the clear (and a member marked encrypted)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customers.csv", customers_csv())
        if with_locked:
            archive.writestr("locked.csv", b"\x00" * 64)
    data = buf.getvalue()
    return mark_encrypted(data, "locked.csv") if with_locked else data


def clean_zip() -> bytes:
    """Return a ZIP with nothing sensitive in it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("readme.txt", "Quarterly volumes by queue: 120, 98, 143.\n")
    return buf.getvalue()


def write_share(root: Path) -> Path:
    """Write the share: plain.csv, archive/export.zip, clean.zip and mail.eml (ZIP attached)."""
    (root / "archive").mkdir(parents=True, exist_ok=True)
    (root / "plain.csv").write_text(customers_csv(seed=5))
    (root / "archive" / "export.zip").write_bytes(export_zip())
    (root / "clean.zip").write_bytes(clean_zip())
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "ops@bpo.test", "client@acme.test", "extract"
    msg.set_content("Extract attached.")
    attached = export_zip(with_locked=False)
    msg.add_attachment(attached, maintype="application", subtype="zip", filename="att.zip")
    (root / "mail.eml").write_bytes(bytes(msg))
    return root
