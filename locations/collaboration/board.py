"""The block know-how board: FCs of one regional block share case notes (what worked with which
authority, local rules); a note may also be shared with every block.

Helpers add and flush; the view commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import case, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core import audit, clock
from ..core.editing import Conflict
from ..core.extensions import db
from ..directory.models import Prefecture, RegionalBlock
from ..permits.models import PermitType
from .models import KnowhowNote

NOTE_FIELDS = ("title", "body", "shared_with_all_blocks", "permit_types", "prefectures")
MAX_WORDS = 8


@dataclass(frozen=True)
class BoardFilter:
    text: str = ""
    permit_type: Optional[str] = None  # PermitType.code
    prefecture: Optional[str] = None  # Prefecture.code


def block_of(user: User) -> Optional[RegionalBlock]:
    """The block of an FC staff member's commission (None for anyone else)."""
    if user.role != "fc_staff" or user.commission is None:
        return None
    return user.commission.prefecture.block


def is_on_board(note: KnowhowNote, block: RegionalBlock) -> bool:
    return note.block_id == block.id or note.shared_with_all_blocks


# "!" rather than a backslash: it needs no escaping in SQL literals on any backend.
LIKE_ESCAPE = "!"


def _like_pattern(word: str) -> str:
    escaped = word.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def board_notes(block: RegionalBlock, filters: BoardFilter, limit: int = 200) -> list[KnowhowNote]:
    """Notes of ``block`` and notes shared with all blocks, newest first; every word of the text must
    appear in the title or body (ILIKE: case-insensitive on SQLite and PostgreSQL alike)."""
    query = (select(KnowhowNote)
             .where(or_(KnowhowNote.block_id == block.id, KnowhowNote.shared_with_all_blocks.is_(True)))
             .options(selectinload(KnowhowNote.permit_types), selectinload(KnowhowNote.prefectures),
                      selectinload(KnowhowNote.author), selectinload(KnowhowNote.commission),
                      selectinload(KnowhowNote.block))
             .order_by(KnowhowNote.updated_at.desc(), KnowhowNote.id.desc()).limit(limit))
    # SQLite ends a LIKE pattern at a NUL (matching everything after "%"); no note contains one.
    for word in filters.text.replace("\x00", "").split()[:MAX_WORDS]:
        pattern = _like_pattern(word)
        query = query.where(or_(KnowhowNote.title.ilike(pattern, escape=LIKE_ESCAPE),
                                KnowhowNote.body.ilike(pattern, escape=LIKE_ESCAPE)))
    if filters.permit_type:
        query = query.where(KnowhowNote.permit_types.any(PermitType.code == filters.permit_type))
    if filters.prefecture:
        query = query.where(KnowhowNote.prefectures.any(Prefecture.code == filters.prefecture))
    return list(db.session.scalars(query))


def tag_choices(block: RegionalBlock) -> tuple[list[PermitType], list[Prefecture]]:
    """Permit types by code; prefectures of ``block`` first, then the others by code."""
    permit_types = list(db.session.scalars(select(PermitType).order_by(PermitType.code)))
    prefectures = list(db.session.scalars(select(Prefecture).order_by(
        case((Prefecture.block_id == block.id, 0), else_=1), Prefecture.code)))
    return permit_types, prefectures


def snapshot(note: KnowhowNote) -> dict:
    return {"title": note.title, "body": note.body, "shared_with_all_blocks": note.shared_with_all_blocks,
            "permit_types": [p.code for p in note.permit_types], "prefectures": [p.code for p in note.prefectures]}


def save_note(note: KnowhowNote, values: dict, expected_version: Optional[int], actor: User) -> dict:
    """Create (``note.id`` None) or update a note; ``values`` holds title, body, shared_with_all_blocks and
    lists of permit type and prefecture codes. A stale ``expected_version`` raises Conflict."""
    creating = note.id is None
    if not creating and expected_version != note.version:
        raise Conflict(snapshot(note))
    before = {} if creating else snapshot(note)
    # Look the tags up before changing the note, so autoflush writes the row once (one version step).
    permit_codes, prefecture_codes = values["permit_types"], values["prefectures"]
    permit_types = list(db.session.scalars(select(PermitType).where(PermitType.code.in_(permit_codes)))) \
        if permit_codes else []
    prefectures = list(db.session.scalars(select(Prefecture).where(Prefecture.code.in_(prefecture_codes)))) \
        if prefecture_codes else []
    note.title, note.body = values["title"], values["body"]
    note.shared_with_all_blocks = bool(values["shared_with_all_blocks"])
    note.permit_types, note.prefectures = permit_types, prefectures
    if creating:
        db.session.add(note)
    else:
        # Tags live in link tables: touching the row makes a tags-only edit bump the version too.
        note.updated_at = clock.now()
    db.session.flush()
    changes = audit.diff(before, snapshot(note))
    if changes:
        audit.record("create" if creating else "update", note, entity_type="knowhow_note", changes=changes,
                     user=actor, commission_id=note.commission_id)
    return changes


def delete_note(note: KnowhowNote, actor: User) -> None:
    audit.record("delete", note, entity_type="knowhow_note", user=actor, commission_id=note.commission_id,
                 changes={"title": [note.title, None]})
    db.session.delete(note)
    db.session.flush()
