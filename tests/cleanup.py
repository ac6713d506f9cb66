"""Tests leave no rows behind: what a test adds to the shared database is removed when it ends.

A transaction rolled back per test cannot serve this suite: browser tests, threads, the worker and commands
run in other connections and must see real commits. So each test starts by noting the highest id of every
table, and afterwards deletes the rows above it, children before parents; link tables lose the links to
deleted rows. At the end of the run the same check over the whole session fails on anything still left.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from locations.core.extensions import db

# Derived from the locations (rebuilt when locations went), or rows the app writes in bulk on purpose.
DERIVED = {"location_cell", "location_fts", "alembic_version"}


@dataclass(frozen=True)
class Snapshot:
    highest: dict[str, int]  # table → highest id
    keys: dict[str, frozenset]  # table without an id (link tables, throttles, job runs) → its primary keys


def _tables() -> list[sa.Table]:
    return [t for t in db.metadata.sorted_tables if t.name not in DERIVED]


def _has_id(table: sa.Table) -> bool:
    return "id" in table.c and table.c.id.primary_key


def _keys(connection, table: sa.Table) -> frozenset:
    return frozenset(tuple(row) for row in connection.execute(sa.select(*table.primary_key.columns)))


def take() -> Snapshot:
    highest, keys = {}, {}
    with db.engine.connect() as connection:
        for table in _tables():
            if _has_id(table):
                highest[table.name] = connection.scalar(sa.select(sa.func.max(table.c.id))) or 0
            else:
                keys[table.name] = _keys(connection, table)
    return Snapshot(highest, keys)


def sweep(before: Snapshot) -> dict[str, int]:
    """Delete the rows added since ``before`` and commit; returns how many went, per table."""
    from locations.library.cells import rebuild_cells

    db.session.rollback()
    if db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_immediate": True})
    removed: dict[str, int] = {}
    for table in reversed(_tables()):
        if _has_id(table):
            count = db.session.execute(table.delete().where(table.c.id > before.highest[table.name])).rowcount
        else:
            # Link tables and the like: the rows whose key is new go (links to new rows have new keys).
            columns = list(table.primary_key.columns)
            new = _keys(db.session.connection(), table) - before.keys[table.name]
            count = 0
            for key in new:
                count += db.session.execute(table.delete().where(
                    sa.and_(*(column == value for column, value in zip(columns, key))))).rowcount
        if count:
            removed[table.name] = count
    if "location" in removed:
        rebuild_cells()
    db.session.commit()
    return removed


def left_over(before: Snapshot) -> dict[str, int]:
    """Rows still there beyond ``before``: ids above it, or keys added (or lost) in the other tables."""
    extra = {}
    with db.engine.connect() as connection:
        for table in _tables():
            if _has_id(table):
                count = connection.scalar(sa.select(sa.func.count()).select_from(table)
                                          .where(table.c.id > before.highest[table.name]))
            else:
                count = len(_keys(connection, table) ^ before.keys[table.name])
            if count:
                extra[table.name] = count
    return extra
