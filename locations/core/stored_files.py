"""Files kept beside database rows (photos, step documents) follow their rows: a deleted row's files go with
its transaction (see core/file_storage.py for where they live and how a rollback leaves none).

Modules that store files register the model with ``owns_files``; they write with ``file_storage.put`` after
flushing the row. Deleting rows through the ORM (cascades included) is enough to have their files removed.
``move_files`` moves every row's files from one store to the other (``flask move-files``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from . import file_storage
from .extensions import db
from .models import StoredFile

_owners: dict[type, Callable[[Any], list[str]]] = {}
BATCH = 50


def owns_files(model: type, keys_of: Callable[[Any], list[str]]) -> None:
    """``keys_of(row)`` lists the storage keys of the files that belong to a row of ``model``."""
    _owners[model] = keys_of


@event.listens_for(Session, "persistent_to_deleted")
def _row_deleted(session: Session, instance: Any) -> None:
    keys_of = _owners.get(type(instance))
    if keys_of is not None:
        file_storage.delete(keys_of(instance))


def referenced_keys() -> list[str]:
    """The keys of every file some row refers to."""
    keys: list[str] = []
    for model, keys_of in _owners.items():
        for row in db.session.scalars(select(model).execution_options(yield_per=500)):
            keys += keys_of(row)
    return sorted(keys)


@dataclass
class Moved:
    to: str
    moved: int = 0
    already: int = 0
    missing: int = 0


def move_files(to: str) -> Moved:
    """Put every row's files in the ``to`` store ("filesystem" or "database") and take them out of the other.
    Commits every BATCH files; running it again moves nothing more (``already`` counts those in place)."""
    if to not in file_storage.MODES:
        raise ValueError(f"move files to one of {', '.join(file_storage.MODES)}, not {to!r}")
    outcome = Moved(to=to)
    keys = referenced_keys()
    db.session.commit()
    for start in range(0, len(keys), BATCH):
        batch = keys[start:start + BATCH]
        in_database = set(db.session.scalars(select(StoredFile.key).where(StoredFile.key.in_(batch))))
        on_disk = {key for key in batch if os.path.isfile(file_storage.path_of(key))}
        for key in batch:
            if key not in in_database and key not in on_disk:
                outcome.missing += 1
            elif key in (in_database if to == "database" else on_disk):
                outcome.already += 1
            else:
                outcome.moved += 1
                (_into_database if to == "database" else _onto_disk)(key)
        leaving = on_disk if to == "database" else in_database
        if to == "database":
            # The files go once their blobs are committed; a crash in between leaves a copy, not a gap.
            file_storage.remove_from_disk_on_commit(leaving)
        elif leaving:
            db.session.execute(StoredFile.__table__.delete().where(StoredFile.key.in_(sorted(leaving))))
        db.session.commit()
    return outcome


def _into_database(key: str) -> None:
    with open(file_storage.path_of(key), "rb") as handle:
        data = handle.read()
    db.session.add(StoredFile(key=key, data=data, size=len(data)))


def _onto_disk(key: str) -> None:
    """Written whole to a temporary name, flushed and renamed: the blob goes only after the file is complete."""
    data = db.session.scalar(select(StoredFile.data).where(StoredFile.key == key))
    path = file_storage.path_of(key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = path + ".partial"
    with open(partial, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
