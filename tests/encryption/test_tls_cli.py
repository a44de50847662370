"""`dataward tls` end to end: endpoints in scope, real checks stored as history, assess, refresh."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from helpers import assert_one_line_error

CHECK = "encryption_tls_endpoints_meet_profile"


def _client(cli, w: str, slug: str = "acme") -> None:  # type: ignore[no-untyped-def]
    assert cli("clients", "add", slug, "--name", slug.title(), "-w", w).code == 0


def _add(cli, w: str, port: int, ca: Path, *extra: str) -> None:  # type: ignore[no-untyped-def]
    target = f"127.0.0.1:{port}"
    added = cli(
        "tls", "endpoints", "add", target, "--client", "acme", "--ca-file", str(ca), *extra, "-w", w
    )
    assert added.code == 0, added


def _assessed(cli, w: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    out = cli("assess", "--client", "acme", "-f", "json", "-w", w)
    assert out.code in (0, 1), out
    return {
        r["subject"]: r["status"] for r in json.loads(out.out)["results"] if r["check"] == CHECK
    }


def test_check_the_clients_endpoints_store_them_and_assess(  # type: ignore[no-untyped-def]
    cli, ws_root: Path, servers, pki, sslyze_env
) -> None:
    w = str(ws_root)
    _client(cli, w)
    good, bad = servers["good"].port, servers["no_hsts"].port
    assert _assessed(cli, w) == {"acme": "not_applicable"}
    _add(cli, w, good, pki.ca_file, "--protocol", "https", "--purpose", "Case API")
    _add(cli, w, bad, pki.ca_file, "--protocol", "https")
    before = _assessed(cli, w)
    assert set(before.values()) == {"warning"}  # never checked yet
    checked = cli("tls", "check", "--client", "acme", "-f", "json", "-w", w)
    assert checked.code == 1, checked  # one endpoint fails the profile
    verdicts = {r["endpoint"]: r["verdict"] for r in json.loads(checked.out)}
    assert verdicts == {f"127.0.0.1:{good}": "pass", f"127.0.0.1:{bad}": "fail"}
    assert _assessed(cli, w) == {f"127.0.0.1:{good}": "pass", f"127.0.0.1:{bad}": "fail"}
    history = json.loads(cli("tls", "results", "--client", "acme", "-f", "json", "-w", w).out)
    assert len(history) == 2
    assert {r["verdict"] for r in history} == {"pass", "fail"}
    listed = json.loads(cli("tls", "endpoints", "list", "-f", "json", "-w", w).out)
    assert {r["verdict"] for r in listed} == {"pass", "fail"}
    audit = cli("audit", "log", "-f", "json", "-w", w)
    actions = [e["action"] for e in json.loads(audit.out)]
    assert actions.count("tls.check") == 2
    assert actions.count("tls.endpoint.add") == 2
    assert cli("audit", "verify", "-w", w).code == 0


def test_an_ad_hoc_check_belongs_to_the_operation_and_exits_0_when_good(  # type: ignore[no-untyped-def]
    cli, ws_root: Path, servers, pki, sslyze_env
) -> None:
    w = str(ws_root)
    target = f"127.0.0.1:{servers['good'].port}"
    done = cli("tls", "check", target, "--ca-file", str(pki.ca_file), "-w", w)
    assert done.code == 0, done
    rows = json.loads(cli("tls", "results", "-f", "json", "-w", w).out)
    assert [(r["client"], r["endpoint"], r["verdict"]) for r in rows] == [
        ("operation", target, "pass")
    ]


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("tls", "check", "not a host:99"), ("is not a host and port",)),
        (("tls", "check", "127.0.0.1:70000"), ("port 70000 is out of range",)),
        (("tls", "check"), ("nothing to check", "--client")),
        (("tls", "check", "--client", "acme"), ("acme has no in-scope TLS endpoint",)),
        (
            ("tls", "check", "127.0.0.1:1", "--sslyze", "/nonexistent/sslyze"),
            ("no sslyze at /nonexistent/sslyze", "requirements-sslyze.lock"),
        ),
        (("tls", "endpoints", "add", "x:1", "--client", "nope"), ("no client 'nope'",)),
        (
            ("tls", "endpoints", "add", "h:1", "--client", "acme", "--protocol", "ftp"),
            ("no protocol 'ftp'",),
        ),
        (("tls", "endpoints", "remove", "h:1", "--client", "acme"), ("h:1 is not in scope",)),
    ],
)
def test_bad_input_is_one_line(cli, ws_root: Path, args: tuple[str, ...], needles) -> None:  # type: ignore[no-untyped-def]
    w = str(ws_root)
    _client(cli, w)
    assert_one_line_error(cli(*args, "-w", w), *needles)


def test_endpoint_lists_import_all_or_nothing(cli, ws_root: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = str(ws_root)
    _client(cli, w)
    bad = tmp_path / "bad.csv"
    bad.write_text("host,port,purpose\napi.acme.test,443,API\nno host here,443,x\n")
    assert_one_line_error(
        cli("tls", "endpoints", "import", str(bad), "--client", "acme", "-w", w),
        "bad.csv row 3",
        "'host'",
    )
    listed = cli("tls", "endpoints", "list", "--client", "acme", "-f", "json", "-w", w)
    assert json.loads(listed.out) == []  # nothing stored from the bad file
    good = tmp_path / "good.csv"
    good.write_text(
        "host,port,purpose,protocol\napi.acme.test,443,API,\nldaps.acme.test,636,,tls\n"
    )
    first = cli("tls", "endpoints", "import", str(good), "--client", "acme", "-f", "json", "-w", w)
    assert json.loads(first.out)[0]["added"] == 2
    again = cli("tls", "endpoints", "import", str(good), "--client", "acme", "-f", "json", "-w", w)
    assert json.loads(again.out)[0]["unchanged"] == 2
    rows = json.loads(cli("tls", "endpoints", "list", "-f", "json", "-w", w).out)
    assert {(r["endpoint"], r["protocol"]) for r in rows} == {
        ("api.acme.test:443", "https"),
        ("ldaps.acme.test:636", "tls"),
    }
    assert (
        cli("tls", "endpoints", "remove", "ldaps.acme.test:636", "--client", "acme", "-w", w).code
        == 0
    )
    assert len(json.loads(cli("tls", "endpoints", "list", "-f", "json", "-w", w).out)) == 1


def test_refresh_checks_only_what_is_old_or_never_checked(ws, servers, pki, sslyze_env) -> None:  # type: ignore[no-untyped-def]
    from dataward.core.clients import add as add_client
    from dataward.core.engine.clients import ClientSpec
    from dataward.encryption import endpoints
    from dataward.encryption.engine.endpoints import Endpoint
    from dataward.encryption.service import refresh

    client, _ = add_client(ws, ClientSpec(slug="acme", name="Acme"))
    for name in ("good", "expired"):
        spec = Endpoint("127.0.0.1", servers[name].port, "", "https", "manual")
        endpoints.add(ws, "acme", spec, pki.ca_file)
    assert refresh(ws, client, 30) == 2
    assert refresh(ws, client, 30) == 0  # both fresh now: sslyze is not even run
    start = ws.clock()
    ws.clock = lambda: start + timedelta(days=40)
    assert refresh(ws, client, 30) == 2
    rows = endpoints.list_rows(ws, "acme")
    assert {r["verdict"] for r in rows} == {"pass", "fail"}  # the stored CA file was used


def test_assess_refresh_rechecks_before_judging(
    cli, ws_root: Path, servers, pki, sslyze_env
) -> None:  # type: ignore[no-untyped-def]
    w = str(ws_root)
    _client(cli, w)
    _add(cli, w, servers["good"].port, pki.ca_file)
    out = cli("assess", "--client", "acme", "--refresh", "0", "-f", "json", "-w", w)
    assert out.code in (0, 1), out
    results = [r for r in json.loads(out.out)["results"] if r["check"] == CHECK]
    assert [r["status"] for r in results] == ["pass"]


def test_scoped_users_see_and_change_only_their_clients(cli, ws_root: Path) -> None:  # type: ignore[no-untyped-def]
    w = str(ws_root)
    _client(cli, w, "acme")
    _client(cli, w, "zenith")
    for slug in ("acme", "zenith"):
        add = cli("tls", "endpoints", "add", f"api.{slug}.test", "--client", slug, "-w", w)
        assert add.code == 0, add
    assert (
        cli("users", "add", "vic", "--role", "client-viewer", "--client", "acme", "-w", w).code == 0
    )
    mine = cli("tls", "endpoints", "list", "-f", "json", "-w", w, DATAWARD_USER="vic")
    assert [r["client"] for r in json.loads(mine.out)] == ["acme"]
    other = cli("tls", "endpoints", "list", "--client", "zenith", "-w", w, DATAWARD_USER="vic")
    assert other.code == 2
    denied = cli(
        "tls", "endpoints", "add", "x.test", "--client", "acme", "-w", w, DATAWARD_USER="vic"
    )
    assert_one_line_error(denied, "may not import")
    check = cli("tls", "check", "--client", "acme", "-w", w, DATAWARD_USER="vic")
    assert_one_line_error(check, "may not scan")


def test_the_operations_own_endpoints_are_checked_with_client_operation(  # type: ignore[no-untyped-def]
    cli, ws_root: Path, servers, pki, sslyze_env
) -> None:
    w = str(ws_root)
    target = f"127.0.0.1:{servers['good'].port}"
    add = (
        "tls",
        "endpoints",
        "add",
        target,
        "--client",
        "operation",
        "--ca-file",
        str(pki.ca_file),
    )
    assert cli(*add, "-w", w).code == 0
    done = cli("tls", "check", "--client", "operation", "-f", "json", "-w", w)
    assert done.code == 0, done
    assert [r["verdict"] for r in json.loads(done.out)] == ["pass"]
    out = cli("assess", "-f", "json", "-w", w)
    mine = [r for r in json.loads(out.out)["results"] if r["check"] == CHECK]
    assert [(r["client"], r["subject"], r["status"]) for r in mine] == [
        ("operation", target, "pass")
    ]
