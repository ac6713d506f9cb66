"""flask backup DIR / flask restore DIR: the database and the uploaded files as one set; flask move-files:
the uploaded files from one store to the other (core/file_storage.py)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .backup import BackupError, make_backup, read_manifest, restore_backup
from .core import audit, file_storage
from .core.extensions import db
from .core.stored_files import Moved, move_files


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB"


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
@with_appcontext
def backup_command(directory: str) -> None:
    """Copy the database and the uploaded photos and documents into DIRECTORY (new or empty) while the app runs."""
    try:
        outcome = make_backup(directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the {outcome.engine} database (revision {outcome.revision}) and {outcome.files} files, "
               f"{_size(outcome.bytes)}, to {directory} in {outcome.seconds:.1f} s.")
    for path in outcome.missing:
        click.echo(f"Warning: {path} was deleted while the backup ran; its row is in the backup without it.",
                   err=True)


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(directory: str, yes: bool) -> None:
    """Replace the database and the uploaded files with the backup in DIRECTORY, then end every session.

    Stop the app first. Nothing is changed if the backup is incomplete, damaged or of another kind of database."""
    try:
        manifest = read_manifest(directory)
    except BackupError as error:
        raise click.ClickException(f"Not restored, nothing was changed: {error}") from None
    if not yes:
        click.confirm(f"Replace this app's {manifest['engine']} database and uploaded files with the backup made "
                      f"{manifest.get('created_at')}? Everything since then is lost", abort=True)
    try:
        outcome = restore_backup(directory)
    except BackupError as error:
        raise click.ClickException(f"Not restored: {error}") from None
    # A backup from an older version of the app gets the newer schema (no-op when it is current).
    try:
        upgrade()
    except Exception as error:
        raise click.ClickException(f"Restored, and every session ended, but bringing the schema up to date failed: "
                                   f"{error}. Fix that, then run `flask --app wsgi db upgrade`.") from None
    # A backup made with the other FILE_STORAGE setting: its files go where this app keeps them.
    moved = move_files(file_storage.mode())
    audit.record("restore", user=None, entity_type="backup", detail=f"flask restore: backup made {outcome.created_at}, "
                 f"revision {outcome.revision}, {outcome.files} files; every session ended")
    db.session.commit()
    click.echo(f"Restored the {outcome.engine} database and {outcome.files} files from the backup made "
               f"{outcome.created_at} in {outcome.seconds:.1f} s. Every session was ended: everyone signs in again. "
               "Restart the app.")
    if moved.moved:
        click.echo(_moved_line(moved))
    for path in outcome.missing:
        click.echo(f"Warning: {path} was missing from the backup; its row has no file.", err=True)


def _moved_line(moved: Moved) -> str:
    place = "into the database" if moved.to == "database" else "to the instance folder"
    return (f"Moved {moved.moved} files {place}; {moved.already} were there already; "
            f"{moved.missing} rows have no file in either place.")


@click.command("move-files")
@click.option("--to", "to", type=click.Choice(file_storage.MODES), required=True,
              help="Where the files should be: the database (stored_file table) or the instance folder.")
@with_appcontext
def move_files_command(to: str) -> None:
    """Move every uploaded photo, thumbnail and step document to one store (running it again moves nothing).

    Files stay readable while they move. Afterwards set FILE_STORAGE to the same value on every host."""
    moved = move_files(to)
    click.echo(_moved_line(moved))
    if file_storage.mode() != to:
        click.echo(f"This app's FILE_STORAGE is {file_storage.mode()}: set it to {to} on every host, then run "
                   "this command once more for files uploaded in between.")


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(move_files_command)
