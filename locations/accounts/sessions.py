"""Server-side session records: started at sign-in, checked on every request, ended for good at sign-out."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app, g
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value

from ..core import clock
from ..core.clock import as_utc
from ..core.extensions import db
from .models import User, UserSession

# The Flask session key holding this browser's session token (the cookie itself stays signed).
TOKEN_KEY = "sid"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(user: User, ip: Optional[str], user_agent: Optional[str]) -> str:
    """Open a session for ``user``; returns the token to keep in the signed cookie."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    hours = current_app.config["SESSION_ABSOLUTE_HOURS"]
    row = UserSession(user_id=user.id, token_hash=token_hash(token), created_at=now, last_seen_at=now,
                      expires_at=now + timedelta(hours=hours), ip=(ip or "")[:45] or None,
                      user_agent=(user_agent or "")[:300] or None)
    db.session.add(row)
    db.session.flush()
    g.user_session = row
    return token


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def is_live(row: UserSession, now: datetime) -> bool:
    return (row.ended_at is None and as_utc(row.expires_at) > now
            and as_utc(row.last_seen_at) + _idle_limit() > now)


def user_for(user_id: int, epoch: int, token: Optional[str], writing: bool = False) -> Optional[User]:
    """The signed-in user for this request, or None when the session is over (one query).

    ``writing``: the caller's transaction already holds the write lock (a POST on SQLite), so the
    time of use is recorded in it rather than in a transaction of its own."""
    if not token:
        return None
    found = db.session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token), UserSession.user_id == user_id)).first()
    if found is None:
        return None
    row, user = found
    now = clock.now()
    if not user.active or user.session_epoch != epoch or not is_live(row, now):
        return None
    g.user_session = row
    _touch(row, now, writing)
    return user


def _touch(row: UserSession, now: datetime, writing: bool) -> None:
    """Record use at most once per SESSION_TOUCH_SECONDS. A read-only request does it in a short
    transaction of its own: turning its read transaction into a write fails at once on SQLite when
    another writer committed in between."""
    if as_utc(row.last_seen_at) + timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"]) > now:
        return
    if writing:
        row.last_seen_at = now
        return
    try:
        with db.engine.connect() as connection:
            connection = connection.execution_options(sqlite_immediate=True)
            with connection.begin():
                connection.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    except SQLAlchemyError as error:  # the idle clock is best effort; the request goes on
        current_app.logger.warning("session %s: could not record use: %s", row.id, error)
        return
    set_committed_value(row, "last_seen_at", now)


def current() -> Optional[UserSession]:
    return g.get("user_session")


def end(row: UserSession) -> None:
    if row.ended_at is None:
        row.ended_at = clock.now()


def end_all(user: User, except_id: Optional[int] = None) -> int:
    """End the user's open sessions (but ``except_id``); returns how many were open."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if except_id is not None:
        query = query.where(UserSession.id != except_id)
    return db.session.execute(query.values(ended_at=clock.now())).rowcount


def active_for(user: User) -> list[UserSession]:
    now = clock.now()
    rows = db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.expires_at > now)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())).all()
    return [row for row in rows if is_live(row, now)]


def device_label(user_agent: Optional[str]) -> str:
    """A short "Browser on system" from a User-Agent header, for people to recognise their devices."""
    agent = user_agent or ""
    browser = next((name for marker, name in (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
                                               ("Chrome/", "Chrome"), ("Chromium/", "Chromium"),
                                               ("Safari/", "Safari")) if marker in agent), None)
    system = next((name for marker, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
                                              ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
                                              ("Linux", "Linux")) if marker in agent), None)
    if browser and system:
        return f"{browser} / {system}"
    return browser or system or (agent[:60] if agent else "?")
