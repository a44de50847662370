"""Import the demo estate's channel and at-rest registers, and verify the encryption plants.

The HTTPS channels' hosts become in-scope TLS endpoints. They are fictitious and never
reachable, so the demo does not check them: encryption_tls_endpoints_meet_profile reports each
as "never checked" with the command to run, a warning, not a failure. A missing check is a gap
in evidence, not evidence of a weak configuration, so it must not be counted as one.
"""

from __future__ import annotations

from typing import Any

from dataward.demo.oracle import AreaOutcome

CHECK_PREFIX = "encryption_"
CHANNELS = "channels/transfer_channels.json"
AT_REST = "encryption/at_rest_register.csv"


def import_estate(ctx: Any) -> None:
    """Import each client's channels (and HTTPS endpoints) and at-rest entries."""
    from dataward.encryption import registers

    channels, at_rest = ctx.estate / CHANNELS, ctx.estate / AT_REST
    added = 0
    for slug in ctx.manifest["clients"]:
        if channels.is_file():
            added += registers.import_channels(ctx.ws, slug, channels)["endpoints_added"]
        if at_rest.is_file():
            registers.import_locations(ctx.ws, slug, at_rest)
    if channels.is_file():
        ctx.console.print(
            f"encryption: channel registers imported; {added} HTTPS endpoint(s) in scope, "
            "not checked in the demo (run dataward tls check --client SLUG where reachable)"
        )


def verify(ctx: Any) -> list[AreaOutcome]:
    """Return which planted encryption problems the checks raised, and any other failure.

    A failure that is a planted problem of another area (the same device or file seen from the
    encryption side) is neither found here nor a false alarm.
    """
    from dataward.demo.run import latest_failures

    planted = ctx.manifest["planted"]
    found: set[str] = set()
    alarms: set[str] = set()
    estate = str(ctx.estate).rstrip("/") + "/"
    for client, res in latest_failures(CHECK_PREFIX):
        mine = [p for p in planted if p["area"] == "encryption" and _matches(p, res)]
        found |= {p["id"] for p in mine}
        if not mine and not any(_same_subject(p, res.subject) for p in planted):
            alarms.add(f"{client.slug}: {res.check_id} on {res.subject.removeprefix(estate)}")
    return [AreaOutcome("encryption", tuple(sorted(found)), tuple(sorted(alarms)))]


def _same_subject(problem: dict[str, Any], subject: str) -> bool:
    """Return whether a subject is what a planted problem names (a path may be absolute)."""
    want = str(problem.get("expect", {}).get("subject") or "")
    return bool(want) and (subject == want or subject.endswith("/" + want))


def _matches(problem: dict[str, Any], res: Any) -> bool:
    """Return whether a failure is the planted problem: same check, same subject."""
    expect = problem.get("expect", {})
    checks = {expect.get("check"), *expect.get("also", [])}
    return res.check_id in checks and _same_subject(problem, res.subject)
