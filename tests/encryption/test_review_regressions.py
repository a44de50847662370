"""Regressions found in the second reading of the encryption package (issue 7 review)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataward.encryption.engine.at_rest import read_register as read_at_rest
from dataward.encryption.engine.channel_register import read_register, without_credentials
from dataward.errors import ImportFileError

SECRET = "sv=2024&sig=S3cr3tS1gnature"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (
            f"https://acct.blob.core.windows.net/drop?{SECRET}",
            "https://acct.blob.core.windows.net/drop",
        ),
        ("https://s3.example/b/k?X-Amz-Signature=abc#frag", "https://s3.example/b/k"),
        ("sftp://svc:pw@sftp.example:22/in", "sftp://sftp.example:22/in"),
        ("sftp://sftp.example/in", "sftp://sftp.example/in"),
    ],
)
def test_urls_are_stored_without_tokens_or_credentials(url: str, kept: str) -> None:
    assert without_credentials(url) == kept


def test_a_sas_token_in_a_channel_url_is_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "channels.json"
    url = f"https://acct.blob.core.windows.net/drop?{SECRET}"
    path.write_text(json.dumps({"channels": [{"id": "blob", "url": url}]}))
    (row,) = read_register(path)
    assert SECRET not in row.channel.url
    assert "sig=" not in row.channel.url


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("port", "pw-Hunter22"),
        ("transport_encryption", "pw-Hunter22"),
        ("tls_min_version", "pw-Hunter22"),
        ("protocol", "pw Hunter22"),
    ],
)
def test_channel_errors_never_quote_the_cell(tmp_path: Path, column: str, value: str) -> None:
    record = {"id": "c1", "protocol": "sftp", "host": "h.example", column: value}
    path = tmp_path / "channels.csv"
    path.write_text(",".join(record) + "\n" + ",".join(record.values()) + "\n")
    with pytest.raises(ImportFileError) as err:
        read_register(path)
    line = err.value.line()
    assert "row 2" in line
    assert repr(column) in line
    assert "hunter22" not in line.lower()


def test_at_rest_register_error_never_quotes_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "at_rest.csv"
    path.write_text("path,at_rest\n//fs01/acme,pw-Hunter22\n")
    with pytest.raises(ImportFileError) as err:
        read_at_rest(path)
    line = err.value.line()
    assert "row 2" in line
    assert "'at_rest'" in line
    assert "hunter22" not in line.lower()
