"""Read e-mail messages: address and subject headers, plain and HTML bodies, and attachments."""

from __future__ import annotations

import io
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser

from dataward.discovery.engine.extractors._textio import split_text
from dataward.discovery.engine.extractors.registry import Part, Source, extractor
from dataward.discovery.engine.types import Segment, Skipped

#: Headers that hold transport or format detail rather than people's data.
SKIP_HEADERS = frozenset(
    {
        "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
        "content-id", "message-id", "dkim-signature", "arc-seal", "arc-message-signature",
        "arc-authentication-results", "authentication-results", "received-spf", "x-mailer",
        "thread-index", "in-reply-to", "references",
    }
)  # fmt: skip


MESSAGE_TOO_BIG = "e-mail message larger than the member limit (parsed whole, so not read)"


@extractor(suffixes=(".eml",))
def extract_eml(src: Source) -> Iterator[Part]:
    """Yield headers (context = header name), bodies, then each attachment's own parts.

    The standard library parses a message whole in memory, so a message is held to the member
    limit (512 MB by default) and skipped with the reason past it, never read into memory.
    """
    limit = src.limits.max_member_bytes
    if src.size is not None and src.size > limit:
        yield Skipped(src.where(), MESSAGE_TOO_BIG)
        return
    data = src.stream.read(limit + 1)
    if len(data) > limit:
        yield Skipped(src.where(), MESSAGE_TOO_BIG)
        return
    msg = BytesParser(policy=policy.default).parsebytes(data)
    del data
    yield from message_parts(src, msg)


def message_parts(src: Source, msg: Message) -> Iterator[Part]:
    """Yield the parts of one parsed message, nested messages and attachments included."""
    for name, value in msg.items():
        if name.lower() not in SKIP_HEADERS and str(value).strip():
            yield Segment(str(value), src.where(), name)
    count = 0
    for part in _leaves(msg):
        if part.get_content_type() == "message/rfc822":
            for inner in _payloads(part):
                yield from message_parts(src, inner)
            continue
        filename = part.get_filename()
        maintype = part.get_content_maintype()
        if filename or part.get_content_disposition() == "attachment" or maintype != "text":
            count += 1
            data = part.get_payload(decode=True)
            if isinstance(data, bytes) and data:
                name = _safe_name(filename) or f"attachment-{count}"
                if reason := src.admit(len(data)):
                    yield Skipped(src.where(member=src.child(name)), reason)
                else:
                    yield from src.nested(name, io.BytesIO(data), len(data))
            continue
        yield from _body(src, part)


def _leaves(msg: Message) -> Iterator[Message]:
    if msg.get_content_type() == "message/rfc822":
        yield msg
    elif msg.is_multipart():
        for sub in _payloads(msg):
            yield from _leaves(sub)
    else:
        yield msg


def _payloads(msg: Message) -> list[Message]:
    payload = msg.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _body(src: Source, part: Message) -> Iterator[Part]:
    if isinstance(part, EmailMessage):
        try:
            text = str(part.get_content())
        except (LookupError, ValueError):
            text = (part.get_payload(decode=True) or b"").decode("latin-1")  # type: ignore[union-attr]
    else:
        text = str(part.get_payload())
    if part.get_content_subtype() == "html":
        text = strip_tags(text)
    for line, chunk in split_text(text, src.limits.chunk_chars):
        if chunk.strip():
            yield Segment(chunk, src.where(line=line), "body")


def _safe_name(filename: str | None) -> str:
    return (filename or "").replace("\\", "/").strip("/").replace("/", "_")


class _Stripper(HTMLParser):
    """Collect the visible text of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Hide script and style contents; break lines at block tags."""
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3", "table"):
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append("\t")

    def handle_endtag(self, tag: str) -> None:
        """End a hidden block."""
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        """Keep visible text."""
        if not self.hidden:
            self.out.append(data)


def strip_tags(html: str) -> str:
    """Return the visible text of an HTML fragment, with line breaks at block tags."""
    stripper = _Stripper()
    stripper.feed(html)
    stripper.close()
    return "".join(stripper.out)
