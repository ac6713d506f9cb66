"""Backups: the database and the uploaded files (photos, step documents) as one consistent set in a
directory, and restoring such a directory. Runs in an app context; the CLI commands commit nothing else.

A backup directory holds ``database.sqlite3`` (SQLite backup API) or ``database.pgdump`` (pg_dump,
custom format), ``photos/`` (with ``thumbs/``), ``step_documents/`` and ``manifest.json``: when it was
made, the app version, the Alembic revision and every file with its size and SHA-256. Files keep the
names the rows refer to, so each copy matches its row. With FILE_STORAGE = "database" the files are rows of
``stored_file`` and travel inside the database file; ``files`` then lists only those still on disk.

Consistency: every file is copied once before the database snapshot (so a photo deleted while the backup
runs is still there for the row the snapshot kept); after the snapshot, the files of rows added meanwhile
are copied and copies no row of the snapshot refers to are dropped. A file written after the snapshot
belongs to a row the snapshot does not have, so it is not in the backup; a row whose file was added and
deleted again while the backup ran is listed under ``missing`` (with a warning) and restores without it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Callable, Optional

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect, text

from . import backup_postgres
from .core import file_storage
from .core.clock import now
from .core.extensions import db

MANIFEST = "manifest.json"
FORMAT = 1
FILE_DIRS = ("photos", "step_documents")
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# What a manifest may name: the app's own stored names (random hex with an extension), nothing else.
_STORED_PATH = re.compile(r"^(photos/(thumbs/)?|step_documents/)[A-Za-z0-9_-]+(\.[A-Za-z0-9]{1,8})?$")
_REFERENCED = ("SELECT filename FROM photo", "SELECT filename FROM step_document", "SELECT key FROM stored_file")
_END_SESSIONS = 'UPDATE {table} SET session_epoch = session_epoch + 1'


class BackupError(Exception):
    """The backup or restore could not be done; the message says why and what to do."""


@dataclass
class Outcome:
    directory: str
    engine: str
    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0
    revision: str = ""
    created_at: str = ""


def engine_name() -> str:
    name = db.engine.url.get_backend_name()
    if name not in DATABASE_FILES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def _instance_dir(name: str) -> str:
    return os.path.join(current_app.instance_path, name)


def _copy(source: str, target: str) -> tuple[int, str]:
    """Copy a file, flushed to disk; its size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(source, "rb") as src, open(target, "wb") as out:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest()


