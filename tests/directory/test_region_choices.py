"""The blocks and prefectures the filters list are read once per version of the reference data."""
import sqlalchemy as sa

from locations.core import versions
from locations.core.extensions import db
from locations.directory.models import Prefecture
from locations.directory.queries import OUTLINES
from tests.permits.test_rulebook import count_statements


def _rename_kagawa(app, name_en: str) -> None:
    with app.app_context():
        db.session.scalar(sa.select(Prefecture).filter_by(code="37")).name_en = name_en
        db.session.commit()


def test_a_second_search_page_reads_no_block_or_prefecture(app, client):
    assert client.get("/locations?q=滝&lang=en").status_code == 200
    statements = count_statements(app, lambda: client.get("/locations?q=滝&lang=en"))
    assert not [s for s in statements if "regional_block" in s or "FROM prefecture" in s], statements


def test_the_filters_follow_a_renamed_prefecture_at_once(app, client):
    assert ">Kagawa<" in client.get("/locations?lang=en").get_data(as_text=True)
    _rename_kagawa(app, "Kagawa (renamed)")
    try:
        for path in ("/locations?lang=en", "/commissions?lang=en"):
            html = client.get(path).get_data(as_text=True)
            assert ">Kagawa (renamed)</option>" in html, path
    finally:
        _rename_kagawa(app, "Kagawa")
    assert ">Kagawa</option>" in client.get("/locations?lang=en").get_data(as_text=True)


def test_another_process_rename_shows_once_the_stamp_is_read_again(app, client, monkeypatch):
    assert ">Kagawa</option>" in client.get("/locations?lang=en").get_data(as_text=True)
    with app.app_context():
        with db.engine.begin() as conn:  # as another process writes it: no session event here sees it
            conn.execute(sa.update(Prefecture.__table__).where(Prefecture.code == "37").values(name_en="Sanuki"))
            versions.bump(conn, OUTLINES)
    try:
        assert ">Kagawa</option>" in client.get("/locations?lang=en").get_data(as_text=True)  # within the second
        monkeypatch.setattr(versions, "RECHECK_SECONDS", 0.0)
        assert ">Sanuki</option>" in client.get("/locations?lang=en").get_data(as_text=True)
    finally:
        _rename_kagawa(app, "Kagawa")
