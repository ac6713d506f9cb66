"""Version stamps of reference data, so each process can cache what it builds from that data.

A package names a stamp and the tables it derives from (``watch``). Any write to those tables through a
session, by the unit of work or by an ``insert``/``update``/``delete`` statement, raises the stamp in the same
transaction, so the new stamp becomes visible exactly when the change does, in every process. A cache then
costs one primary-key read per use: if the stamp is the one it was built at, it is still right.
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from .models import DataVersion

# stamp name → the table names it watches
_WATCHED: dict[str, frozenset[str]] = {}


def watch(name: str, tables: Iterable[str]) -> None:
    """Raise stamp ``name`` whenever one of ``tables`` is written."""
    _WATCHED[name] = frozenset(tables) | _WATCHED.get(name, frozenset())


def current(session: Session, name: str) -> int:
    """The stamp as this transaction sees it (0 before its first change)."""
    table = DataVersion.__table__
    return session.connection().scalar(sa.select(table.c.version).where(table.c.name == name)) or 0


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


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state):
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    target = getattr(getattr(state.statement, "table", None), "name", None)
    for name in _stamps_for({target} if isinstance(target, str) else set()):
        bump(state.session.connection(), name)
