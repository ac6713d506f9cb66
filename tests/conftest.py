"""Fixtures: one migrated and seeded database per test session (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), and the app, client and runner around it."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from locations import create_app
from locations.core.config import DEFAULT_SEEDS_DIR as DEFAULT_SEEDS
from locations.core.config import normalise_database_url
from locations.core.extensions import db
from locations.seeding import seed_all
from tests import cleanup

PG_ENV = "TEST_DATABASE_URL"


def _postgres_url() -> str | None:
    url = os.environ.get(PG_ENV)
    return normalise_database_url(url) if url else None


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
