"""Check that sensitive data found by discovery sits on storage registered as encrypted at rest."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.encryption.checks._common import not_applicable
from dataward.encryption.checks._devices import device_results
from dataward.encryption.engine.at_rest import LocationState, judge_locations

#: At most this many locations are listed in the evidence of one summary result.
EVIDENCE_ROWS = 100


def _evidence(states: list[LocationState]) -> tuple[dict[str, object], ...]:
    return tuple(
        {
            "location": s.location,
            "categories": list(s.categories),
            "values": s.values,
            "at_rest": s.state,
            "register_entry": s.entry,
        }
        for s in states[:EVIDENCE_ROWS]
    )


def _locations(view: WorkspaceView) -> Iterator[Result]:
    """Judge the inventory's locations against the at-rest register."""
    inventory = view.read("discovery_inventory")
    slug = view.client.slug
    if not inventory["scanned"]:
        return
    held = ((r.location, r.category, r.count) for r in inventory["rows"])
    states = judge_locations(held, view.read("encryption_at_rest"))
    if not states:
        yield Result(Status.PASS, slug, "discovery found no sensitive data in the scanned storage")
        return
    for s in (s for s in states if s.state == "unencrypted"):
        summary = (
            f"{s.location} holds {', '.join(s.categories)} data ({s.values} values) on storage "
            f"registered as not encrypted at rest ({s.entry})"
        )
        yield Result(Status.FAIL, s.location, summary, _evidence([s]))
    unknown = [s for s in states if s.state == "unknown"]
    if unknown:
        summary = (
            f"{len(unknown)} location(s) holding sensitive data have no at-rest record "
            f"(or one saying unknown): "
            f"register them with dataward encryption locations set PATH --at-rest "
            f"encrypted|unencrypted --client {slug}"
        )
        yield Result(Status.WARNING, slug, summary, _evidence(unknown))
    good = [s for s in states if s.state == "encrypted"]
    if good:
        summary = f"{len(good)} location(s) holding sensitive data are encrypted at rest"
        yield Result(Status.PASS, slug, summary, _evidence(good))


@check(
    id="encryption_sensitive_data_at_rest_encrypted",
    title="Sensitive data is stored only on storage encrypted at rest",
    severity="high",
    scope="client",
    risk=(
        "Sensitive data on unencrypted shares, databases, buckets or laptops is exposed in "
        "full when the disk, a backup or a snapshot is copied, lost or stolen."
    ),
    remediation=(
        "Encrypt the storage (BitLocker, LUKS, database TDE, bucket SSE-KMS) or move the data "
        "to encrypted storage, then record it: dataward encryption locations set PATH "
        "--at-rest encrypted --client CLIENT."
    ),
)
def encryption_sensitive_data_at_rest_encrypted(view: WorkspaceView) -> Iterator[Result]:
    """Fail data locations registered unencrypted, and unencrypted devices holding client data."""
    results = [*_locations(view), *device_results(view)]
    if not results:
        slug = view.client.slug
        why = f"{slug} has not been scanned yet and no device reader is installed: run "
        yield not_applicable(view, why + f"dataward scan PATH --client {slug}")
        return
    yield from results
