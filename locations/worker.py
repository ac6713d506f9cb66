"""The background worker: sends the mail outbox and runs the daily jobs, never inside a web request.

``flask --app wsgi worker`` runs it as a process of its own (next to gunicorn); ``flask --app wsgi serve``
runs the development server with the worker in a thread, so one command serves the app and delivers mail
on a single machine. Daily jobs (deadline reminders, listing freshness, removing
locations and photos deleted longer ago than their undo period) run once per day in Japan from
``DAILY_JOBS_HOUR_JST``; a ``job_run`` row per (job, day) makes sure that two workers never both run one.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Optional

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from .accounts.mail import deliver_outbox
from .core.clock import JST, now
from .core.extensions import db
from .core.models import JobRun


def _reminders(today: date) -> str:
    from .cases.reminders import queue_reminders

    added = queue_reminders(today, int(current_app.config["REMINDER_DAYS_BEFORE"]))
    return f"{added} reminder(s)"


def _freshness(today: date) -> str:
    from .library.freshness import apply_freshness

    report = apply_freshness(today, int(current_app.config["FRESHNESS_DAYS"]))
    return f"{report.stale} stale, {report.hidden} hidden"


def _purge(today: date) -> str:
    from .library.editing import purge_deleted

    return f"{purge_deleted()} deleted location(s) and photo(s) removed for good"


DAILY_JOBS: dict[str, Callable[[date], str]] = {"reminders": _reminders, "freshness": _freshness, "purge": _purge}


def run_daily_jobs(moment: Optional[datetime] = None) -> list[str]:
    """Run each daily job not yet run for today (in Japan) once the day's hour has come; returns their names.

    The job and its ``job_run`` row commit together: a job that fails leaves no row and runs again on the
    next round; a second worker that tries the same job and day fails on the row's key and skips it.
    """
    local = (moment or now()).astimezone(JST)
    if local.hour < int(current_app.config["DAILY_JOBS_HOUR_JST"]):
        return []
    today = local.date()
    done = []
    for name, job in DAILY_JOBS.items():
        already = db.session.get(JobRun, (name, today.isoformat())) is not None
        db.session.rollback()  # so the job's own transaction below begins as a write (BEGIN IMMEDIATE)
        if already:
            continue
        try:
            if db.engine.dialect.name == "sqlite":
                db.session.connection(execution_options={"sqlite_immediate": True})
            run = JobRun(name=name, day=today.isoformat())
            db.session.add(run)
            db.session.flush()
            run.summary = job(today)[:300]
            run.finished_at = now()
            db.session.commit()
            done.append(name)
        except IntegrityError:
            db.session.rollback()  # another worker has it
    return done


@dataclass
class WorkerRound:
    delivered: int
    jobs: list[str]


def work_once() -> WorkerRound:
    report = deliver_outbox()
    jobs = run_daily_jobs()
    return WorkerRound(report.sent + report.logged, jobs)


def run_worker(app: Flask, stop: threading.Event, poll_seconds: Optional[float] = None) -> None:
    """Rounds until ``stop`` is set; an error in one round is logged and the next round goes on."""
    poll = poll_seconds if poll_seconds is not None else float(app.config["WORKER_POLL_SECONDS"])
    while not stop.is_set():
        with app.app_context():
            try:
                work_once()
            except Exception:  # noqa: BLE001 — a database hiccup must not end the worker
                db.session.rollback()
                app.logger.exception("worker: round failed; trying again in %s s", poll)
            finally:
                db.session.remove()
        stop.wait(poll)


@click.command("worker")
@click.option("--once", is_flag=True, help="Do one round (send due mail, run due daily jobs) and exit.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Send queued email and run the daily jobs (reminders, freshness); run one next to the web server."""
    app = current_app._get_current_object()
    if once:
        result = work_once()
        click.echo(f"worker: {result.delivered} email(s) delivered; daily jobs run: {', '.join(result.jobs) or 'none'}")
        return
    click.echo(f"worker: sending mail every {app.config['WORKER_POLL_SECONDS']} s; Ctrl-C stops")
    stop = threading.Event()
    try:
        run_worker(app, stop)
    except KeyboardInterrupt:
        stop.set()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not run the mail worker in this process.")
@with_appcontext
def serve_command(host: str, port: int, no_worker: bool) -> None:
    """Serve the app on one machine with the mail worker in a thread (for gunicorn, run `worker` beside it)."""
    from werkzeug.serving import run_simple

    from . import require_secret_key

    app = current_app._get_current_object()
    require_secret_key(app)
    stop = threading.Event()
    if not no_worker:
        threading.Thread(target=run_worker, args=(app, stop), name="mail-worker", daemon=True).start()
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        stop.set()


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(serve_command)
