"""Email goes through the outbox: written with the change, sent by the worker, marked once, retried with backoff."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, update

from locations import create_app
from locations.accounts.mail import claim_due, deliver_outbox, queue_email
from locations.accounts.models import Notification, OutboxMessage, User
from locations.accounts.notifications import notify
from locations.core.clock import JST
from locations.core.extensions import db
from locations.core.models import JobRun
from locations.worker import run_daily_jobs
from tests.builders import make_user
from tests.conftest import make_test_config
from tests.mail import SmtpSink, free_port, mail_settings

STEP = {"production": "海の映画", "shoot": "Harbour scene", "permit_ja": "道路使用許可", "permit_en": "Road use permit",
        "due": "2026-12-01"}


@pytest.fixture
def clean(app):
    def wipe():
        with app.app_context():
            db.session.execute(delete(OutboxMessage))
            db.session.execute(delete(JobRun))
            db.session.commit()
    wipe()
    yield
    wipe()


@pytest.fixture
def smtp(app):
    sink = SmtpSink()
    sink.start()
    with mail_settings(app, sink.port):
        yield sink
    sink.stop()


def outbox() -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_a_notification_email_is_queued_with_the_change_and_sent_by_the_worker(app, smtp, clean):
    with app.app_context():
        user = make_user("producer")
        note = notify([user], "step_due_soon", STEP, "/productions/3/steps/9")[0]
        assert [row.notification_id for row in outbox()] == [note.id]  # same transaction, not yet committed
        db.session.commit()
        assert smtp.messages == []  # nothing is sent by the request itself
        report = deliver_outbox()
        assert report.sent == 1
        assert db.session.get(Notification, note.id).emailed_at is not None
        assert outbox()[0].sent_at is not None
        assert deliver_outbox().sent == 0  # sent once only
        email = user.email
    (mail,) = smtp.messages
    body = mail.get_content()
    assert mail["To"] == email and "\n" not in mail["Subject"]
    assert "道路使用許可" in body and "Road use permit" in body
    assert "http://127.0.0.1:5000/productions/3/steps/9" in body


def test_a_rolled_back_change_leaves_no_email(app, smtp, clean):
    with app.app_context():
        user = make_user("producer")
        db.session.commit()
        notify([user], "step_created", STEP, "/productions/1")
        db.session.rollback()
        assert outbox() == []
        assert deliver_outbox().sent == 0
    assert smtp.messages == []


def test_with_mail_off_notifications_are_in_app_only_and_account_emails_go_to_the_log(app, clean, caplog):
    assert app.config["MAIL_SERVER"] == ""
    with app.app_context():
        user = make_user("producer")
        notify([user], "step_created", STEP, "/productions/1")
        queue_email(user.email, "Confirm your address", "Open http://127.0.0.1:5000/verify/abc", "verify_email")
        db.session.commit()
        assert [row.kind for row in outbox()] == ["verify_email"]
        with caplog.at_level("WARNING"):
            report = deliver_outbox()
        assert report.logged == 1 and outbox()[0].sent_at is not None
    assert "http://127.0.0.1:5000/verify/abc" in caplog.text and "Confirm your address" in caplog.text


def test_an_unreachable_server_defers_with_growing_backoff_then_gives_up(app, clean):
    with app.app_context(), mail_settings(app, free_port()):
        user = make_user("producer")
        queue_email(user.email, "Hello", "Body", "verify_email")
        db.session.commit()
        start = datetime.now(timezone.utc)
        waits = []
        moment = start
        for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
            report = deliver_outbox(moment=moment)
            row = outbox()[0]
            if row.given_up_at is not None:
                break
            assert report.deferred == 1 and "cannot reach" in row.last_error
            next_at = row.next_attempt_at.replace(tzinfo=timezone.utc) if row.next_attempt_at.tzinfo is None \
                else row.next_attempt_at
            waits.append(next_at - moment)
            assert deliver_outbox(moment=moment).deferred == 0  # not due again before its time
            moment = next_at
        row = outbox()[0]
        assert row.given_up_at is not None and row.sent_at is None
        assert row.attempts == app.config["MAIL_MAX_ATTEMPTS"]
        assert waits == sorted(waits) and waits[0] == timedelta(minutes=1) and waits[1] == timedelta(minutes=2)


class HungSmtp:
    """Accepts connections and never answers (the review's stalled mail server); counts connections."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def test_a_hung_mail_server_is_never_contacted_by_a_request(database_url, seeded_app, clean):
    hung = HungSmtp()
    app = create_app(make_test_config(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=hung.port,
                                      MAIL_TIMEOUT_SECONDS=1))

    @app.post("/_test/notify/<id:user_id>")
    def _notify_view(user_id):
        notify([db.session.get(User, user_id)], "step_created", STEP, "/productions/1")
        db.session.commit()
        return "done"

    try:
        with app.app_context():
            user_id = make_user("producer").id
            db.session.commit()
        response = app.test_client().post(f"/_test/notify/{user_id}")
        assert response.status_code == 200 and response.get_data(as_text=True) == "done"
        assert hung.accepted == []  # the request did not even open a connection
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
            # The worker meets the hung server, gives up after its short timeout and keeps the message.
            report = deliver_outbox()
            assert report.deferred == 1 and len(hung.accepted) == 1
            row = db.session.scalars(select(OutboxMessage)).one()
            assert row.sent_at is None and row.claimed_until is None
    finally:
        hung.close()
        with app.app_context():
            db.engine.dispose()


def test_two_workers_never_claim_the_same_message(app, clean):
    with app.app_context():
        user = make_user("producer")
        for n in range(40):
            queue_email(user.email, f"Message {n}", "Body", "verify_email")
        db.session.commit()
    claimed: list[list[int]] = []
    barrier = threading.Barrier(2)

    def worker():
        with app.app_context():
            barrier.wait()
            mine = []
            for _ in range(10):
                mine += claim_due(5, datetime.now(timezone.utc))
            claimed.append(mine)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = claimed
    assert not set(first) & set(second)
    assert len(first) + len(second) == 40


def test_marking_sent_survives_concurrent_writers_without_duplicates(app, smtp, clean):
    """The review saw 310 duplicate emails: marking failed with "database is locked" under write load."""
    with app.app_context():
        user = make_user("producer")
        db.session.commit()
        user_id = user.id
        for n in range(60):
            queue_email(user.email, f"Load {n}", "Body", "verify_email")
        db.session.commit()
    stop = threading.Event()
    writes = []

    def writer():
        with app.app_context():
            while not stop.is_set():
                if db.engine.dialect.name == "sqlite":
                    db.session.connection(execution_options={"sqlite_immediate": True})
                db.session.execute(update(User).where(User.id == user_id).values(display_name=f"w{len(writes)}"))
                db.session.commit()
                writes.append(1)
            db.session.remove()

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        with app.app_context():
            while deliver_outbox(limit=7):
                pass
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert len(writes) > 10
    subjects = sorted(str(m["Subject"]) for m in smtp.messages)
    assert subjects == sorted(f"Load {n}" for n in range(60))  # each exactly once
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.sent_at.is_(None))) == 0


