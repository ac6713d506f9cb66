"""Accounts: the one way to create a user, password changes, standing (enable/disable) and role labels."""
from __future__ import annotations

from typing import Iterable, Optional

from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select

from ..core import audit
from ..core.clock import now
from ..core.extensions import db
from ..core.roles import ROLES
from ..directory.models import FilmCommission
from ..permits.models import PermitAuthority
from . import sessions
from .models import User
from .passwords import hash_password, password_problems


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()[:254]


class UserProblems(ValueError):
    """Why an account cannot be created, per form field (``email``, ``password``, ``commission``…)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None


def create_user(email: str, display_name: Optional[str], role: str, password: str, *,
                commission: Optional[FilmCommission] = None, authority: Optional[PermitAuthority] = None,
                email_verified: bool = False, actor: Optional[User] = None, detail: Optional[str] = None,
                password_checked: bool = False) -> User:
    """Add a user after checking everything an account needs; raises UserProblems naming each field.

    Accounts an admin or the command line makes count as verified (they vouch for the address);
    self-registered producers pass ``email_verified=False`` and confirm by email. ``password_checked``:
    the caller has already applied the password policy.
    """
    email = normalise_email(email)
    name = (display_name or "").strip() or email.split("@")[0]
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors.setdefault("role", []).append(_("Unknown role."))
    if role == "fc_staff" and commission is None:
        errors.setdefault("commission", []).append(_("FC staff must belong to a film commission."))
    if role == "authority" and authority is None:
        errors.setdefault("authority", []).append(_("Authority officers must belong to a permit authority."))
    if email_taken(email):
        errors.setdefault("email", []).append(_("An account with this email already exists."))
    problems = [] if password_checked else password_problems(password, email, name)
    if problems:
        errors["password"] = problems
    if errors:
        raise UserProblems(errors)
    user = User(email=email, display_name=name[:100], role=role,
                commission_id=commission.id if commission is not None and role == "fc_staff" else None,
                authority_id=authority.id if authority is not None and role == "authority" else None,
                password_hash=hash_password(password),
                email_verified_at=now() if email_verified else None)
    db.session.add(user)
    db.session.flush()
    audit.record("create", user, user=actor, detail=detail,
                 changes={"email": [None, email], "role": [None, role], "commission_id": [None, user.commission_id],
                          "authority_id": [None, user.authority_id]})
    return user


def set_password(user: User, password: str, keep_session_id: Optional[int] = None, action: str = "password_change") -> None:
    """A new password ends every other session (and all of them unless one is kept)."""
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    sessions.end_all(user, except_id=keep_session_id)
    audit.record(action, user, user=user)


def set_active(user: User, active: bool) -> bool:
    """Enable or disable; any change of standing ends the user's sessions. True when it changed."""
    if user.active == active:
        return False
    user.active = active
    user.session_epoch += 1
    sessions.end_all(user)
    audit.record("update", user, changes={"active": [not active, active]})
    return True


def mark_email_verified(user: User) -> bool:
    if user.email_verified_at is not None:
        return False
    user.email_verified_at = now()
    audit.record("email_verified", user, user=user)
    return True


def staff_of(commission_ids: Iterable[Optional[int]]) -> list[User]:
    """The active staff of these film commissions, in a stable order (one query)."""
    ids = [i for i in commission_ids if i is not None]
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(
        User.role == "fc_staff", User.active.is_(True), User.commission_id.in_(ids)).order_by(User.id)))


def officers_of(authority_id: Optional[int]) -> list[User]:
    """The active officers of one permit authority; for an unconfirmed candidate office (e.g. from
    OpenStreetMap, no officers of its own), those of its parent body, who act for it until it is confirmed."""
    if authority_id is None:
        return []
    from ..permits.models import PermitAuthority

    ids = [authority_id]
    office = db.session.get(PermitAuthority, authority_id)
    if office is not None and office.is_candidate and office.parent_id is not None:
        ids.append(office.parent_id)
    return list(db.session.scalars(select(User).where(
        User.role == "authority", User.authority_id.in_(ids), User.active.is_(True)).order_by(User.id)))


def acting_authority_ids(user: User) -> set[int]:
    """The offices an officer acts for: their own, and its unconfirmed candidate children."""
    if user.role != "authority":
        return set()
    from ..permits.offices import acting_authority_ids as acting_for

    if not has_request_context():
        return acting_for(user.authority_id)
    # Asked once per step on a case page: one query per request, not one per step.
    known = g.setdefault("acting_authority_ids", {})
    if user.authority_id not in known:
        known[user.authority_id] = acting_for(user.authority_id)
    return known[user.authority_id]
