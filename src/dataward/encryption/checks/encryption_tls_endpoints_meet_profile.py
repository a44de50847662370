"""Check that each in-scope TLS endpoint's latest result meets the Mozilla intermediate profile."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.encryption.checks._common import not_applicable
from dataward.encryption.engine.endpoints import endpoint_status
from dataward.encryption.engine.profile import intermediate


@check(
    id="encryption_tls_endpoints_meet_profile",
    title="TLS endpoints carrying client data meet the Mozilla intermediate profile",
    severity="high",
    scope="any",
    risk=(
        "Old protocols, weak cipher suites, untrusted or expired certificates and missing HSTS "
        "let an attacker on the network read or alter client data in transit."
    ),
    remediation=(
        "Allow only TLS 1.2 and 1.3 with the profile's cipher suites, serve a trusted, current "
        "certificate naming the host, send HSTS for a year or more on HTTPS, then re-check: "
        "dataward tls check --client CLIENT."
    ),
)
def encryption_tls_endpoints_meet_profile(view: WorkspaceView) -> Iterator[Result]:
    """Judge each endpoint's latest stored result as of now; the check never connects anywhere."""
    results = view.read("encryption_tls_endpoints")
    slug = view.client.slug
    if not results:
        why = "no TLS endpoint is in scope: add one with dataward tls endpoints add HOST:PORT "
        yield not_applicable(view, why + f"--client {slug}")
        return
    profile = intermediate()
    for r in results:
        state = endpoint_status(r.endpoint, r.latest, profile, view.now, client=slug)
        yield Result(Status(state.status), r.endpoint.label, state.summary, state.findings)