def test_daily_jobs_run_once_per_day_in_japan_from_their_hour(app, clean, monkeypatch):
    # Stand-ins that record the day they were given: the real jobs would hide the shared seed's listings
    # when run for 2027 (the freshness and reminder logic has tests of its own).
    days: list[str] = []
    monkeypatch.setattr("locations.worker.DAILY_JOBS", {
        "reminders": lambda day: days.append(f"reminders {day}") or "ok",
        "freshness": lambda day: days.append(f"freshness {day}") or "ok",
    })
    hour = app.config["DAILY_JOBS_HOUR_JST"]
    day = datetime(2027, 4, 1, tzinfo=JST)
    with app.app_context():
        assert run_daily_jobs(day.replace(hour=hour - 1)) == []
        assert run_daily_jobs(day.replace(hour=hour)) == ["reminders", "freshness"]
        assert run_daily_jobs(day.replace(hour=hour + 3)) == []
        # 23:30 UTC on 1 April is already 2 April in Japan: a new day.
        assert run_daily_jobs(datetime(2027, 4, 1, 23, 30, tzinfo=timezone.utc)) == ["reminders", "freshness"]
        runs = db.session.scalars(select(JobRun).order_by(JobRun.day, JobRun.name)).all()
        assert [(r.name, r.day) for r in runs] == [("freshness", "2027-04-01"), ("reminders", "2027-04-01"),
                                                   ("freshness", "2027-04-02"), ("reminders", "2027-04-02")]
        assert all(r.finished_at is not None and r.summary == "ok" for r in runs)
    assert days == ["reminders 2027-04-01", "freshness 2027-04-01", "reminders 2027-04-02", "freshness 2027-04-02"]


def test_a_failing_job_leaves_no_run_and_is_tried_again(app, clean, monkeypatch):
    calls = []

    def flaky(day):
        calls.append(day)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return "ok"

    monkeypatch.setattr("locations.worker.DAILY_JOBS", {"reminders": flaky})
    moment = datetime(2027, 5, 1, 12, tzinfo=JST)
    with app.app_context():
        with pytest.raises(RuntimeError):
            run_daily_jobs(moment)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0
        assert run_daily_jobs(moment) == ["reminders"]
    assert len(calls) == 2


def test_the_serve_command_delivers_mail_with_its_in_process_worker(tmp_path, clean):
    """README's serve command on a fresh database: the page answers and a queued email is delivered."""
    sink = SmtpSink()
    sink.start()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "SECRET_KEY": "s" * 64,
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink.port), "WORKER_POLL_SECONDS": "1",
           "SESSION_COOKIE_SECURE": "false", "TILE_URL": ""}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=root, env=env, check=True, capture_output=True)
    server = subprocess.Popen([*flask, "serve", "--port", str(port)], cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        engine_app = create_app(make_test_config(env["DATABASE_URL"]))
        with engine_app.app_context():
            queue_email("someone@example.com", "Served", "Body", "verify_email")
            db.session.commit()
            db.engine.dispose()
        deadline = time.monotonic() + 30
        while not sink.messages and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.2)
        assert [str(m["Subject"]) for m in sink.messages] == ["Served"]
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/about") as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()
        sink.stop()
