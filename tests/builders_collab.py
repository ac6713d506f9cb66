"""Builders for inquiries and know-how notes, and the clean-up that removes what the tests made.

Every inquiry built here has a contact address at example.com and every note an example.com author,
so ``remove_collab_data`` finds them all (the seeded database is shared by the whole test session).
"""
from __future__ import annotations

from itertools import count

from sqlalchemy import delete, select

from locations.accounts.models import User
from locations.collaboration.models import Inquiry, KnowhowNote
from locations.core.extensions import db
from locations.directory.models import FilmCommission, RegionalBlock
from locations.library.models import Location

_serial = count(1)

KAGAWA = "kagawa-film-commission"
EHIME = "ehime-film-commission"  # Shikoku block, like Kagawa
SAPPORO = "sapporo-film-commission"  # Hokkaido block


def fc(slug: str) -> FilmCommission:
    found = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == slug))
    assert found is not None, slug
    return found


def block(code: str) -> RegionalBlock:
    return db.session.scalar(select(RegionalBlock).where(RegionalBlock.code == code))


def make_inquiry(commission: FilmCommission, producer: User | None = None, **overrides) -> Inquiry:
    n = next(_serial)
    values = {
        "commission_id": commission.id,
        "producer_id": producer.id if producer else None,
        "contact_name": producer.display_name if producer else f"問い合わせ者{n}",
        "contact_email": producer.email if producer else f"asker{n}@example.com",
        "subject": f"テスト問い合わせ{n}",
        "body": "港での夜間撮影について相談したい",
        "status": "new",
    }
    values.update(overrides)
    inquiry = Inquiry(**values)
    db.session.add(inquiry)
    db.session.flush()
    return inquiry


def make_note(author: User, block_id: int | None = None, shared: bool = False, **overrides) -> KnowhowNote:
    n = next(_serial)
    if block_id is None:
        block_id = author.commission.prefecture.block_id
    values = {"block_id": block_id, "author_id": author.id, "commission_id": author.commission_id,
              "title": f"ノート{n}", "body": f"警察署との事前相談は二週間前に {n}", "shared_with_all_blocks": shared}
    values.update(overrides)
    note = KnowhowNote(**values)
    db.session.add(note)
    db.session.flush()
    return note


def published_location(commission: FilmCommission) -> Location:
    location = db.session.scalar(select(Location).where(
        Location.commission_id == commission.id, Location.status == "published", Location.hidden_stale.is_(False))
        .order_by(Location.id).limit(1))
    assert location is not None, f"{commission.slug} has no published location in the seeds"
    return location


def remove_collab_data() -> None:
    """Inquiries asked from example.com addresses or by example.com users, notes by example.com authors,
    then the example.com users themselves (their notifications go with them)."""
    test_users = select(User.id).where(User.email.like("%@example.com"))
    for inquiry in db.session.scalars(select(Inquiry).where(
            Inquiry.contact_email.like("%@example.com") | Inquiry.producer_id.in_(test_users))):
        db.session.delete(inquiry)
    db.session.flush()
    db.session.execute(delete(KnowhowNote).where(KnowhowNote.author_id.in_(test_users)))
    db.session.execute(delete(User).where(User.email.like("%@example.com")))
    db.session.commit()
