"""Request limits kept in Redis are shared by every worker and outlive a restart; without Redis they
fall back to counting per process instead of failing.

The Redis tests need TEST_REDIS_URL (a database of its own, e.g. redis://127.0.0.1:6379/15; its LIMITS
keys are deleted). They are skipped without it, except in CI (CI is set), where they fail.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

from locations import create_app
from locations.core.extensions import db
from tests.conftest import make_test_config, worker_number

REDIS_ENV = "TEST_REDIS_URL"
# Nothing listens on port 1: the storage is down from the start.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the Redis limiter tests (.ci/run starts Redis and sets {REDIS_ENV})")
    pytest.skip(reason)


def _worker_database(url: str) -> str:
    """Parallel test workers count in Redis databases of their own: the given one, the one below it, …"""
    parts = urlsplit(url)
    given = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(given - worker_number()) % 16}"))


def _forget_counts(client: redis.Redis) -> None:
    for key in client.scan_iter("LIMITS*"):
        client.delete(key)


@pytest.fixture
def redis_url():
    url = os.environ.get(REDIS_ENV)
    if not url:
        _unavailable(f"{REDIS_ENV} is not set")
    url = _worker_database(url)
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        client.close()
        _unavailable(f"Redis at {url} does not answer: {error}")
    _forget_counts(client)
    yield url
    _forget_counts(client)
    client.close()


@pytest.fixture
def worker(database_url, seeded_app):
    """Start "a worker": an app of its own on the given limiter storage, as each gunicorn process builds."""
    made = []

    def start(storage_uri: str):
        app = create_app(make_test_config(database_url, LOGIN_RATE_LIMITED=True, LOGIN_RATE_LIMIT="3 per minute",
                                          RATELIMIT_STORAGE_URI=storage_uri))
        made.append(app)
        return app.test_client()

    yield start
    # The limiter is one object for every app of the process: give it back its per-process storage.
    made.append(create_app(make_test_config(database_url)))
    for app in made:
        with app.app_context():
            db.engine.dispose()


def failed_sign_in(client, n: int) -> int:
    # A new address each time, so only the per-client limit is in play, not the account lockout.
    return client.post("/login", data={"email": f"redis-guess{n}@example.com", "password": "x"}).status_code


def test_counts_in_redis_are_shared_by_workers_and_survive_a_restart(redis_url, worker):
    first = worker(redis_url)
    assert [failed_sign_in(first, n) for n in range(2)] == [401, 401]
    restarted = worker(redis_url)  # another process, or the same one after a restart: nothing in memory
    assert [failed_sign_in(restarted, n) for n in range(2, 4)] == [401, 429]
    assert failed_sign_in(first, 4) == 429


def test_counts_in_memory_start_again_in_each_process(worker):
    """The contrast README warns about: per-process counts, lost on restart."""
    first = worker("memory://")
    assert [failed_sign_in(first, n) for n in range(2)] == [401, 401]
    restarted = worker("memory://")
    assert [failed_sign_in(restarted, n) for n in range(2, 5)] == [401, 401, 401]


def test_when_redis_is_down_limits_go_on_per_process(worker):
    client = worker(DEAD_REDIS)
    assert [failed_sign_in(client, n) for n in range(4)] == [401, 401, 401, 429]
