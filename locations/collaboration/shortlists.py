"""Shortlists: named lists of published locations with notes, kept by their owner, shared read-only through a
revocable token, printed as a sheet, and sent by FC staff as a reply to an inquiry. Functions add and flush;
the views commit."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..core import audit
from ..core.extensions import db
from ..library.models import Location
from .inquiries import add_fc_message, propose_locations
from .models import Inquiry, Shortlist, ShortlistItem

# Who keeps shortlists: producers for their shoots, FC staff to answer inquiries.
KEEPERS = ("producer", "fc_staff")
NAME_LIMIT = 200
NOTE_LIMIT = 2000


class ShortlistError(ValueError):
    """A refused change; the message is for the user."""


def shortlists_of(user: User) -> list[Shortlist]:
    return list(
        db.session.scalars(
            select(Shortlist)
            .where(Shortlist.owner_id == user.id)
            .order_by(Shortlist.updated_at.desc(), Shortlist.id.desc())
        )
    )


def shortlists_for_page(user) -> list[Shortlist] | None:
    """The signed-in keeper's shortlists for the "add to a shortlist" form (None: the form is not shown)."""
    if not getattr(user, "is_authenticated", False) or user.role not in KEEPERS:
        return None
    return shortlists_of(user)


def create(owner: User, name: str) -> Shortlist:
    name = (name or "").strip()
    if not name:
        raise ShortlistError(str(_l("Give the shortlist a name.")))
    shortlist = Shortlist(owner_id=owner.id, name=name[:NAME_LIMIT])
    db.session.add(shortlist)
    db.session.flush()
    audit.record("create", shortlist, changes={"name": [None, shortlist.name]}, user=owner)
    return shortlist


def rename(shortlist: Shortlist, name: str, actor: User) -> None:
    name = (name or "").strip()[:NAME_LIMIT]
    if not name:
        raise ShortlistError(str(_l("Give the shortlist a name.")))
    if name != shortlist.name:
        audit.record("update", shortlist, changes={"name": [shortlist.name, name]}, user=actor)
        shortlist.name = name


def add_location(shortlist: Shortlist, location: Location, note: str | None, actor: User) -> ShortlistItem:
    """Put a published location on the list (once); a second add only updates the note."""
    if location.status != "published":
        raise ShortlistError(str(_l("Choose a published location from the library.")))
    item = next((i for i in shortlist.items if i.location_id == location.id), None)
    note = (note or "").strip()[:NOTE_LIMIT] or None
    if item is None:
        last = db.session.scalar(
            select(func.max(ShortlistItem.position)).where(ShortlistItem.shortlist_id == shortlist.id)
        )
        item = ShortlistItem(shortlist=shortlist, location=location, note=note, position=(last or 0) + 1)
        db.session.add(item)
        audit.record("update", shortlist, changes={"locations": [None, location.slug]}, user=actor)
    elif note is not None:
        item.note = note
    db.session.flush()
    return item


def set_note(item: ShortlistItem, note: str | None) -> None:
    item.note = (note or "").strip()[:NOTE_LIMIT] or None


def remove_item(item: ShortlistItem, actor: User) -> None:
    audit.record("update", item.shortlist, changes={"locations": [item.location.slug, None]}, user=actor)
    db.session.delete(item)


def share(shortlist: Shortlist, actor: User) -> str:
    """A new read-only link; an older one stops working."""
    shortlist.share_token = secrets.token_urlsafe(24)
    audit.record("share", shortlist, user=actor)
    return shortlist.share_token


def revoke(shortlist: Shortlist, actor: User) -> None:
    if shortlist.share_token:
        shortlist.share_token = None
        audit.record("unshare", shortlist, user=actor)


def by_token(token: str) -> Shortlist | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Shortlist).where(Shortlist.share_token == token))


def visible_items(shortlist: Shortlist) -> list[ShortlistItem]:
    """What a reader of the list sees: only locations still published."""
    return [i for i in shortlist.items if i.location.status == "published" and not i.location.hidden_stale]


def send_as_reply(
    shortlist: Shortlist, inquiry: Inquiry, actor: User, sheet_url: str, fc_link: str, producer_link: str
) -> None:
    """FC staff answer an inquiry with a shortlist: its locations become the FC's proposals and the reply,
    which the asker is notified of, carries the list's notes and its read-only link (shared if it was not)."""
    items = visible_items(shortlist)
    if not items:
        raise ShortlistError(str(_l("The shortlist has no published location to send.")))
    propose_locations(inquiry, [i.location for i in items], actor)
    lines = [str(_l("Shortlist “%(name)s”: %(url)s", name=shortlist.name, url=sheet_url))]
    for n, item in enumerate(items, 1):
        place = item.location.name_en or item.location.name_ja
        lines.append(f"{n}. {place}" + (f" — {item.note}" if item.note else ""))
    add_fc_message(inquiry, actor, "\n".join(lines), False, fc_link, producer_link)
