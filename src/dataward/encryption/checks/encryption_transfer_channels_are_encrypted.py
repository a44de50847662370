"""Check that every transfer channel in the client's register encrypts data on the wire."""

from __future__ import annotations

from collections.abc import Iterator

from dataward.controls.engine.registry import Result, Status, WorkspaceView, check
from dataward.encryption.checks._common import not_applicable
from dataward.encryption.engine.channels import judge_channel


@check(
    id="encryption_transfer_channels_are_encrypted",
    title="Transfer channels encrypt data in transit (SSH or TLS 1.2 and later)",
    severity="high",
    scope="any",
    risk=(
        "Files moved over plain FTP, HTTP or Telnet, or over TLS older than 1.2, can be read "
        "and changed by anyone on the path, credentials included."
    ),
    remediation=(
        "Move the feed to SFTP, FTPS or HTTPS with TLS 1.2 or later, update the channel "
        "register and import it again: dataward encryption channels import FILE --client CLIENT."
    ),
)
def encryption_transfer_channels_are_encrypted(view: WorkspaceView) -> Iterator[Result]:
    """Judge each channel of the register: plain protocols and TLS below 1.2 fail."""
    channels = view.read("encryption_channels")
    if not channels:
        why = "no transfer channel is registered: import the register with dataward encryption "
        yield not_applicable(view, why + f"channels import FILE --client {view.client.slug}")
        return
    for channel in channels:
        judged = judge_channel(channel)
        evidence = {
            "channel": channel.ref,
            "protocol": channel.protocol,
            "host": channel.host,
            "port": channel.port,
            "transport": channel.transport,
            "tls_min_version": channel.tls_min_version,
        }
        yield Result(Status(judged.status), channel.ref, judged.summary, (evidence,))