def _digest(path: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return os.path.getsize(path), digest.hexdigest()


def _stored_files() -> list[str]:
    """Every uploaded file now on disk, as a path relative to the instance folder."""
    return [key for key in file_storage.keys_on_disk(FILE_DIRS) if _STORED_PATH.match(key)]


def _referenced(photos: list[str], documents: list[str]) -> set[str]:
    return ({f"photos/{n}" for n in photos} | {f"photos/thumbs/{n}" for n in photos}
            | {f"step_documents/{n}" for n in documents})


def make_backup(directory: str, between_passes: Optional[Callable[[], None]] = None) -> Outcome:
    """Write a backup to ``directory`` (new, or empty) while the app keeps running."""
    started = time.monotonic()
    engine = engine_name()
    if os.path.exists(directory) and (not os.path.isdir(directory) or os.listdir(directory)):
        raise BackupError(f"{directory} already exists and is not an empty directory; choose a new one")
    os.makedirs(directory, mode=0o700, exist_ok=True)
    try:
        copied = {path: _copy(_instance_dir(path), os.path.join(directory, path)) for path in _stored_files()}
        if between_passes:
            between_passes()
        database = os.path.join(directory, DATABASE_FILES[engine])
        revision, photos, documents, blobs = (_sqlite_snapshot if engine == "sqlite" else _postgres_snapshot)(database)
        # Files kept in the database are in its snapshot already.
        wanted = _referenced(photos, documents) - set(blobs)
        missing = []
        for path in sorted(wanted - set(copied)):
            if os.path.exists(_instance_dir(path)):
                copied[path] = _copy(_instance_dir(path), os.path.join(directory, path))
            else:
                missing.append(path)
        for path in set(copied) - wanted:
            os.remove(os.path.join(directory, path))
            del copied[path]
        size, digest = _digest(database)
        outcome = Outcome(directory=directory, engine=engine, files=len(copied), missing=missing, revision=revision,
                          bytes=size + sum(s for s, _ in copied.values()),
                          created_at=now().isoformat(timespec="seconds"))
        manifest = {
            "format": FORMAT, "created_at": outcome.created_at, "app_version": _app_version(), "engine": engine,
            "alembic_revision": revision, "file_storage": file_storage.mode(), "files_in_database": len(blobs),
            "database": {"path": DATABASE_FILES[engine], "size": size, "sha256": digest},
            "files": [{"path": p, "size": s, "sha256": d} for p, (s, d) in sorted(copied.items())],
            "missing": missing,
        }
        # Written last, through a rename: a directory with a manifest is a complete backup.
        partial = os.path.join(directory, MANIFEST + ".partial")
        with open(partial, "w", encoding="utf-8") as out:
            json.dump(manifest, out, indent=1, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, os.path.join(directory, MANIFEST))
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    outcome.seconds = time.monotonic() - started
    return outcome


def _app_version() -> str:
    try:
        return version("locations")
    except PackageNotFoundError:
        return "unknown"


def _sqlite_snapshot(path: str) -> tuple[str, list[str], list[str], list[str]]:
    """Copy the live database with SQLite's backup API (one step: a consistent snapshot, writers go on)."""
    raw = db.engine.raw_connection()
    try:
        copy = sqlite3.connect(path)
        try:
            raw.driver_connection.backup(copy)
            # A self-contained file: no -wal/-shm beside it, readable from a read-only medium.
            copy.execute("PRAGMA journal_mode=DELETE")
            revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            photos, documents, blobs = ([row[0] for row in copy.execute(sql)] for sql in _REFERENCED)
        finally:
            copy.close()
    finally:
        raw.close()
    return revision, photos, documents, blobs


def _postgres_snapshot(path: str) -> tuple[str, list[str], list[str], list[str]]:
    """pg_dump from a snapshot exported by this transaction, which reads the file names from the same one."""
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            photos, documents, blobs = (list(connection.execute(text(sql)).scalars()) for sql in _REFERENCED)
            try:
                backup_postgres.dump(db.engine.url, path, snapshot)
            except backup_postgres.ToolFailed as error:
                raise BackupError(str(error)) from None
    return revision, photos, documents, blobs


# --- restore -----------------------------------------------------------------------------------------------

def read_manifest(directory: str) -> dict:
    """The backup's manifest, after checking it fits this app and database and every file is intact."""
    path = os.path.join(directory, MANIFEST)
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except FileNotFoundError:
        raise BackupError(f"{directory} is not a backup: it has no {MANIFEST} (an unfinished backup has none)") from None
    except (ValueError, OSError) as error:
        raise BackupError(f"{path} is unreadable: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup manifest of format {FORMAT}")
    engine = engine_name()
    if manifest.get("engine") != engine:
        raise BackupError(f"the backup is of a {manifest.get('engine')} database; this app uses {engine} "
                          "(set DATABASE_URL to a database of that kind to restore it)")
    revision = manifest.get("alembic_revision")
    try:
        ScriptDirectory(current_app.extensions["migrate"].directory).get_revision(revision)
    except Exception:
        raise BackupError(f"the backup's schema revision {revision!r} is unknown to this version of the app "
                          "(it comes from a newer one); restore it with that version") from None
    entries = [manifest.get("database", {}), *manifest.get("files", [])]
    for entry in entries:
        name = entry.get("path", "") if isinstance(entry, dict) else ""
        if entry is not entries[0] and not _STORED_PATH.match(name):
            raise BackupError(f"the manifest names an unexpected file {name!r}")
        if entry is entries[0] and name != DATABASE_FILES[engine]:
            raise BackupError(f"the manifest names the database file {name!r}, not {DATABASE_FILES[engine]}")
        full = os.path.join(directory, name)
        if not os.path.isfile(full):
            raise BackupError(f"{name} is missing from the backup")
        if (os.path.getsize(full), _digest(full)[1]) != (entry.get("size"), entry.get("sha256")):
            raise BackupError(f"{name} does not match its checksum in the manifest: the backup is damaged")
    return manifest


def restore_backup(directory: str) -> Outcome:
    """Make the database and the uploaded files those of the backup, and end every session.

    Nothing changes when the backup does not fit or a step fails: the files are staged and swapped in,
    and swapped back if the database restore fails, which itself runs in one transaction."""
    started = time.monotonic()
    manifest = read_manifest(directory)
    engine = manifest["engine"]
    os.makedirs(current_app.instance_path, exist_ok=True)
    staging = _instance_dir(f".restore-{secrets.token_hex(4)}")
    os.makedirs(staging)
    swapped: list[str] = []
    try:
        for entry in manifest["files"]:
            _copy(os.path.join(directory, entry["path"]), os.path.join(staging, "new", entry["path"]))
        db.session.remove()
        db.engine.dispose()
        for folder in FILE_DIRS:
            live, new = _instance_dir(folder), os.path.join(staging, "new", folder)
            if os.path.exists(live):
                os.replace(live, os.path.join(staging, "old-" + folder))
            swapped.append(folder)
            if os.path.exists(new):
                os.replace(new, live)
        database = os.path.join(directory, manifest["database"]["path"])
        (_restore_sqlite if engine == "sqlite" else _restore_postgres)(database, staging)
    except BaseException:
        for folder in swapped:
            live, old = _instance_dir(folder), os.path.join(staging, "old-" + folder)
            shutil.rmtree(live, ignore_errors=True)
            if os.path.exists(old):
                os.replace(old, live)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    db.engine.dispose()
    return Outcome(directory=directory, engine=engine, files=len(manifest["files"]), missing=manifest.get("missing", []),
                   revision=manifest["alembic_revision"], created_at=manifest.get("created_at", ""),
                   bytes=manifest["database"]["size"] + sum(f["size"] for f in manifest["files"]),
                   seconds=time.monotonic() - started)


def _restore_sqlite(database: str, staging: str) -> None:
    """Sessions are ended in a copy first, then the copy goes into the live database with the backup API:
    one write transaction, so readers see the old database or the restored one, never a mix."""
    prepared = os.path.join(staging, "database.sqlite3")
    shutil.copyfile(database, prepared)
    copy = sqlite3.connect(prepared)
    try:
        with copy:
            copy.execute(_END_SESSIONS.format(table='"user"'))
        raw = db.engine.raw_connection()
        try:
            copy.backup(raw.driver_connection)
        finally:
            raw.close()
    except sqlite3.Error as error:
        raise BackupError(f"the SQLite restore failed: {error} (stop the app while restoring)") from None
    finally:
        copy.close()


def _restore_postgres(database: str, staging: str) -> None:
    try:
        in_dump = backup_postgres.dumped_tables(database)
        schema = next((s for s, t in in_dump if t == "user"), "public")
        live = {(inspect(db.engine).default_schema_name, t) for t in inspect(db.engine).get_table_names()}
        db.engine.dispose()
        backup_postgres.restore(db.engine.url, database, staging, drop_tables=live - in_dump,
                                then_sql=_END_SESSIONS.format(table=backup_postgres.quoted_table(schema, "user")) + ";")
    except backup_postgres.ToolFailed as error:
        raise BackupError(f"{error} (nothing was changed; stop the app while restoring)") from None
