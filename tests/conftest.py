"""Fixtures: one migrated and seeded database per test session (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), and the app, client and runner around it."""
from __future__ import annotations

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from locations import create_app
from locations.accounts.models import User
from locations.core.clock import today_jst
from locations.core.config import DEFAULT_SEEDS_DIR as DEFAULT_SEEDS
from locations.core.config import normalise_database_url
from locations.core.extensions import db
from locations.seeding import seed_all
from tests import cleanup
from tests.builders import login, make_production, make_shoot, make_step, make_user

PG_ENV = "TEST_DATABASE_URL"


def worker_number() -> int:
    """Which of pytest-xdist's parallel workers runs this process (0 for gw0 or without xdist)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") else 0


def _postgres_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        return None
    url = normalise_database_url(url)
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return url
    # Each parallel worker migrates and seeds a database of its own beside the given one.
    given = sa.engine.make_url(url)
    own = given.set(database=f"{given.database}_{os.environ['PYTEST_XDIST_WORKER']}")
    engine = sa.create_engine(given, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}):
                conn.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    except sa.exc.OperationalError:
        return url  # database_url below reports the server as unreachable
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    """Start from an empty public schema so migrations run from scratch."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _postgres_url()
    if url is None:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    try:
        _reset_postgres(url)
    except sa.exc.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{PG_ENV} is set but PostgreSQL is not reachable: {error.orig}")
    return url


def make_test_config(database_url: str, **overrides) -> dict:
    """Settings for test apps: forms without CSRF tokens and no rate limits, except where a test
    turns them back on to check them; cookies over plain http for the test client. Two-step sign-in
    is required of no role here (tests of it turn TOTP_REQUIRED_ROLES on), so a password signs anyone in."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TILE_URL": "",
        "WTF_CSRF_ENABLED": False,
        "LOGIN_RATE_LIMITED": False,
        "SESSION_COOKIE_SECURE": False,
        "SERVER_NAME": None,
        "TOTP_REQUIRED_ROLES": (),
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def seeded_app(database_url):
    app = create_app(make_test_config(database_url))
    with app.app_context():
        upgrade()
        seed_all(DEFAULT_SEEDS)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def session_rows(seeded_app):
    """The rows right after seeding: at the end of the run nothing beyond them may be left."""
    with seeded_app.app_context():
        before = cleanup.take()
    yield before
    with seeded_app.app_context():
        left = cleanup.left_over(before)
    assert left == {}, f"tests left rows behind: {left}"


@pytest.fixture(autouse=True)
def no_rows_left_behind(request, seeded_app, session_rows):
    """Whatever a test adds to the shared database goes when it ends (see tests/cleanup.py)."""
    with seeded_app.app_context():
        before = cleanup.take()
        db.session.remove()
    yield
    with seeded_app.app_context():
        cleanup.sweep(before)
        db.session.remove()


@pytest.fixture
def app(seeded_app):
    yield seeded_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def request_context(app):
    """A request context, for code that builds URLs or reads the locale."""
    with app.test_request_context("/?lang=en"):
        yield
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def people(app):
    """A producer, a Kagawa FC staff member, a Kagawa police officer and another producer, each with a
    signed-in client."""
    with app.app_context():
        users = {role: make_user(role) for role in ("producer", "fc_staff", "authority")}
        users["other_producer"] = make_user("producer")
        db.session.commit()
        made = {key: (u.id, u.email) for key, u in users.items()}
    clients = {}
    for key, (_, email) in made.items():
        clients[key] = app.test_client()
        assert login(clients[key], email).status_code == 302
    return {"ids": {k: v[0] for k, v in made.items()}, "clients": clients}


@pytest.fixture
def case(app, people, monkeypatch, tmp_path):
    """A Kagawa production with a road-use step for the Kagawa police and a drone step for Osaka;
    uploads go to a temporary instance folder."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    with app.app_context():
        owner = db.session.get(User, people["ids"]["producer"])
        production = make_production(owner, title="Seto Nights")
        shoot = make_shoot(production, start=today_jst() + timedelta(days=40))
        road = make_step(shoot, "ROAD_USE", "police-hq-37", due_date=today_jst() + timedelta(days=20))
        drone = make_step(shoot, "DRONE_FLIGHT", "cab-osaka", due_date=today_jst() + timedelta(days=5))
        db.session.commit()
        ids = {"production": production.id, "road": road.id, "drone": drone.id}
    ids["url"] = lambda key: f"/productions/{ids['production']}/steps/{ids[key]}"
    return ids


@pytest.fixture(params=["filesystem", "database"])
def file_storage(request, app, monkeypatch):
    """Runs the test with each FILE_STORAGE setting; yields a function listing every stored file's key (on
    disk under the instance folder and in the stored_file table), for tests that check what is kept."""
    from locations.core import file_storage as storage

    monkeypatch.setitem(app.config, "FILE_STORAGE", request.param)

    def stored_keys() -> list[str]:
        with app.app_context():
            return sorted(storage.keys_on_disk(("photos", "step_documents")) + storage.keys_in_database())

    stored_keys.mode = request.param
    return stored_keys


def pytest_collection_modifyitems(config, items):
    """Tests marked ``markup_only`` (what the browser draws: layout, contrast, focus, map tiles) or
    ``database_free`` (the built wheel, which brings its own SQLite) check what no database changes: they run in
    the SQLite pass of CI and skip themselves in the PostgreSQL one, which repeats every test that reads or writes
    data."""
    if not os.environ.get(PG_ENV):
        return
    skip = pytest.mark.skip(reason="the same on every database: checked in the SQLite run")
    in_english = pytest.mark.skip(reason="browser journeys run once on PostgreSQL, in Japanese (the SQLite run has both)")
    for item in items:
        if item.get_closest_marker("markup_only") or item.get_closest_marker("database_free"):
            item.add_marker(skip)
        elif _is_browser_test(item) and getattr(item, "callspec", None) and item.callspec.params.get("lang") == "en":
            # The database stores and finds what either language writes the same way; Japanese text is the one
            # that tests it (search, sorting, lengths), so the English run of the same journey stays in the
            # SQLite pass. It saves about a minute of the PostgreSQL pass.
            item.add_marker(in_english)


def _is_browser_test(item) -> bool:
    return os.sep + "browser" + os.sep in str(item.path)

