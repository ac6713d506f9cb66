"""Search folds accents and width, and finds Japanese places by their romanised name (on SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import delete

from locations.core.extensions import db
from locations.core.fulltext import index_text, normalise, query_words
from locations.directory.models import FilmCommission
from locations.library.importing import apply_plan
from locations.library.intake import plan_file
from locations.library.models import Location
from locations.library.cells import rebuild_cells
from locations.library.queries import LocationFilter, search_locations
from tests.builders import make_commission


def test_normalise_folds_accents_ligatures_and_width_but_not_kana_marks():
    assert normalise("Sacré-Cœur") == "sacre-coeur"
    assert normalise("ＳＡＣＲＥ Ｃｏｅｕｒ") == "sacre coeur"
    assert normalise("Ōsaka Straße") == "osaka strasse"
    assert normalise("がぎぐ") == "がぎぐ" and normalise("パ") == "パ"
    assert index_text("Sacré-Cœur") == index_text("sacre coeur") == "sacre coeur"
    assert query_words("SACRÉ cœur") == [["sacre"], ["coeur"]]


def names(text: str) -> list[str]:
    return [loc.name_ja for loc, _ in search_locations(LocationFilter(text=text), per_page=50).results]


def test_ritsurin_finds_the_seeded_garden_by_its_reading(app_context):
    assert any("栗林公園" in name for name in names("Ritsurin"))
    assert any("栗林公園" in name for name in names("栗林"))


@pytest.fixture
def fc(app_context):
    commission = make_commission()
    db.session.commit()
    yield commission
    db.session.rollback()
    db.session.execute(delete(Location).where(Location.commission_id == commission.id))
    db.session.execute(delete(FilmCommission).where(FilmCommission.id == commission.id))
    rebuild_cells()
    db.session.commit()


def test_accented_and_full_width_queries_find_the_same_place(fc):
    body = "名称,名称_英語,名称_カナ,緯度,経度\nサクレクール風の教会,Sacré-Cœur Chapel,サクレクールフウノキョウカイ,34.3400,134.0500\n"
    plan = plan_file(body.encode(), "x.csv", fc, {"columns": {"name_ja": "名称", "name_en": "名称_英語",
                                                               "name_kana": "名称_カナ", "lat": "緯度", "lon": "経度"},
                                                   "defaults": {"category": "temple_shrine", "source": "test",
                                                                "status": "published"}})
    apply_plan(plan, fc)
    db.session.commit()
    for query in ("sacre coeur", "Sacré-Cœur", "ＳＡＣＲＥ", "SACRE COEUR chapel", "sakurekuru"):
        assert names(query) == ["サクレクール風の教会"], query
