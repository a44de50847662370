"""Gather every package's dated obligations and group them into one digest per owner.

core/delivery.py sends the digests (SMTP, webhook). A digest carries only what its owner may
see: an owner who is a dataward user gets the items of the clients in their scope, and the rest
are withheld and reported to whoever runs the command.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from dataward.core.engine.obligations import DUE_SOON_DAYS, Obligation, start_of
from dataward.core.engine.permissions import Action, may
from dataward.core.models import User
from dataward.core.workspace import Workspace
from dataward.plugins import hook

COLUMNS = ["owner", "state", "due", "kind", "client", "ref", "title"]
NO_OWNER = "(no owner)"
TIMEOUT = 15.0
ADDRESS_RE = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[A-Za-z0-9-]+$")


def gather(
    ws: Workspace, today: date, *, days: int = DUE_SOON_DAYS, everything: bool = False,
    client: str | None = None, owner: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Return the obligations that are overdue or due within ``days`` (all with everything).

    ``client`` must name a client (or ``operation``) the acting user may view.
    """
    wanted = _client_filter(ws, client) if client else None
    now = ws.clock()
    moment = now if now.date() == today else start_of(today)
    found: list[Obligation] = [o for batch in hook().obligations(ws=ws, today=today) for o in batch]
    rows = []
    for o in found:
        state = o.state(today, days, moment)
        if state == "later" and not everything:
            continue
        if client and o.client != wanted:
            continue
        if owner and o.owner != owner:
            continue
        rows.append(
            {
                "owner": o.owner or NO_OWNER,
                "state": state,
                "due": o.due,
                "kind": o.kind,
                "client": o.client or "operation",
                "ref": o.ref,
                "title": o.title,
            }  # fmt: skip
        )
    rows.sort(key=lambda r: (r["owner"], r["due"], r["kind"], r["ref"]))
    return rows


def _client_filter(ws: Workspace, slug: str) -> str | None:
    """Return the Obligation.client value of a --client option the user may view."""
    from dataward.core.clients import get

    found = get(ws, slug)  # one-line error for an unknown client or one out of scope
    return None if found.is_operation else found.slug


def digests(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Group the rows by owner."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["owner"], []).append(row)
    return out


def _accounts(owner: str) -> list[User]:
    """Return the dataward users an owner names: by user name, else by e-mail address."""
    user = User.objects.filter(username=owner).first()
    if user is not None:
        return [user]
    if "@" not in owner:
        return []
    return list(User.objects.filter(email__iexact=owner.strip()))


def address(owner: str) -> str:
    """Return the e-mail address of an owner (a dataward user's, or the address itself), or ''.

    Anything that is not one plain address (a name, a list, text with line breaks) gives ''.
    """
    user = User.objects.filter(username=owner).first()
    found = user.email.strip() if user is not None else owner.strip() if "@" in owner else ""
    return found if ADDRESS_RE.match(found) else ""


def visible(owner: str, rows: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Return the rows the owner may see, and how many were withheld.

    An owner who is a dataward user (by name or e-mail) sees the rows of clients in their
    scope; a disabled user sees none. An outside address or a plain name is not a user: the
    items were assigned to it by name, so it gets them.
    """
    from dataward.core.users import to_principal

    users = _accounts(owner)
    if not users:
        return list(rows), 0
    people = [to_principal(u) for u in users]

    def allowed(row: dict[str, Any]) -> bool:
        slug = None if row["client"] == "operation" else row["client"]
        return all(may(p, Action.VIEW, slug) for p in people)

    kept = [r for r in rows if allowed(r)]
    return kept, len(rows) - len(kept)


def screened(
    groups: dict[str, list[dict[str, Any]]],
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Return each owner's digest cut to what they may see, and the withheld count per owner."""
    kept: dict[str, list[dict[str, Any]]] = {}
    withheld: dict[str, int] = {}
    for owner, rows in groups.items():
        mine, hidden = visible(owner, rows)
        if mine:
            kept[owner] = mine
        if hidden:
            withheld[owner] = hidden
    return kept, withheld


def body(owner: str, rows: Sequence[dict[str, Any]], today: date) -> str:
    """Return the plain-text digest for one owner."""
    lines = [f"dataward reminders for {owner} on {today}", ""]
    for r in rows:
        lines.append(f"- [{r['state']}] due {r['due']}: {r['kind']} {r['ref']} ({r['client']})")
        lines.append(f"  {r['title']}")
    overdue = sum(r["state"] == "overdue" for r in rows)
    lines += ["", f"{len(rows)} items, {overdue} overdue. Run `dataward remind` to see them."]
    return "\n".join(lines) + "\n"
