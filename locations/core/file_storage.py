"""Where the bytes of uploaded files live, by key: a relative path such as ``photos/thumbs/<name>.jpg``.

``FILE_STORAGE = "filesystem"`` (the default) keeps them as files under the instance folder: one web host,
or a folder every host mounts. ``"database"`` keeps them in the ``stored_file`` table, so every web host
that shares the database sees every file with no shared disk, and backups carry them inside the dump.

Both follow the transaction of the rows they belong to: ``put`` after the row is flushed; a rollback leaves
no file (the file is removed again, or the inserted blob is rolled back with the row); ``delete`` removes a
blob in the same transaction and a file once it commits. Reads look in the configured place first and then
in the other, so ``flask move-files`` can run while the app serves.
"""
from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from typing import BinaryIO

from flask import Response, abort, current_app, send_file, send_from_directory
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from . import clock
from .extensions import db
from .models import StoredFile

MODES = ("filesystem", "database")
# Keys are the app's own names: folders of lower-case words, then a random name with an extension.
KEY = re.compile(r"^[a-z_]+(/[a-z_]+)?/[A-Za-z0-9_-]+(\.[A-Za-z0-9]{1,8})?$")
_WRITTEN, _DOOMED = "file_storage.written", "file_storage.doomed"


def mode() -> str:
    configured = current_app.config.get("FILE_STORAGE", "filesystem")
    if configured not in MODES:
        raise ValueError(f"FILE_STORAGE must be one of {', '.join(MODES)}, not {configured!r}")
    return configured


def checked(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not a stored file's key: {key!r}")
    return key


def path_of(key: str) -> str:
    """Where the key's file is (or would be) in the filesystem store."""
    return os.path.join(current_app.instance_path, *checked(key).split("/"))


def put(key: str, data: bytes) -> None:
    """Store ``data`` under a new ``key`` for a row flushed in the current transaction."""
    if mode() == "database":
        db.session.execute(insert(StoredFile).values(key=checked(key), data=data, size=len(data)))
        return
    path = path_of(key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Registered first: a write that fails half-way leaves nothing either.
    db.session().info.setdefault(_WRITTEN, []).append(path)
    with open(path, "xb") as out:
        out.write(data)


def keep(key: str, data: bytes) -> None:
    """Store ``data`` for a file no row refers to (an import waiting for its next step), which the next
    request must find whichever host answers it. The caller commits; a file is kept even on a rollback."""
    if mode() == "database":
        db.session.execute(insert(StoredFile).values(key=checked(key), data=data, size=len(data)))
        return
    path = path_of(key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "xb") as out:
        out.write(data)


def expire(folder: str, hours: int) -> None:
    """Remove the files kept with ``keep`` under ``folder`` more than ``hours`` ago, in both places (the
    blobs with the current transaction)."""
    checked(f"{folder}/x")
    cutoff = clock.now() - timedelta(hours=hours)
    db.session.execute(StoredFile.__table__.delete().where(
        StoredFile.key.startswith(f"{folder}/", autoescape=True), StoredFile.created_at < cutoff))
    root = os.path.join(current_app.instance_path, folder)
    for name in os.listdir(root) if os.path.isdir(root) else ():
        path = os.path.join(root, name)
        if os.path.getmtime(path) < cutoff.timestamp():
            remove_quietly(path)


def _blob(key: str) -> bytes | None:
    return db.session.scalar(select(StoredFile.data).where(StoredFile.key == checked(key)))


def _places() -> list[str]:
    return ["database", "filesystem"] if mode() == "database" else ["filesystem", "database"]


def open_file(key: str) -> BinaryIO:
    """The stored file, for reading; FileNotFoundError when it is in neither place."""
    for place in _places():
        if place == "filesystem" and os.path.isfile(path_of(key)):
            return open(path_of(key), "rb")
        if place == "database" and (data := _blob(key)) is not None:
            return io.BytesIO(data)
    raise FileNotFoundError(key)


def send(key: str, **options) -> Response:
    """A response with the stored file (send_file's options: mimetype, max_age, as_attachment, …); 404 if
    there is none. Conditional requests work in both places: a stored file never changes under its key,
    so the key is its ETag in the database."""
    for place in _places():
        if place == "filesystem" and os.path.isfile(path_of(key)):
            return send_from_directory(current_app.instance_path, key, **options)
        if place == "database" and (data := _blob(key)) is not None:
            return send_file(io.BytesIO(data), etag=f"{key.rsplit('/', 1)[-1]}-{len(data)}", **options)
    abort(404)


def delete(keys: list[str]) -> None:
    """Remove stored files with the current transaction: the blobs now (rolled back with it), the files
    once it commits. Safe inside a flush (it runs on the transaction's connection)."""
    if not keys:
        return
    for key in keys:
        checked(key)
    db.session().connection().execute(StoredFile.__table__.delete().where(StoredFile.key.in_(keys)))
    remove_from_disk_on_commit(keys)


def remove_from_disk_on_commit(keys) -> None:
    db.session().info.setdefault(_DOOMED, []).extend(path_of(key) for key in keys)


def remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def keys_on_disk(folders: tuple[str, ...]) -> list[str]:
    """Every stored file's key under the given top folders of the filesystem store."""
    found = []
    for folder in folders:
        root = os.path.join(current_app.instance_path, folder)
        for dirpath, _dirs, names in os.walk(root):
            relative = os.path.relpath(dirpath, current_app.instance_path).replace(os.sep, "/")
            found += [f"{relative}/{name}" for name in names]
    return sorted(key for key in found if KEY.match(key))


def keys_in_database() -> list[str]:
    return list(db.session.scalars(select(StoredFile.key).order_by(StoredFile.key)))


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
