"""Inquiries to film commissions: asking, who may see and act on one, replies, notes, proposed
locations and referral (``refer`` hands it over, ``copy`` shares it) within the block or nationwide.

Helpers add and flush inside the caller's transaction; the view commits. Notification links are
passed in by the view, which knows the URLs.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, insert, or_, select
from sqlalchemy.orm import contains_eager

from ..accounts.models import User
from ..accounts.notifications import notify, register_kinds
from ..accounts.users import staff_of as fc_staff
from ..core import audit
from ..core.editing import Conflict
from ..core.extensions import db
from ..directory.models import FilmCommission, Prefecture
from ..library.models import Location
from .models import INQUIRY_STATUSES, Inquiry, InquiryMessage, InquiryReferral, inquiry_location

STATUS_LABELS = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "supported": _l("Supported"),
    "closed": _l("Closed"),
    "declined": _l("Declined"),
}
MODE_LABELS = {"refer": _l("Referred"), "copy": _l("Copied")}
HANDLING_FIELDS = ("status", "assigned_to_id")
assert set(STATUS_LABELS) == set(INQUIRY_STATUSES)

# Access levels of a user to an inquiry.
WRITE, READ = "write", "read"


class InquiryError(ValueError):
    """A request the rules do not allow (e.g. referring to the FC that holds it); the message is for people."""


def copied_to(inquiry: Inquiry) -> set[int]:
    return {r.to_commission_id for r in inquiry.referrals if r.mode == "copy"}


def holders(inquiry: Inquiry) -> set[int]:
    """The FCs that may act on the inquiry: the one holding it and those it was copied to."""
    return {inquiry.commission_id} | copied_to(inquiry)


def access(user, inquiry: Inquiry) -> Optional[str]:
    """WRITE for FC staff of a holding FC, READ for an FC that referred it away and for admins, else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.role == "admin":
        return READ
    if user.role != "fc_staff" or user.commission_id is None:
        return None
    if user.commission_id in holders(inquiry):
        return WRITE
    if any(r.from_commission_id == user.commission_id for r in inquiry.referrals):
        return READ
    return None


def visible_to_commission(commission_id: int):
    """A WHERE clause: inquiries the FC holds or was copied on."""
    copied = exists().where(InquiryReferral.inquiry_id == Inquiry.id, InquiryReferral.mode == "copy",
                            InquiryReferral.to_commission_id == commission_id)
    return or_(Inquiry.commission_id == commission_id, copied)


def referred_away_by(commission_id: int):
    """A WHERE clause: inquiries the FC passed on and no longer holds (it reads them only)."""
    passed_on = exists().where(InquiryReferral.inquiry_id == Inquiry.id,
                               InquiryReferral.from_commission_id == commission_id)
    return and_(passed_on, ~visible_to_commission(commission_id))


SLUG_IN_TEXT = re.compile(r"(?:/locations/)?([a-z0-9][a-z0-9-]{0,119})/?$")


def parse_location_slugs(text: str) -> list[str]:
    """Slugs from free text: slugs or location URLs separated by commas, spaces or new lines."""
    slugs = []
    for piece in re.split(r"[\s,、]+", text or ""):
        piece = piece.strip().split("?")[0].split("#")[0]
        if not piece:
            continue
        match = SLUG_IN_TEXT.search(piece.lower())
        slugs.append(match.group(1) if match else piece[:120])
    return list(dict.fromkeys(slugs))


def published_locations(slugs: list[str]) -> tuple[list[Location], list[str]]:
    """The published, visible locations with these slugs, and the slugs that are not such a location."""
    if not slugs:
        return [], []
    found = {loc.slug: loc for loc in db.session.scalars(select(Location).where(
        Location.slug.in_(slugs), Location.status == "published", Location.hidden_stale.is_(False)))}
    return [found[s] for s in slugs if s in found], [s for s in slugs if s not in found]


def _link_locations(inquiry: Inquiry, locations: Iterable[Location], proposed: bool) -> list[Location]:
    existing = set(db.session.scalars(select(inquiry_location.c.location_id).where(
        inquiry_location.c.inquiry_id == inquiry.id, inquiry_location.c.proposed == proposed)))
    added = [loc for loc in locations if loc.id not in existing]
    if added:
        db.session.execute(insert(inquiry_location), [
            {"inquiry_id": inquiry.id, "location_id": loc.id, "proposed": proposed} for loc in added])
        db.session.expire(inquiry, ["interested_locations", "proposed_locations"])
    return added


