"""Files kept beside database rows (photos, step documents) follow their rows' transaction: a file
written for a row that is rolled back is removed, and a deleted row's files go once the delete commits.

Modules that store files register the model with ``owns_files``; writers call ``written`` right after
writing. Deleting rows through the ORM (cascades included) is enough to have their files removed.
"""
from __future__ import annotations

import os
from typing import Any, Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from .extensions import db

_WRITTEN, _DOOMED = "stored_files.written", "stored_files.doomed"
_owners: dict[type, Callable[[Any], list[str]]] = {}


def owns_files(model: type, paths_of: Callable[[Any], list[str]]) -> None:
    """``paths_of(row)`` lists the files on disk that belong to a row of ``model``."""
    _owners[model] = paths_of


def written(path: str) -> None:
    """``path`` was just written for a row in the current transaction: remove it if that rolls back."""
    db.session().info.setdefault(_WRITTEN, []).append(path)


def remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


@event.listens_for(Session, "persistent_to_deleted")
def _row_deleted(session: Session, instance: Any) -> None:
    paths_of = _owners.get(type(instance))
    if paths_of is not None:
        session.info.setdefault(_DOOMED, []).extend(paths_of(instance))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_DOOMED, []):
        remove_quietly(path)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """Runs after _committed on a commit (nothing left to do then) and alone on a rollback or close."""
    if transaction.parent is not None:
        return
    session.info.pop(_DOOMED, None)
    for path in session.info.pop(_WRITTEN, []):
        remove_quietly(path)
