from sqlalchemy import func, select

from locations import create_app
from locations.core.extensions import db
from locations.library.models import Location, LocationCell


def test_demo_locations_are_marked_synthetic_and_removable(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["setup"]).exit_code == 0
    result = runner.invoke(args=["demo-locations", "--count", "300", "--seed", "7"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        synthetic = db.session.scalars(select(Location).where(Location.is_synthetic.is_(True))).all()
        assert len(synthetic) == 300
        assert all("synthetic" in loc.source and loc.name_en.startswith("Synthetic") for loc in synthetic)
        cells = db.session.scalar(select(func.sum(LocationCell.count)).where(LocationCell.zoom == 5))
        assert cells == db.session.scalar(select(func.count()).select_from(Location))
    again = runner.invoke(args=["seed"])
    assert "Nothing changed" in again.output  # synthetic rows are not part of the seed
    cleared = runner.invoke(args=["demo-locations", "--count", "0", "--clear"])
    assert "Removed 300" in cleared.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Location).where(Location.is_synthetic.is_(True))) == 0
        db.engine.dispose()
