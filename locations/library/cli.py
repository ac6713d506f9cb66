"""Command-line import and export of the location library (CSV or GeoJSON; columns: importing/locations.py).

    flask --app wsgi import-locations FILE --commission SLUG [--mapping auto|NAME|FILE.json] [--dry-run]
                                      [--report REPORT.json]
    flask --app wsgi export-locations [--commission SLUG] [--format csv|geojson] [--output FILE]
"""
from __future__ import annotations

import json
import os
import sys
from typing import Optional

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..core.clock import today_jst
from ..core.extensions import db
from ..core.fileformats import Format
from ..directory.models import FilmCommission
from . import intake
from .importing import ImportPlan, PlanEntry, apply_plan, export_locations

EXTENSIONS = {".csv": "csv", ".geojson": "geojson", ".json": "geojson"}
DRY_RUN_LINES = 100  # created/updated rows listed by a dry run; geocoded rows are always all listed


def format_for(path: str, given: Optional[str]) -> Format:
    if given:
        return given  # type: ignore[return-value]
    fmt = EXTENSIONS.get(os.path.splitext(path)[1].lower())
    if fmt is None:
        raise click.UsageError("Cannot tell the format from the file name; pass --format csv or --format geojson.")
    return fmt  # type: ignore[return-value]


def find_commission(slug: str) -> FilmCommission:
    commission = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == slug))
    if commission is None:
        raise click.ClickException(f"No film commission with the slug {slug!r}.")
    return commission


def _describe(entry: PlanEntry) -> str:
    text = f"{entry.action} {entry.slug}"
    if entry.action == "update":
        text += " (" + ", ".join(entry.changes) + ")"
    if entry.geocoded:
        text += (f"; placed by geocoding at {entry.geocoded_as} ({entry.values['lat']:.6f}, "
                 f"{entry.values['lon']:.6f}), approximate")
    return text


def _print_dry_run(plan: ImportPlan, name: str) -> None:
    listed = 0
    for entry in plan.entries:
        changing = entry.action != "unchanged"
        if entry.geocoded or (changing and listed < DRY_RUN_LINES):
            click.echo(f"{name}:{entry.line}: {_describe(entry)}")
            listed += changing
    hidden = plan.count("create") + plan.count("update") - listed
    if hidden > 0:
        click.echo(f"… and {hidden} more rows to create or update.")
    click.echo(f"Would create {plan.count('create')}, update {plan.count('update')}, leave "
               f"{plan.count('unchanged')} unchanged; {len(plan.geocoded)} placed by geocoding.")
    click.echo("Dry run: nothing was written.")


@click.command("import-locations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--commission", "commission_slug", required=True, help="Slug of the film commission that owns the rows.")
@click.option("--mapping", "mapping_spec", default="auto", show_default=True,
              help="auto (recognise the headers), a preset or saved mapping name, or a FILE.json mapping.")
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; write nothing.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, writable=True),
              help="Write a JSON report: rows read, written, skipped and every problem with line and field.")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson", "xlsx"]),
              help="Ignored unless the content is ambiguous: the format is read from the bytes and the extension.")
@with_appcontext
def import_locations_command(file: str, commission_slug: str, mapping_spec: str, dry_run: bool,
                             report_path: Optional[str], fmt: Optional[str]) -> None:
    """Import a commission's locations from CSV/TSV, Excel .xlsx or GeoJSON, as published or mapped."""
    commission = find_commission(commission_slug)
    spec: object = mapping_spec
    if mapping_spec.lower().endswith(".json") and os.path.exists(mapping_spec):
        try:
            with open(mapping_spec, encoding="utf-8") as handle:
                spec = json.load(handle)
        except (OSError, ValueError) as error:
            raise click.ClickException(f"{mapping_spec}: not a readable JSON mapping ({error})") from None
    with open(file, "rb") as handle:
        data = handle.read()
    name = click.format_filename(file)
    filename = name if not fmt else f"{name}.{fmt}"
    with click.progressbar(length=3, label="Reading and checking", file=sys.stderr) as bar:
        stages = {"read": 1, "check": 2, "place": 3}

        def progress(stage: str, done: int, total: int) -> None:
            if done >= total:
                bar.update(stages[stage] - bar.pos)

        plan = intake.plan_file(data, filename, commission, spec, progress=progress)
    db.session.rollback()  # checking only read; apply_plan reads again what it compares against
    for error in plan.problems:
        click.echo(f"{name}:{error.line}: {error.field}: {error.reason}", err=True)
    if plan.errors:
        _write_report(report_path, plan, 0)
        raise click.ClickException(f"{len(plan.errors)} problem(s) in {name}; nothing was written.")
    click.echo(f"Columns: {plan.mapping}. {plan.rows_read} rows read, {len({e.line for e in plan.skipped})} skipped.")
    for entry in plan.review:
        click.echo(f"{name}:{entry.line}: review {entry.slug}: {entry.spot.review_note}", err=True)
    if dry_run:
        _print_dry_run(plan, name)
        _write_report(report_path, plan, 0)
        return
    # SQLite takes its write lock now, for the writing only, rather than failing with "database is
    # locked" when a read turns into a write.
    db.session.connection(execution_options={"sqlite_immediate": True})
    try:
        with click.progressbar(length=len(plan.entries), label="Writing locations", file=sys.stderr) as bar:
            result = apply_plan(plan, commission, progress=bar.update)
    except ValueError as error:  # the library changed while the file was being checked
        db.session.rollback()
        raise click.ClickException(f"{error}; nothing was written.") from None
    db.session.commit()
    _write_report(report_path, plan, result.created + result.updated)
    click.echo(f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
               f"{len(plan.geocoded)} placed by geocoding (approximate: check them); "
               f"{len(plan.review)} flagged for review.")


def _write_report(path: Optional[str], plan: ImportPlan, written: int) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(intake.report(plan, written), handle, ensure_ascii=False, indent=1)


@click.command("export-locations")
@click.option("--commission", "commission_slug", help="Only this film commission's locations (default: all).")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson"]),
              help="Output format (default: from --output's extension, else csv).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@with_appcontext
def export_locations_command(commission_slug: Optional[str], fmt: Optional[str], output: Optional[str]) -> None:
    """Write locations in the import format, so the file can be edited and imported again."""
    commission = find_commission(commission_slug) if commission_slug else None
    fmt = fmt or (format_for(output, None) if output and os.path.splitext(output)[1] else "csv")
    text = export_locations(commission, fmt)  # type: ignore[arg-type]
    db.session.rollback()
    if output is None:
        click.echo(text, nl=False)
        return
    with open(output, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    click.echo(f"Wrote {click.format_filename(output)}.", err=True)


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


@click.command("freshness")
@with_appcontext
def freshness_command() -> None:
    """Flag listings not verified for FRESHNESS_DAYS and hide those past twice that (run daily)."""

    from .freshness import apply_freshness

    days = current_app.config["FRESHNESS_DAYS"]
    report = apply_freshness(today_jst(), days)
    db.session.commit()
    click.echo(f"{report.stale} listings unverified for over {days} days (flagged to their FC); "
               f"{report.hidden} hidden from producers (over {2 * days} days): "
               f"{report.newly_hidden} newly hidden, {report.unhidden} shown again.")


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_locations_command)
    app.cli.add_command(freshness_command)
    app.cli.add_command(import_locations_command)
    app.cli.add_command(export_locations_command)
