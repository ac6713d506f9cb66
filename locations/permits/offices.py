"""Keeping an authority's record in the app: who may edit which office, the choices its form offers, and
the save (optimistic lock, audit entry; the rule book's stamp rises with the write, so the planner routes with
the change at its next request).

An officer acts for their own office and for its unconfirmed candidate children (OpenStreetMap stations under
a prefectural HQ): they are the ones who can confirm such a station and say which municipalities it serves.
"""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from ..core import audit
from ..core.editing import Conflict
from ..core.extensions import db
from ..directory.models import Municipality, Prefecture
from .models import AuthorityKind, PermitAuthority

# The fields the edit page sets, as the audit trail and the conflict page name them.
FIELDS = ("jurisdiction", "served", "parent", "takes_applications", "confirmed", "address", "phone", "email",
          "website", "contact_note")

# The kinds an office's parent body may be: a police station reports to its prefectural HQ; a fire station to
# its 消防本部 or the fire union (both recorded as fire departments). Other kinds: an office of the same kind.
PARENT_KINDS = {"police_station": ("police_headquarters",), "fire_department": ("fire_department",)}


def acting_authority_ids(authority_id: Optional[int]) -> set[int]:
    """The offices an officer of ``authority_id`` acts for: their own, and its unconfirmed candidate children."""
    if authority_id is None:
        return set()
    children = db.session.scalars(select(PermitAuthority.id).where(
        PermitAuthority.parent_id == authority_id, PermitAuthority.is_candidate.is_(True)))
    return {authority_id, *children}


def candidate_children(authority_id: Optional[int]) -> list[PermitAuthority]:
    """The unconfirmed offices an officer of ``authority_id`` acts for, by name (the portal lists them)."""
    if authority_id is None:
        return []
    return list(db.session.scalars(select(PermitAuthority).where(
        PermitAuthority.parent_id == authority_id, PermitAuthority.is_candidate.is_(True))
        .order_by(PermitAuthority.name_ja)))


def municipality_groups(authority: PermitAuthority) -> list[tuple[Prefecture, list[Municipality]]]:
    """The municipalities the office can serve, per prefecture: those of its prefectures, and any it already
    serves elsewhere (an imported table may say so), so saving the form never drops one silently."""
    prefecture_ids = {p.id for p in authority.prefectures} | {m.prefecture_id for m in authority.served}
    if not prefecture_ids:
        return []
    towns = db.session.scalars(select(Municipality).where(Municipality.prefecture_id.in_(prefecture_ids))
                               .order_by(Municipality.code)).all()
    prefectures = db.session.scalars(select(Prefecture).where(Prefecture.id.in_(prefecture_ids))
                                     .order_by(Prefecture.code)).all()
    return [(p, [m for m in towns if m.prefecture_id == p.id]) for p in prefectures]


def parent_options(authority: PermitAuthority) -> list[PermitAuthority]:
    """Offices that can be this one's parent body: of a sensible kind, in one of its prefectures, never itself
    or one of its own descendants (a loop would have no top). Confirmed offices first."""
    kinds = PARENT_KINDS.get(authority.kind.code, (authority.kind.code,))
    prefecture_ids = [p.id for p in authority.prefectures]
    if not prefecture_ids:
        return []
    rows = db.session.scalars(
        select(PermitAuthority).join(AuthorityKind, AuthorityKind.id == PermitAuthority.kind_id)
        .where(AuthorityKind.code.in_(kinds), PermitAuthority.id != authority.id,
               PermitAuthority.prefectures.any(Prefecture.id.in_(prefecture_ids)))
        .order_by(PermitAuthority.is_candidate, PermitAuthority.name_ja)).all()
    parents = dict(db.session.execute(select(PermitAuthority.id, PermitAuthority.parent_id)).all())

    def descends_from_this(office_id: Optional[int]) -> bool:
        seen = set()
        while office_id is not None and office_id not in seen:
            if office_id == authority.id:
                return True
            seen.add(office_id)
            office_id = parents.get(office_id)
        return False

    return [a for a in rows if not descends_from_this(a.id)]


def stored(authority: PermitAuthority) -> dict[str, Any]:
    """The edited fields as they are stored now, in the plain form the audit trail keeps."""
    return {
        "jurisdiction": authority.jurisdiction, "served": sorted(m.code for m in authority.served),
        "parent": authority.parent.code if authority.parent else None,
        "takes_applications": bool(authority.takes_applications), "confirmed": not authority.is_candidate,
        "address": authority.address, "phone": authority.phone, "email": authority.email,
        "website": authority.website, "contact_note": authority.contact_note,
    }


def save_authority(authority: PermitAuthority, values: dict[str, Any], expected_version: int) -> dict:
    """Apply the edit page's values (``served``: municipalities, ``parent``: an office or None, ``confirmed``:
    bool, the rest plain); refuse an edit based on an older version. Returns the changes, audited; an edited
    record moves to the "app" layer, so the next seed run keeps it."""
    if expected_version != authority.version:
        raise Conflict(stored(authority))
    before = stored(authority)
    if values["jurisdiction"] != "municipalities":
        values = {**values, "served": []}  # the list means something only for that jurisdiction
    authority.jurisdiction = values["jurisdiction"]
    authority.served = sorted(values["served"], key=lambda m: m.code)
    authority.parent = values["parent"]
    authority.takes_applications = bool(values["takes_applications"])
    authority.is_candidate = not values["confirmed"]
    for name in ("address", "phone", "email", "website", "contact_note"):
        setattr(authority, name, values[name] or None)
    changes = audit.diff(before, stored(authority))
    if not changes:
        return {}
    authority.layer = "app"
    # A change to the served list alone writes only the link table: write the row too, so its version (the
    # lock) rises.
    flag_modified(authority, "layer")
    db.session.flush()
    audit.record("update", authority, changes=changes)
    return changes
