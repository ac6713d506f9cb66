"""Who owns or manages a place: a record only the owning FC's staff see and edit, of which they choose, field
by field, what producers may see. Changes go to the audit trail with the field names and sharing choices;
the personal values themselves are not copied into it. Functions add and flush; the views commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..core import audit
from ..core.extensions import db
from .models import CONTACT_FIELDS, Location, LocationContact

CHANGED = "(changed)"


def contact_of(location: Location) -> LocationContact | None:
    return db.session.scalar(select(LocationContact).where(LocationContact.location_id == location.id))


def save_contact(location: Location, values: dict[str, Any], actor) -> LocationContact:
    """Store the details and sharing flags; records which fields changed and the flags before and after."""
    contact = contact_of(location)
    created = contact is None
    if created:
        contact = LocationContact(location_id=location.id)
        db.session.add(contact)
    changes: dict[str, list[Any]] = {}
    for name in CONTACT_FIELDS:
        value = (values.get(name) or "").strip() or None
        if value != getattr(contact, name):
            changes[name] = [CHANGED if getattr(contact, name) else None, CHANGED if value else None]
            setattr(contact, name, value)
        flag = f"share_{name}"
        shared = bool(values.get(flag))
        if shared != bool(getattr(contact, flag)):
            changes[flag] = [bool(getattr(contact, flag)), shared]
            setattr(contact, flag, shared)
    db.session.flush()
    if changes:
        # No entity object: its label would be the contact's email address.
        audit.record(
            "create" if created else "update",
            entity_type="location_contact",
            entity_id=contact.id,
            changes={"location": [None, location.slug], **changes},
            user=actor,
            commission_id=location.commission_id,
        )
    return contact


def shared_contact(location: Location, user) -> dict[str, str]:
    """What ``user`` may see of the place's contact: everything for its FC's staff, the shared fields for
    signed-in producers with a confirmed address, nothing for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return {}
    contact = contact_of(location)
    if contact is None:
        return {}
    if user.role == "fc_staff" and user.commission_id == location.commission_id:
        return {f: getattr(contact, f) for f in CONTACT_FIELDS if getattr(contact, f)}
    if user.role == "producer" and user.email_verified:
        return contact.shared()
    return {}
