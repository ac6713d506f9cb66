"""Command-line tasks: `flask --app wsgi seed`, `flask --app wsgi setup`."""
from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .core.config import SECRET_KEY_FILE, read_secret_key_file, weak_secret_key, write_secret_key_file
from .core.extensions import db
from .core.roles import ROLES
from .directory.geo import clear_gazetteer_cache
from .seeding import SeedError, seed_all


def run_seed(seeds_dir: str) -> None:
    try:
        report = seed_all(seeds_dir)
    except SeedError as error:
        db.session.rollback()
        raise click.ClickException(f"Seed data rejected, nothing was written. {error}") from None
    db.session.commit()
    clear_gazetteer_cache()
    for line in report.lines():
        click.echo(line)
    click.echo("Seed data applied." if report.changed else "Nothing changed: the database already matches the seeds.")


@click.command("seed")
@with_appcontext
@click.option("--seeds", "seeds_dir", type=click.Path(exists=True, file_okay=False),
              help="Folder of seed files (default: the project's seeds/).")
def seed_command(seeds_dir: str | None) -> None:
    """Upsert the sourced reference data (blocks, prefectures, FCs, permits…) by natural key."""
    run_seed(seeds_dir or current_app.config["SEEDS_DIR"])


def ensure_secret_key() -> None:
    """Write a random SECRET_KEY to instance/secret_key when none is configured anywhere."""
    path = os.path.join(current_app.instance_path, SECRET_KEY_FILE)
    if weak_secret_key(current_app.config.get("SECRET_KEY")) and not os.path.exists(path):
        current_app.config["SECRET_KEY"] = write_secret_key_file(current_app.instance_path)
        click.echo(f"Wrote a new random SECRET_KEY to {path} (readable by this user only).")
    if weak_secret_key(current_app.config.get("SECRET_KEY")):
        click.echo("Warning: the configured SECRET_KEY is missing, short or a published default; "
                   "the server will refuse to start until SECRET_KEY is set to a long random value.", err=True)


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Write a secret key if none is configured, migrate the database to the latest schema, then seed it."""
    ensure_secret_key()
    upgrade()
    run_seed(current_app.config["SEEDS_DIR"])
    report_layers()


def report_layers() -> None:
    """Load the planner's spatial layers once (this also checks they parse) and say what they hold."""
    from .permits import spatial

    layers = spatial.app_layers()
    counts = {name: len(layer.geometries) for name, layer in (
        ("DIDs", layers.did), ("national park zones", layers.parks), ("aerodromes and heliports", layers.landing),
        ("airport premises", layers.premises), ("registered cultural properties", layers.cultural)) if layer}
    click.echo("Spatial layers: " + (", ".join(f"{n} {name}" for name, n in counts.items()) or "none found"))


@click.command("build-layers")
@click.option("--shared", default=os.path.join("..", "shared", "data"), show_default=True,
              help="The folder of open datasets (did-2020/, national-parks-moe/, osm-…/).")
@click.option("--out", default=None, help="Where to write the layers (default: SEEDS_DIR/layers).")
@with_appcontext
def build_layers_command(shared: str, out: str | None) -> None:
    """Rebuild seeds/layers/ (simplified DIDs, national parks, OSM aerodromes) from the shared open data."""
    from .permits import layers_build

    out = out or os.path.join(current_app.config["SEEDS_DIR"], "layers")
    if not os.path.isdir(shared):
        raise click.ClickException(f"{shared}: no such folder (give --shared)")
    os.makedirs(out, exist_ok=True)
    click.echo(f"DIDs: {layers_build.build_did(shared, out)}")
    click.echo(f"national park zones: {layers_build.build_parks(shared, out)}")
    click.echo(f"aerodromes and heliports: {layers_build.build_landing_sites(shared, out)}")


@click.command("build-towns")
@click.option("--shared", default=os.path.join("..", "shared", "data"), show_default=True,
              help="The folder of open datasets (japan-addresses/).")
@with_appcontext
def build_towns_command(shared: str) -> None:
    """Rebuild seeds/japan_towns.csv.gz (the offline address geocoder's towns and 小字) from Geolonia's points."""
    from .directory import towns_build

    source = os.path.join(shared, "japan-addresses", "japan_towns_geolonia.csv.gz")
    if not os.path.exists(source):
        raise click.ClickException(f"{source}: no such file (give --shared)")
    seeds = current_app.config["SEEDS_DIR"]
    counts = towns_build.build(source, os.path.join(seeds, "municipalities_localgovjp.csv"),
                               os.path.join(seeds, "japan_towns.csv.gz"))
    click.echo(", ".join(f"{name}: {n}" for name, n in counts.items()))


@click.command("rotate-secret-key")
@with_appcontext
def rotate_secret_key_command() -> None:
    """Replace instance/secret_key with a new random key; the old one stays valid as a fallback until the next rotation."""
    current = read_secret_key_file(current_app.instance_path).get("SECRET_KEY")
    write_secret_key_file(current_app.instance_path, keep_previous=current)
    click.echo("Wrote a new SECRET_KEY to instance/secret_key; restart the app (and the worker) to use it. "
               "The previous key still verifies existing cookies and links until the next rotation.")
    if os.environ.get("SECRET_KEY"):
        click.echo("Note: SECRET_KEY is set in the environment, which overrides instance/secret_key.", err=True)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "display_name", default=None, help="Display name (default: the email's local part).")
@click.option("--commission", "commission_slug", default=None, help="FC slug, for fc_staff.")
@click.option("--authority", "authority_code", default=None, help="Authority id or code, for authority officers.")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def create_user_command(email, role, display_name, commission_slug, authority_code, password) -> None:
    """Create an account (admins, FC staff and authority officers are created this way or by an admin)."""
    from flask_babel import force_locale
    from sqlalchemy import or_, select

    from .accounts.users import UserProblems, create_user
    from .directory.models import FilmCommission
    from .permits.models import PermitAuthority

    commission = authority = None
    if role == "fc_staff":
        commission = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == (commission_slug or "")))
        if commission is None:
            raise click.ClickException("fc_staff needs --commission with an existing FC slug")
    if role == "authority":
        key = authority_code or ""
        authority = db.session.scalar(select(PermitAuthority).where(
            or_(PermitAuthority.code == key, PermitAuthority.id == (int(key) if key.isdigit() else -1))))
        if authority is None:
            raise click.ClickException("authority officers need --authority with an existing authority id or code")
    try:
        # No request to choose a language from: the terminal gets English.
        with force_locale("en"):
            user = create_user(email, display_name, role, password, commission=commission, authority=authority,
                               email_verified=True, detail="flask create-user")
    except UserProblems as problems:
        db.session.rollback()
        raise click.ClickException(str(problems)) from None
    db.session.commit()
    click.echo(f"Created {role} {user.email}.")


@click.command("enable-user")
@click.argument("email")
@with_appcontext
def enable_user_command(email: str) -> None:
    """Enable a disabled account and lift its sign-in lockout (for instance when no admin can sign in)."""
    from sqlalchemy import select

    from .accounts import throttle
    from .accounts.models import User
    from .accounts.users import normalise_email, set_active

    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account has the email {email}")
    changed = set_active(user, True)
    throttle.clear(user.email)
    db.session.commit()
    click.echo(f"Enabled {user.email}." if changed else f"{user.email} was already enabled; its sign-in lockout is lifted.")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(enable_user_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(setup_command)
    app.cli.add_command(build_layers_command)
    app.cli.add_command(build_towns_command)
    app.cli.add_command(rotate_secret_key_command)
