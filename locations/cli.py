"""Command-line tasks: `flask --app wsgi seed`, `flask --app wsgi setup`."""
from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .extensions import db
from .geo import clear_gazetteer_cache
from .seeding import SeedError, seed_all

DEFAULT_SEEDS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seeds")


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
    run_seed(seeds_dir or current_app.config.get("SEEDS_DIR", DEFAULT_SEEDS))


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Create or migrate the database to the latest schema, then seed it."""
    upgrade()
    run_seed(current_app.config.get("SEEDS_DIR", DEFAULT_SEEDS))


@click.command("demo-locations")
@click.option("--count", type=click.IntRange(0, 1_000_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed, for repeatable data.")
@click.option("--clear", is_flag=True, help="Remove every synthetic location first.")
@with_appcontext
def demo_locations_command(count: int, seed: int, clear: bool) -> None:
    """Add synthetic locations (marked as such) for benchmarks and load tests."""
    from .demo import create_synthetic, remove_synthetic

    if clear:
        click.echo(f"Removed {remove_synthetic()} synthetic locations.")
    if count:
        create_synthetic(count, seed)
        click.echo(f"Added {count} synthetic locations (seed {seed}); they are marked synthetic in the app.")
    db.session.commit()


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(setup_command)
    app.cli.add_command(demo_locations_command)
