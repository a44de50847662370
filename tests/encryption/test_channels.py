"""Transfer channels: the judge, the register reader's row errors, and the import end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataward.encryption.engine.channel_register import read_register, without_credentials
from dataward.encryption.engine.channels import Channel, judge_channel, tls_version
from dataward.errors import ImportFileError
from helpers import assert_one_line_error

CHECK = "encryption_transfer_channels_are_encrypted"
JUDGED = [
    (Channel("a", "ftp", "h", 21), "fail", "plain FTP"),
    (Channel("a", "http", "h", 80), "fail", "plain HTTP"),
    (Channel("a", "telnet", "h", 23), "fail", "Telnet"),
    (Channel("a", "ftp", "h", 21, transport="tls", tls_min_version="1.2"), "pass", "tls"),
    (Channel("a", "https", "h", 443, transport="none"), "fail", "unencrypted"),
    (Channel("a", "https", "h", 443, tls_min_version="1.0"), "fail", "allows TLS 1.0"),
    (Channel("a", "ftps", "h", 990, tls_min_version="1.1"), "fail", "allows TLS 1.1"),
    (Channel("a", "https", "h", 443, tls_min_version="1.2"), "pass", "TLS 1.2+"),
    (Channel("a", "sftp", "h", 22), "pass", "(ssh)"),
    (Channel("a", "as2", "h", 443), "warning", "does not say how as2 is encrypted"),
    (Channel("a", "sftp", "h", 22, approved=False), "warning", "not approved"),
]


@pytest.mark.parametrize(("channel", "status", "words"), JUDGED)
def test_channels_are_judged(channel: Channel, status: str, words: str) -> None:
    judged = judge_channel(channel)
    assert (judged.status, judged.ref) == (status, "a")
    assert words in judged.summary


@pytest.mark.parametrize(
    ("text", "version"),
    [("1.2", "1.2"), ("TLSv1.3", "1.3"), ("TLS 1.0", "1.0"), ("tls1_1", "1.1"), ("ssl3", None)],
)
def test_tls_versions_are_read_as_people_write_them(text: str, version: str | None) -> None:
    assert tls_version(text) == version


def _csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "channels.csv"
    path.write_text("id,client,protocol,url,port,transport_encryption,tls_min_version\n" + body)
    return path


@pytest.mark.parametrize(
    ("body", "needles"),
    [
        ("a,acme,sftp,sftp://h/,,,\n,acme,sftp,sftp://h/,,,\n", ("row 3", "'id' is empty")),
        ("a,acme,https,https://h/,,,1.9x\n", ("row 2", "'tls_min_version'")),
        ("a,acme,https,https://h/,99999,,\n", ("row 2", "'port'", "not a port number")),
        ("a,acme,sftp,https://h/,,,\n", ("row 2", "the url says 'https'")),
        ("a,acme,,,,,\n", ("row 2", "'protocol' is empty")),
        ("a,acme,sftp,,,quantum,\n", ("row 2", "'transport_encryption'")),
        ("a,acme,sftp,,,,\na,acme,ftp,,,,\n", ("row 3", "'a' appears twice")),
        ("a,acme,https,not a url,,,\n", ("row 2", "'url' is not a URL")),
    ],
)
def test_bad_rows_name_the_row_and_field(tmp_path: Path, body: str, needles: tuple[str]) -> None:
    with pytest.raises(ImportFileError) as bad:
        read_register(_csv(tmp_path, body))
    for needle in needles:
        assert needle in bad.value.line()


def test_json_records_and_their_errors(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{"id": "x", "url": "sftp://u:pw@mft.acme.test:2222/in"}]))
    [row] = read_register(path)
    assert (row.channel.protocol, row.channel.host, row.channel.port) == (
        "sftp",
        "mft.acme.test",
        2222,
    )
    assert row.channel.url == "sftp://mft.acme.test:2222/in"  # no credentials kept
    path.write_text(json.dumps({"channels": [{"id": "x", "protocol": "sftp"}, "oops"]}))
    with pytest.raises(ImportFileError, match="record 2: is not an object"):
        read_register(path)
    path.write_text('{"channels": 5}')
    with pytest.raises(ImportFileError, match="holds no list of channels"):
        read_register(path)
    assert without_credentials("https://h/p") == "https://h/p"


def _imported(cli, w: str, path: Path, slug: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    out = cli(
        "encryption", "channels", "import", str(path), "--client", slug, "-f", "json", "-w", w
    )
    assert out.code == 0, out
    return json.loads(out.out)[0]  # type: ignore[no-any-return]


def _channels(cli, w: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    return json.loads(cli("encryption", "channels", "list", "-f", "json", "-w", w).out)  # type: ignore[no-any-return]


def test_import_is_all_or_nothing_and_the_register_is_replaced(  # type: ignore[no-untyped-def]
    cli, ws_root: Path, estate: Path, tmp_path: Path
) -> None:
    w = str(ws_root)
    assert cli("clients", "import", str(estate / "clients.json"), "-w", w).code == 0
    register = estate / "channels" / "transfer_channels.json"
    first = _imported(cli, w, register, "carewell")
    assert (first["added"], first["rows"], first["endpoints_added"]) == (3, 3, 1)
    assert first["other_clients"] == "northbank 2, telora 2"
    assert _imported(cli, w, register, "carewell")["unchanged"] == 3
    before = _channels(cli, w)
    records = json.loads(register.read_text())["channels"]
    broken = [*records[:3], {**records[3], "tls_min_version": "bogus"}, *records[4:]]
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps({"channels": broken}))
    assert_one_line_error(
        cli("encryption", "channels", "import", str(bad), "--client", "carewell", "-w", w),
        "broken.json record 4",
        "'tls_min_version'",
    )
    assert _channels(cli, w) == before
    fixed = [r for r in records if r["id"] != "cw-ftp-legacy-eligibility"]
    smaller = tmp_path / "fixed.json"
    smaller.write_text(json.dumps({"channels": fixed}))
    again = _imported(cli, w, smaller, "carewell")
    assert (again["removed"], again["unchanged"]) == (1, 2)
    actions = [e["action"] for e in json.loads(cli("audit", "log", "-f", "json", "-w", w).out)]
    assert actions.count("channel.add") == 3
    assert actions.count("channel.remove") == 1
    assert actions.count("channels.import") == 3  # the bad file left no trace but the error
    none = tmp_path / "none.json"
    none.write_text(json.dumps({"channels": [{**records[0], "client": "northbank"}]}))
    assert_one_line_error(
        cli("encryption", "channels", "import", str(none), "--client", "carewell", "-w", w),
        "lists no channel for carewell",
    )


def test_the_plain_ftp_channel_fails_the_check(cli, ws_root: Path, estate: Path) -> None:  # type: ignore[no-untyped-def]
    w = str(ws_root)
    assert cli("clients", "import", str(estate / "clients.json"), "-w", w).code == 0
    _imported(cli, w, estate / "channels" / "transfer_channels.json", "carewell")
    out = cli("assess", "--client", "carewell", "-f", "json", "-w", w)
    results = {
        r["subject"]: r["status"] for r in json.loads(out.out)["results"] if r["check"] == CHECK
    }
    assert results == {
        "cw-ftp-legacy-eligibility": "fail",
        "cw-https-eligibility": "pass",
        "cw-sftp-claims": "pass",
    }
    listed = cli("encryption", "channels", "list", "--client", "carewell", "-f", "json", "-w", w)
    assert "cw-ftp-legacy-eligibility" in listed.out
    records = json.loads((estate / "channels" / "transfer_channels.json").read_text())
    egress = {ip for r in records["channels"] for ip in r["allowed_source_ips"]}
    assert egress
    assert not any(ip in listed.out for ip in egress)
