from sqlalchemy import func, select

from locations import create_app
from locations.core.extensions import db
from locations.directory.models import FilmCommission, Prefecture


def test_setup_migrates_and_seeds_an_empty_database(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "prefecture: 47 created" in first.output
    second = runner.invoke(args=["setup"])
    assert second.exit_code == 0, second.output
    assert "Nothing changed" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Prefecture.id))) == 47
        assert db.session.scalar(select(func.count(FilmCommission.id))) >= 70
        db.engine.dispose()
