"""Find archives whose members discovery could read and that hold sensitive data.

Discovery opens ZIP archives member by member; a member protected with a password is skipped
as "encrypted member". So sensitive data found inside an archive member proves the member was
stored unencrypted. An archive may itself sit inside another file (an e-mail attachment), so
the archive is named by the location and the member path up to the archive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

#: Archive formats discovery reads member by member (discovery/engine/extractors/zip.py).
ARCHIVE_SUFFIXES = (".zip",)


@dataclass(frozen=True)
class MemberHit:
    """Sensitive values of one entity type found in one member of a container file."""

    location: str
    member: str
    entity_type: str
    category: str
    count: int


@dataclass
class OpenArchive:
    """An archive with readable members holding sensitive data."""

    archive: str
    members: dict[str, dict[str, int]] = field(default_factory=dict)  # member -> type -> count
    categories: set[str] = field(default_factory=set)
    encrypted_members: int = 0

    @property
    def values(self) -> int:
        """Return how many sensitive values its readable members hold."""
        return sum(sum(t.values()) for t in self.members.values())


def _is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def archive_of(location: str, member: str) -> tuple[str, str] | None:
    """Return (archive, member inside it) for a hit inside an archive, else None.

    The outermost archive is named: when it is readable, everything inside it is exposed.
    """
    if _is_archive(location):
        return location, member
    steps = member.split("/")
    for i, step in enumerate(steps[:-1]):
        if _is_archive(step):
            return f"{location}!{'/'.join(steps[: i + 1])}", "/".join(steps[i + 1 :])
    return None


def open_archives(
    hits: Iterable[MemberHit], encrypted: dict[str, int] | None = None
) -> list[OpenArchive]:
    """Group hits inside archives per archive, with the count of encrypted members skipped."""
    found: dict[str, OpenArchive] = {}
    for hit in hits:
        if not hit.member:
            continue
        place = archive_of(hit.location, hit.member)
        if place is None:
            continue
        archive, inner = place
        entry = found.setdefault(archive, OpenArchive(archive))
        types = entry.members.setdefault(inner, {})
        types[hit.entity_type] = types.get(hit.entity_type, 0) + hit.count
        entry.categories.add(hit.category)
    for name, entry in found.items():
        entry.encrypted_members = (encrypted or {}).get(name, 0)
    return [found[k] for k in sorted(found)]
