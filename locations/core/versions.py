"""Version stamps of reference data, so each process can cache what it builds from that data.

A package names a stamp and the tables it derives from (``watch``). Any write to those tables through a
session, by the unit of work or by an ``insert``/``update``/``delete`` statement, raises the stamp in the same
transaction, so the new stamp becomes visible exactly when the change does, in every process. A cache then
costs one primary-key read per use: if the stamp is the one it was built at, it is still right.

``recent`` saves even that read on hot paths (a permit plan is about 2 ms, the read a quarter of it): it reads the
stamp again once ``RECHECK_SECONDS`` have passed, and at once after this process has written the stamp, so
another process's change shows within a second and this process's own change at its next use.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from .models import DataVersion

# stamp name → the table names it watches
_WATCHED: dict[str, frozenset[str]] = {}
# Reference data changes by hand a few times a day; a second of delay across processes is not seen.
RECHECK_SECONDS = 1.0
_INFO_KEY = "data_versions_bumped"
# (database URL, stamp) → (stamp, monotonic time read, this process's writes then)
_read: dict[tuple[str, str], tuple[int, float, int]] = {}
_writes = 0
_writes_lock = threading.Lock()


def watch(name: str, tables: Iterable[str]) -> None:
    """Raise stamp ``name`` whenever one of ``tables`` is written."""
    _WATCHED[name] = frozenset(tables) | _WATCHED.get(name, frozenset())


def current(session: Session, name: str) -> int:
    """The stamp as this transaction sees it (0 before its first change)."""
    table = DataVersion.__table__
    return session.connection().scalar(sa.select(table.c.version).where(table.c.name == name)) or 0


def recent(session: Session, name: str) -> int:
    """The stamp as read at most ``RECHECK_SECONDS`` ago, or as this transaction sees it when this process has
    written any stamp since (so its own change, committed or rolled back, is never answered from memory)."""
    key = (str(session.get_bind().url), name)
    held = _read.get(key)
    now = time.monotonic()
    if held is not None and held[2] == _writes and now - held[1] < RECHECK_SECONDS:
        return held[0]
    writes = _writes
    version = current(session, name)
    _read[key] = (version, now, writes)
    return version


T = TypeVar("T")
_build_lock = threading.Lock()


def kept(session: Session, name: str, build: Callable[[], T]) -> T:
    """What ``build()`` read, kept per app beside stamp ``name`` as it was then, and read again once the stamp
    (``recent``) has moved."""
    version = recent(session, name)
    held = current_app.extensions.get(name)
    if held is not None and held[0] == version:
        return held[1]
    with _build_lock:
        # The stamp first, then the rows: a change committed in between gives newer rows under an older
        # stamp, which the next use replaces; never older rows under a newer stamp.
        value = build()
        current_app.extensions[name] = (version, value)
    return value


def _count_write() -> None:
    global _writes
    with _writes_lock:
        _writes += 1


def bump(connection, name: str) -> None:
    """Raise stamp ``name`` by one (on the caller's connection, so within its transaction)."""
    table = DataVersion.__table__
    done = connection.execute(table.update().where(table.c.name == name).values(version=table.c.version + 1))
    if not done.rowcount:
        connection.execute(table.insert().values(name=name, version=1))


def _stamps_for(tables: set[str]) -> list[str]:
    return [name for name, watched in _WATCHED.items() if watched & tables]


def _table_names(objects) -> set[str]:
    names = set()
    for obj in objects:
        mapper = sa.inspect(obj).mapper
        names.update(t.name for t in mapper.tables)
    return names


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    # session.dirty holds every object an attribute was set on; only real changes count (a seed run that
    # finds everything unchanged must not make every process reload).
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    written = _table_names(session.new) | _table_names(changed) | _table_names(session.deleted)
    # Link tables (many-to-many) change with their owner, which the unit of work marks dirty.
    for name in _stamps_for(written):
        bump(session.connection(), name)
        _note_bump(session)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state):
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    target = getattr(getattr(state.statement, "table", None), "name", None)
    for name in _stamps_for({target} if isinstance(target, str) else set()):
        bump(state.session.connection(), name)
        _note_bump(state.session)


def _note_bump(session) -> None:
    # Counted now, for reads later in this transaction, and again when it ends either way (below).
    session.info[_INFO_KEY] = True
    _count_write()


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session, transaction):
    # Committed, rolled back or closed unfinished: what this process cached inside the transaction is suspect.
    if transaction.parent is None and session.info.pop(_INFO_KEY, False):
        _count_write()
