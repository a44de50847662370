"""Check that full card numbers are found only inside the client's PCI zone."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.discovery.checks._common import counts, evidence, inventory_rows, not_scanned
from dataward.discovery.engine.inventory import in_pci_zone


@check(
    id="discovery_card_data_in_pci_zone",
    title="Card data stays inside the PCI zone",
    severity="critical",
    risk="Card numbers outside the PCI zone bring those systems into PCI scope and expose "
    "cardholders.",
    remediation="Delete or truncate the card numbers, or move the file into a location approved "
    "for PCI data.",
)
def discovery_card_data_in_pci_zone(view: WorkspaceView) -> Iterator[Result]:
    """Fail each location outside the PCI zone that holds card numbers."""
    rows = inventory_rows(view)
    if rows is None:
        yield from not_scanned(view)
        return
    cards = [r for r in rows if r.entity_type == "CREDIT_CARD"]
    outside = [r for r in cards if not in_pci_zone(r.location, view.client.approved_locations)]
    for row in outside:
        summary = f"{row.location} holds card numbers outside the PCI zone ({counts([row])})"
        yield Result(Status.FAIL, row.location, summary, evidence([row]))
    if not outside:
        summary = f"card numbers found in {len(cards)} locations, all inside the PCI zone"
        yield Result(Status.PASS, view.client.slug, summary)