def create_inquiry(fc: FilmCommission, values: dict, producer: Optional[User], locations: list[Location],
                   fc_link: Callable[[Inquiry], str]) -> Inquiry:
    """A new inquiry held by ``fc``; its staff are notified."""
    inquiry = Inquiry(commission_id=fc.id, producer_id=producer.id if producer else None, status="new",
                      source="web", **values)
    db.session.add(inquiry)
    db.session.flush()
    _link_locations(inquiry, locations, proposed=False)
    audit.record("create", inquiry, entity_type="inquiry", user=producer,
                 changes={"subject": [None, inquiry.subject], "commission": [None, fc.slug]})
    notify(fc_staff([fc.id]), "inquiry_new", {"subject": inquiry.subject, "from": inquiry.contact_name},
           fc_link(inquiry))
    return inquiry


def update_handling(inquiry: Inquiry, status: str, assignee: Optional[User], expected_version: int,
                    actor: User, producer_link: str) -> dict:
    """Set status and assignee; a stale ``expected_version`` raises Conflict. Any status move is allowed
    but recorded; the producer hears of a new status."""
    if status not in INQUIRY_STATUSES:
        raise InquiryError(str(_l("Unknown status.")))
    if assignee is not None and (assignee.role != "fc_staff" or assignee.commission_id not in holders(inquiry)):
        raise InquiryError(str(_l("Assign the inquiry to staff of a film commission that holds it.")))
    if expected_version != inquiry.version:
        raise Conflict(audit.snapshot(inquiry, HANDLING_FIELDS))
    before = audit.snapshot(inquiry, HANDLING_FIELDS)
    inquiry.status = status
    inquiry.assigned_to_id = assignee.id if assignee else None
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(inquiry, HANDLING_FIELDS))
    if changes:
        audit.record("update", inquiry, entity_type="inquiry", changes=changes, user=actor,
                     commission_id=actor.commission_id)
    if "status" in changes and inquiry.producer is not None:
        notify([inquiry.producer], "inquiry_status", {"subject": inquiry.subject, "to": status}, producer_link)
    return changes


def add_fc_message(inquiry: Inquiry, author: User, body: str, internal: bool, fc_link: str,
                   producer_link: str) -> InquiryMessage:
    """A reply to the producer (notified if they have an account) or an internal note (other staff notified)."""
    message = InquiryMessage(inquiry_id=inquiry.id, author_id=author.id, commission_id=author.commission_id,
                             body=body, internal=internal)
    db.session.add(message)
    db.session.flush()
    audit.record("note" if internal else "reply", message, entity_type="inquiry_message", user=author,
                 commission_id=author.commission_id, changes={"inquiry": [None, inquiry.id]})
    if internal:
        others = [u for u in fc_staff(holders(inquiry)) if u.id != author.id]
        notify(others, "inquiry_message", {"subject": inquiry.subject, "by": author.display_name}, fc_link)
    elif inquiry.producer is not None:
        fc = author.commission
        notify([inquiry.producer], "inquiry_reply",
               {"subject": inquiry.subject, "fc_ja": fc.name_ja, "fc_en": fc.name_en}, producer_link)
    return message


def add_producer_message(inquiry: Inquiry, producer: User, body: str, fc_link: str) -> InquiryMessage:
    """The producer writes again; the staff of every FC holding the inquiry are notified."""
    message = InquiryMessage(inquiry_id=inquiry.id, author_id=producer.id, commission_id=None, body=body,
                             internal=False)
    db.session.add(message)
    db.session.flush()
    notify(fc_staff(holders(inquiry)), "inquiry_message", {"subject": inquiry.subject, "by": producer.display_name},
           fc_link)
    return message


def visible_messages(inquiry: Inquiry, for_producer: bool) -> list[InquiryMessage]:
    return [m for m in inquiry.messages if not (for_producer and m.internal)]


def propose_locations(inquiry: Inquiry, locations: list[Location], actor: User) -> list[Location]:
    added = _link_locations(inquiry, locations, proposed=True)
    if added:
        audit.record("propose", inquiry, entity_type="inquiry", user=actor, commission_id=actor.commission_id,
                     changes={"proposed_locations": [None, [loc.slug for loc in added]]})
    return added


