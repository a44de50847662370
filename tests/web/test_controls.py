"""The controls pages: checklists with their latest status, control detail, attestation upload."""

from __future__ import annotations

import hashlib
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


def _events(action: str, object_id: str) -> int:
    from dataward.core.models import AuditEvent

    return AuditEvent.objects.filter(action=action, object_id=object_id).count()


def _attestations(slug: str, control: str) -> int:
    from dataward.controls.models import Attestation
    from dataward.core.models import Client

    client = Client.objects.get(slug=slug)
    return Attestation.objects.for_client(client).filter(control_id=control).count()


def _scoped_manager() -> str:
    """Return the isolation test's manager scoped to Northbank (created once per worker)."""
    from dataward.core import users
    from dataward.core.models import User
    from dataward.web.app import served

    name = "iso-manager-a"
    if not User.objects.filter(username=name).exists():
        assert served.ws is not None
        users.add(served.ws, name, "manager", ["northbank"])
    return name


@pytest.mark.parametrize("user", ["demo-admin", "demo-analyst", "demo-auditor", "viewer-carewell"])
def test_checklist_renders(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(user).get("/controls/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Controls checklist" in body
    assert "/controls/carewell/AC-03/" in body


def test_client_viewer_sees_only_their_client(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("viewer-carewell")
    response = browser.get("/controls/?export=csv")
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert len(lines) > 10
    assert all(line.startswith("carewell,") for line in lines[1:])
    assert browser.get("/controls/?client=northbank").status_code == 404
    assert browser.get("/controls/northbank/AC-03/").status_code == 404
    assert browser.get("/controls/carewell/AC-03/").status_code == 200


def test_filter_by_framework_and_status(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-manager")
    hipaa = browser.get("/controls/?client=carewell&framework=HIPAA").content.decode()
    assert "VC-05" in hipaa  # the business associate agreement: HIPAA only
    assert "RG-05" not in hipaa  # mapped to ISO 27001 and SOC 2, not HIPAA
    failing = browser.get("/controls/?client=carewell&status=fail&export=csv")
    lines = b"".join(failing.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("Client,Control,Area,Title,Applies because")
    assert any(",AC-03," in line for line in lines)
    assert all(",fail," in line for line in lines[1:])
    first_page = browser.get("/controls/?client=carewell&sort=-control").content.decode()
    assert "VC-05" in first_page
    assert "/controls/carewell/AC-01/" not in first_page  # last in this order: on page 2


def test_control_detail_shows_results_and_mappings(signed_in) -> None:  # type: ignore[no-untyped-def]
    body = signed_in("demo-auditor").get("/controls/carewell/ac-03/").content.decode()
    assert "access_leavers_have_no_active_accounts" in body
    assert "fail" in body
    assert "A.5.16" in body  # ISO 27001 mapping
    assert "Attest AC-03" not in body  # an auditor may not attest
    assert signed_in("demo-auditor").get("/controls/carewell/XX-99/").status_code == 404


def test_attestation_upload_is_stored_and_audited(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.controls.models import Attestation
    from dataward.core.models import Client
    from dataward.web.app import served

    browser = signed_in("demo-manager")
    page = browser.get("/controls/telora/RG-04/").content.decode()
    assert "Attest RG-04 for Telora" in page
    data = b"%PDF-1.4 minutes of the yearly policy review\n"
    upload = SimpleUploadedFile("C:\\reviews\\policy-review.pdf", data, "application/pdf")
    response = browser.post(
        "/controls/telora/RG-04/attest/",
        {
            "statement": "Policies reviewed by the board",
            "expires": "2027-06-30",
            "evidence": upload,
        },
    )
    assert response.status_code == 302, response.content[:400]
    client = Client.objects.get(slug="telora")
    record = Attestation.objects.for_client(client).filter(control_id="RG-04").latest("id")
    digest = hashlib.sha256(data).hexdigest()
    assert record.files == [{"name": "policy-review.pdf", "sha256": digest, "size": len(data)}]
    assert (record.attester, str(record.expires)) == ("demo-manager", "2027-06-30")
    assert served.ws is not None
    assert (served.ws.paths.root / "evidence" / digest).read_bytes() == data
    assert _events("control.attest", str(record.pk)) == 1
    body = browser.get("/controls/telora/RG-04/").content.decode()
    assert "policy-review.pdf" in body
    assert "Policies reviewed by the board" in body


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"statement": "ok", "evidence": b""},
            "empty.txt: is empty; attach the evidence file itself",
        ),
        ({"statement": "  ", "evidence": b"x"}, "an attestation needs a statement"),
        ({"statement": "ok", "expires": "31/12/2027"}, "expires: '31/12/2027' is not a date"),
    ],
)
def test_bad_attestation_shows_one_line(signed_in, form, message) -> None:  # type: ignore[no-untyped-def]
    before = _attestations("telora", "PD-02")
    post = dict(form)
    if "evidence" in post:
        post["evidence"] = SimpleUploadedFile("empty.txt", post["evidence"])
    response = signed_in("demo-manager").post("/controls/telora/PD-02/attest/", post)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert _attestations("telora", "PD-02") == before


def test_oversized_evidence_is_refused(signed_in) -> None:  # type: ignore[no-untyped-def]
    from dataward.controls.attestations import MAX_FILE

    before = _attestations("telora", "PD-02")
    big = SimpleUploadedFile("floor-photos.zip", b"\0" * (MAX_FILE + 1))
    response = signed_in("demo-manager").post(
        "/controls/telora/PD-02/attest/", {"statement": "clean desk", "evidence": big}
    )
    assert response.status_code == 400
    assert (
        "floor-photos.zip: is larger than 50 MB; attach a smaller file" in response.content.decode()
    )
    assert _attestations("telora", "PD-02") == before


def test_checks_only_control_cannot_be_attested(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in("demo-manager")
    assert "Attest DA-02" not in browser.get("/controls/telora/DA-02/").content.decode()
    response = browser.post("/controls/telora/DA-02/attest/", {"statement": "trust me"})
    assert response.status_code == 400
    assert "DA-02 is evidenced by checks only" in response.content.decode()


@pytest.mark.parametrize("user", ["demo-analyst", "demo-auditor", "viewer-telora"])
def test_roles_that_may_not_attest_are_refused(signed_in, user: str) -> None:  # type: ignore[no-untyped-def]
    before = _attestations("telora", "PD-02")
    response = signed_in(user).post("/controls/telora/PD-02/attest/", {"statement": "x"})
    assert response.status_code == 403
    assert _attestations("telora", "PD-02") == before


def test_other_clients_control_is_not_found(signed_in) -> None:  # type: ignore[no-untyped-def]
    browser = signed_in(_scoped_manager())
    before = _attestations("telora", "PD-02")
    assert browser.get("/controls/telora/PD-02/").status_code == 404
    response = browser.post("/controls/telora/PD-02/attest/", {"statement": "x"})
    assert response.status_code == 404
    assert _attestations("telora", "PD-02") == before
    assert browser.get("/controls/northbank/PD-02/").status_code == 200


def test_long_non_ascii_evidence_name_is_kept_short_enough(signed_in) -> None:  # type: ignore[no-untyped-def]
    """A 120-character CJK name is 360 bytes: too long for a file name unless cut by bytes."""
    from dataward.controls.models import Attestation
    from dataward.core.models import Client

    name = "年度政策审查会议记录" * 12 + ".pdf"  # 124 characters, 364 bytes in UTF-8
    upload = SimpleUploadedFile(name, b"%PDF-1.4 minutes\n", "application/pdf")
    response = signed_in("demo-manager").post(
        "/controls/telora/PD-02/attest/", {"statement": "clean desk", "evidence": upload}
    )
    assert response.status_code == 302, response.content[:400]
    client = Client.objects.get(slug="telora")
    record = Attestation.objects.for_client(client).filter(control_id="PD-02").latest("id")
    kept = record.files[0]["name"]
    assert kept.endswith(".pdf")
    assert kept.startswith("年度政策审查会议记录")
    assert len(kept.encode()) <= 200


@pytest.mark.parametrize(
    "raw",
    [
        "../../etc/passwd",
        "..",
        "C:\\temp\\..\\x.pdf",
        "a\x00b.pdf",
        " .hidden",
        "\u202etxt.exe",
        "x" * 300 + ".pdf",
        "é" * 200,
        "",
    ],
)
def test_upload_names_stay_inside_their_folder(raw: str) -> None:
    from dataward.controls.attestations import upload_name

    name = upload_name(raw)
    assert name
    assert not {"/", "\\", "\x00"} & set(name)
    assert not name.startswith(".")
    assert "\u202e" not in name  # a right-to-left override would disguise the extension
    assert len(name.encode()) <= 200
    assert name.endswith(".pdf") or not raw.endswith(".pdf")
