"""Concurrent writers on SQLite wait for each other instead of failing with "database is locked"."""
import multiprocessing
import os

import pytest
from sqlalchemy import func, select

from locations import create_app
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.library.models import Location
from tests.builders import login, make_user
from tests.conftest import make_test_config

PROCESSES, EDITS = 4, 200


def _editor(database_url: str, email: str, slugs: list[str], index: int, queue) -> None:
    app = create_app(make_test_config(database_url))
    client = app.test_client()
    login(client, email)
    with app.app_context():
        versions = {slug: db.session.scalar(select(Location.version).where(Location.slug == slug)) for slug in slugs}
        categories = {slug: db.session.scalar(select(Location.category_id).where(Location.slug == slug)) for slug in slugs}
        db.session.remove()
    failures = []
    for n in range(EDITS):
        slug = slugs[n % len(slugs)]
        response = client.post(f"/commission/locations/{slug}/edit", data={
            "version": versions[slug], "name_ja": f"並行編集 {slug}", "category": categories[slug],
            "lat": "34.34", "lon": "134.05", "source": "test", "tags": f"p{index}-e{n}"})
        if response.status_code != 302:
            failures.append((n, response.status_code, response.get_data(as_text=True)[:200]))
        else:
            versions[slug] += 1
    with app.app_context():
        db.engine.dispose()
    queue.put((index, failures))


@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL") is not None, reason="the SQLite locking behaviour")
def test_four_processes_times_200_edits_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'concurrent.db'}"
    app = create_app(make_test_config(url))
    assert app.test_cli_runner().invoke(args=["setup"]).exit_code == 0
    with app.app_context():
        user = make_user("fc_staff")
        db.session.commit()
        email = user.email
        slugs = db.session.scalars(select(Location.slug).order_by(Location.id).limit(PROCESSES * 3)).all()
        db.engine.dispose()
    queue = multiprocessing.get_context("fork").Queue()
    workers = [multiprocessing.get_context("fork").Process(
        target=_editor, args=(url, email, slugs[i * 3:(i + 1) * 3], i, queue)) for i in range(PROCESSES)]
    for w in workers:
        w.start()
    results = dict(queue.get(timeout=300) for _ in workers)
    for w in workers:
        w.join(timeout=60)
    assert all(failures == [] for failures in results.values()), results
    with app.app_context():
        edits = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "update", AuditEvent.entity_type == "location"))
        assert edits == PROCESSES * EDITS
        for i in range(PROCESSES):
            for k, slug in enumerate(slugs[i * 3:(i + 1) * 3]):
                last = max(n for n in range(EDITS) if n % 3 == k)
                assert db.session.scalar(select(Location.tags).where(Location.slug == slug)) == f"p{i}-e{last}"
        db.engine.dispose()
