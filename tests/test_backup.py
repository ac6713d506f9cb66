import sqlite3

from sqlalchemy import func, select

from locations import create_app
from locations.extensions import db
from locations.models import FilmCommission, Location
from tests.conftest import make_test_config


def test_backup_copies_a_consistent_database_that_restores(tmp_path):
    source = tmp_path / "live.db"
    app = create_app(make_test_config(f"sqlite:///{source}"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    copy = tmp_path / "copy.db"
    result = runner.invoke(args=["backup", str(copy)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        expected = (db.session.scalar(select(func.count(Location.id))), db.session.scalar(select(func.count(FilmCommission.id))))
        db.engine.dispose()
    check = sqlite3.connect(copy)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()
    restored = create_app(make_test_config(f"sqlite:///{copy}"))
    with restored.app_context():
        assert (db.session.scalar(select(func.count(Location.id))),
                db.session.scalar(select(func.count(FilmCommission.id)))) == expected
        # The full-text index came along too.
        from locations.library import LocationFilter, search_locations

        assert search_locations(LocationFilter(text="滝")).total > 0
        db.engine.dispose()
    assert restored.test_client().get("/locations?q=滝").status_code == 200


def test_backup_of_postgresql_explains_pg_dump(tmp_path, monkeypatch):
    app = create_app(make_test_config("postgresql+psycopg://user@127.0.0.1:5432/nowhere"))
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.db")])
    assert result.exit_code != 0 and "pg_dump" in result.output