def refer(inquiry: Inquiry, to_fc: FilmCommission, mode: str, note: Optional[str], actor: User,
          receiver_link: str) -> InquiryReferral:
    """Hand the inquiry to ``to_fc`` (refer: only the holding FC may, and a note is required) or share it
    (copy); one history row, one audit event, and the receiving FC's staff are notified."""
    sender = actor.commission
    note = (note or "").strip() or None
    if mode not in MODE_LABELS:
        raise InquiryError(str(_l("Choose whether to refer or copy.")))
    if to_fc.id == sender.id:
        raise InquiryError(str(_l("Choose another film commission than your own.")))
    if mode == "refer":
        if inquiry.commission_id != sender.id:
            raise InquiryError(str(_l("Only the film commission holding the inquiry can refer it.")))
        if note is None:
            raise InquiryError(str(_l("Say in a note why you refer the inquiry.")))
    if to_fc.id in holders(inquiry):
        raise InquiryError(str(_l("That film commission already has this inquiry.")))
    referral = InquiryReferral(inquiry_id=inquiry.id, from_commission_id=sender.id, to_commission_id=to_fc.id,
                               mode=mode, note=note, by_user_id=actor.id)
    db.session.add(referral)
    if mode == "refer":
        changes = {"commission": [sender.slug, to_fc.slug]}
        inquiry.commission_id = to_fc.id
        assignee = inquiry.assigned_to
        # The sender's staff member no longer works on it; the receiving FC assigns its own.
        if assignee is not None and assignee.commission_id not in copied_to(inquiry) | {to_fc.id}:
            changes["assigned_to_id"] = [assignee.id, None]
            inquiry.assigned_to_id = None
    else:
        changes = {"copied_to": [None, to_fc.slug]}
    db.session.flush()
    db.session.expire(inquiry, ["referrals", "assigned_to"])
    audit.record(mode, inquiry, entity_type="inquiry", user=actor, commission_id=sender.id, changes=changes,
                 detail=note)
    kind = "inquiry_referred" if mode == "refer" else "inquiry_copied"
    notify(fc_staff([to_fc.id]), kind, {"subject": inquiry.subject, "from_fc_ja": sender.name_ja,
                                        "from_fc_en": sender.name_en, "note": note or ""}, receiver_link)
    return referral


def referral_targets(fc: FilmCommission) -> tuple[list[FilmCommission], list[FilmCommission]]:
    """Other FCs: those of the same block first, then the rest of the country (multi-region shoots)."""
    rows = list(db.session.scalars(select(FilmCommission).join(FilmCommission.prefecture)
                                   .options(contains_eager(FilmCommission.prefecture))
                                   .where(FilmCommission.id != fc.id)
                                   .order_by(Prefecture.code, FilmCommission.name_en)))
    block_id = fc.prefecture.block_id
    same = [c for c in rows if c.prefecture.block_id == block_id]
    return same, [c for c in rows if c.prefecture.block_id != block_id]


def assignable_staff(inquiry: Inquiry) -> list[User]:
    return fc_staff(holders(inquiry))


def own_inquiries_of(producer: User):
    return select(Inquiry).where(Inquiry.producer_id == producer.id).order_by(Inquiry.id.desc())


def inquiries_for(commission_id: Optional[int], status: Optional[str], referred_away: bool = False):
    """Newest first; ``commission_id`` None means all (admins)."""
    query = select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    if commission_id is not None:
        query = query.where(referred_away_by(commission_id) if referred_away else visible_to_commission(commission_id))
    if status:
        query = query.where(Inquiry.status == status)
    return query


register_kinds({
    "inquiry_new": _l("New inquiry “%(subject)s” from %(from)s."),
    "inquiry_referred": _l("Inquiry “%(subject)s” was referred to you by %(from_fc)s. %(note)s"),
    "inquiry_copied": _l("Inquiry “%(subject)s” was copied to you by %(from_fc)s. %(note)s"),
    "inquiry_reply": _l("%(fc)s replied to your inquiry “%(subject)s”."),
    "inquiry_message": _l("%(by)s wrote on inquiry “%(subject)s”."),
    "inquiry_status": _l("Your inquiry “%(subject)s” is now %(to)s."),
}, status_params={"inquiry_status": {"to": STATUS_LABELS}},
    groups={kind: ("inquiries", _l("Inquiries")) for kind in (
        "inquiry_new", "inquiry_referred", "inquiry_copied", "inquiry_reply", "inquiry_message", "inquiry_status")})
