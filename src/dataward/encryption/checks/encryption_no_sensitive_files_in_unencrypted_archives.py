"""Check that no archive holds sensitive data in members anyone can read (no encryption)."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.encryption.checks._common import not_applicable
from dataward.encryption.engine.archives import open_archives


@check(
    id="encryption_no_sensitive_files_in_unencrypted_archives",
    title="Sensitive files are not kept in unencrypted archives",
    severity="high",
    scope="client",
    risk=(
        "An archive is made to be copied and sent; one whose members hold sensitive data "
        "without encryption exposes all of it to whoever receives or finds the file."
    ),
    remediation=(
        "Delete the archive, or re-create it with AES-256 encryption (e.g. 7-Zip's ZIP AES) "
        "and share the password out of band; then scan again."
    ),
)
def encryption_no_sensitive_files_in_unencrypted_archives(
    view: WorkspaceView,
) -> Iterator[Result]:
    """Fail each archive whose readable members hold sensitive data found by discovery."""
    data = view.read("encryption_archive_hits")
    slug = view.client.slug
    if not data["scanned"]:
        yield not_applicable(
            view, f"{slug} has not been scanned yet: run dataward scan PATH --client {slug}"
        )
        return
    archives = open_archives(data["hits"], data["encrypted"])
    for a in archives:
        cats = ", ".join(sorted(a.categories))
        names = ", ".join(sorted(a.members))
        summary = (
            f"{a.archive} holds {cats} data ({a.values} values) in {len(a.members)} "
            f"unencrypted member(s): {names}"
        )
        if a.encrypted_members:
            summary += f"; {a.encrypted_members} other member(s) are encrypted"
        evidence = tuple(
            {"archive": a.archive, "member": m, "values": sum(t.values()), "types": dict(t)}
            for m, t in sorted(a.members.items())
        )
        yield Result(Status.FAIL, a.archive, summary, evidence)
    if not archives:
        yield Result(
            Status.PASS, slug, "no archive member readable by discovery holds sensitive data"
        )
