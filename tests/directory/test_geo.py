"""Geocoding: the offline gazetteer (names, addresses, romaji, readings), suggestions, the optional
Nominatim geocoder (faked: tests never touch the network) and distances."""
from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from geopy.exc import ConfigurationError, GeocoderUnavailable
from geopy.location import Location

from locations import create_app
from locations.core.extensions import db
from locations.directory import geo
from locations.directory.geo import Place, clear_gazetteer_cache, distance_km, geocode, suggest


class FakeNominatim:
    """Stands in for geopy's Nominatim; records every construction and call."""

    instances: list[FakeNominatim] = []
    answer: Location | Exception | None = None

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.calls: list[tuple[str, dict]] = []
        type(self).instances.append(self)

    def geocode(self, query, **kwargs):
        self.calls.append((query, kwargs))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def fake_nominatim(answer) -> type[FakeNominatim]:
    return type("Fake", (FakeNominatim,), {"instances": [], "answer": answer})


@pytest.fixture(autouse=True)
def no_network(app, monkeypatch):
    """Default config must never reach Nominatim, whatever the environment says."""
    monkeypatch.setitem(app.config, "GEOCODER", None)
    guard = fake_nominatim(AssertionError("network"))
    monkeypatch.setattr(geo, "Nominatim", guard)
    yield
    assert guard.instances == []


def one(query: str) -> Place:
    place = geocode(query)
    assert place is not None, query
    return place


# --- the gazetteer ---------------------------------------------------------------------------------------


def test_a_municipality_is_placed_at_its_office(app_context):
    place = one("高松市")
    assert place == Place("香川県高松市", "Takamatsu, Kagawa", place.lat, place.lon, "municipality", "37", True)
    assert 34.2 < place.lat < 34.5 and 133.9 < place.lon < 134.2


@pytest.mark.parametrize("query, name", [
    # Japanese names, with and without suffix
    ("高松市", "香川県高松市"), ("高松", "香川県高松市"),
    ("東京都", "東京都"), ("東京", "東京都"), ("北海道", "北海道"), ("京都府", "京都府"),
    ("七ヶ宿町", "宮城県七ケ宿町"), ("七ケ宿町", "宮城県七ケ宿町"),
    # full addresses, full-width digits and postcodes included
    ("香川県高松市番町一丁目8-15", "香川県高松市"), ("高松市番町一丁目8-15", "香川県高松市"),
    ("高松市番町一丁目８−１５", "香川県高松市"), ("〒760-0017 香川県 高松市 番町1-8-15", "香川県高松市"),
    ("札幌市中央区北1条西2丁目", "北海道札幌市中央区"), ("香川県木田郡三木町池戸3186", "香川県三木町"),
    ("大和郡山市", "奈良県大和郡山市"), ("東村山", "東京都東村山市"),
    # the prefecture named in the text decides between same-name municipalities
    ("広島県府中市", "広島県府中市"), ("東京都府中市", "東京都府中市"), ("府中市(広島県)", "広島県府中市"),
    ("府中市", "東京都府中市"),  # ambiguous without a prefecture: the lowest code
    # a bare name at the start of a longer one
    ("高松駅", "香川県高松市"), ("香川県高松駅", "香川県高松市"),
    # English and romaji
    ("Takamatsu", "香川県高松市"), ("takamatsu city", "香川県高松市"), ("TAKAMATSU-SHI", "香川県高松市"),
    ("Takamatsu, Kagawa", "香川県高松市"), ("Takamatsu City, Kagawa Prefecture, Japan", "香川県高松市"),
    ("Kagawa", "香川県"), ("Kagawa Prefecture", "香川県"), ("kagawa-ken", "香川県"),
    ("Tokyo", "東京都"), ("Tōkyō", "東京都"), ("Tokyo-to", "東京都"), ("Gumma", "群馬県"),
    ("Shinjuku", "東京都新宿区"), ("Shinjuku-ku, Tokyo", "東京都新宿区"),
    ("Sapporo Chuo", "北海道札幌市中央区"), ("Chuo-ku, Sapporo", "北海道札幌市中央区"),
    ("Fuchu", "東京都府中市"), ("Fuchu, Hiroshima", "広島県府中市"), ("Fuchu town", "広島県府中町"),
    ("Kan'onji", "香川県観音寺市"),
    # readings, in hiragana or katakana; prefectures are reached through their romaji
    ("たかまつ", "香川県高松市"), ("たかまつし", "香川県高松市"), ("タカマツ", "香川県高松市"),
    ("さっぽろしちゅうおうく", "北海道札幌市中央区"), ("とうきょう", "東京都"),
])
def test_gazetteer_matches(app_context, query, name):
    assert one(query).name == name


@pytest.mark.parametrize("query, name", [
    ("香川県高松市", "香川県高松市"), ("京都府京都市", "京都府京都市"),
    # a bare capital named like its prefecture means the city ...
    ("京都", "京都府京都市"), ("Kyoto", "京都府京都市"), ("Osaka", "大阪府大阪市"), ("Saitama", "埼玉県さいたま市"),
    # ... unless the text says prefecture
    ("Kyoto Prefecture", "京都府"), ("Kyoto-fu", "京都府"),
    # a town or non-capital city that shares the name does not hide its prefecture
    ("Iwate", "岩手県"), ("いわて", "岩手県"), ("Yamanashi", "山梨県"), ("Okinawa", "沖縄県"),
    ("Ishikawa", "石川県"), ("Ibaraki", "茨城県"), ("Kyoto City", "京都府京都市"),
    # a municipality outside the prefecture the text names is not trusted
    ("東京都高松市", "東京都"), ("Takamatsu, Tokyo", "東京都"),
])
def test_municipality_beats_its_prefecture_when_both_match(app_context, query, name):
    assert one(query).name == name


# From /work/shared/data/japan-facilities-takamatsu/fire_stations.csv (Takamatsu open data): town names of
# merged towns (香川町, 国分寺町, 牟礼町) must not pull the match away from 高松市.
@pytest.mark.parametrize("address", [
    "高松市番町一丁目8-15", "高松市香川町川東上947-1", "高松市国分寺町新名695-4", "高松市牟礼町牟礼3720-328",
])
def test_takamatsu_fire_station_addresses(app_context, address):
    place = one(address)
    assert (place.name, place.kind, place.prefecture_code, place.approximate) == (
        "香川県高松市", "municipality", "37", True)


@pytest.mark.parametrize("query", ["Atlantis", "存在しない町"])
def test_unknown_places(app_context, query):
    assert geocode(query) is None
    suggestions = suggest(query)
    assert isinstance(suggestions, list) and all(isinstance(p, Place) for p in suggestions)


GARBAGE = [
    "", "   ", "\t\n", "a" * 10_000, "高" * 10_000, "x" * 201, "\x00\x01\x02\x1b[2J\x7f", "\u202e\u200b",
    "'; DROP TABLE municipality; --", "1 OR 1=1", "%' OR name_ja LIKE '%", "<script>alert(1)</script>",
    "../../etc/passwd", "🗾🏯", ",,,", "---", "市", "県",
]


@pytest.mark.parametrize("query", GARBAGE)
def test_garbage_is_no_place(app_context, query):
    assert geocode(query) is None
    assert isinstance(suggest(query), list)


def test_suggest_lists_same_name_places(app_context):
    names = [p.name for p in suggest("府中市")]
    assert names[:2] == ["東京都府中市", "広島県府中市"]
    assert "広島県府中町" in names
    assert [p.name for p in suggest("Fuchu", limit=10)][:3] == ["東京都府中市", "広島県府中市", "広島県府中町"]


def test_suggest_finds_near_misses(app_context):
    assert suggest("Takamatu")[0].name == "香川県高松市"
    assert "香川県高松市" in [p.name for p in suggest("高松駅前")]
    assert len(suggest("Misato", limit=3)) == 3
    assert suggest("Takamatsu", limit=0) == []


def test_gazetteer_is_built_with_one_query_per_table_and_cached(app, app_context):
    clear_gazetteer_cache()
    statements = []

    def count(*args):
        if not args[2].startswith("BEGIN"):  # transaction control, not a query
            statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert one("高松市").kind == "municipality"
        assert len(statements) == 2
        assert one("Kagawa").kind == "prefecture"
        assert len(statements) == 2
        clear_gazetteer_cache()
        assert "gazetteer" not in app.extensions
        assert one("高松").kind == "municipality"
        assert len(statements) == 4
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_distance_km():
    takamatsu, tokyo = (34.3428, 134.0466), (35.6895, 139.6917)
    assert distance_km(takamatsu, takamatsu) == 0
    assert distance_km(takamatsu, tokyo) == pytest.approx(535, abs=10)
    assert distance_km(takamatsu, tokyo) == pytest.approx(distance_km(tokyo, takamatsu))


# --- Nominatim (opt-in) ----------------------------------------------------------------------------------


@pytest.fixture
def nominatim_app(app):
    """A second app on the same database with Nominatim switched on, so the shared app stays untouched."""
    fresh = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TILE_URL": "",
        "GEOCODER": "nominatim", "GEOCODER_USER_AGENT": "locations-tests",
    })
    with fresh.app_context():
        yield fresh
        db.session.remove()
        db.engine.dispose()


CASTLE = Location("玉藻公園, 高松市, 香川県, 760-0030, 日本", (34.3502, 134.0526), {})


def test_nominatim_answer_is_used_and_cached(nominatim_app, monkeypatch):
    fake = fake_nominatim(CASTLE)
    monkeypatch.setattr(geo, "Nominatim", fake)
    place = geocode("玉藻公園")
    assert place == Place(CASTLE.address, CASTLE.address, 34.3502, 134.0526, "nominatim", "37", False)
    assert geocode(" 玉藻公園 ") == place  # the same normalised query: from the cache
    [geolocator] = fake.instances
    assert geolocator.kwargs["user_agent"] == "locations-tests"
    assert geolocator.calls == [("玉藻公園", {"exactly_one": True, "country_codes": "jp"})]


def test_nominatim_without_answer_falls_back_to_gazetteer(nominatim_app, monkeypatch):
    fake = fake_nominatim(None)
    monkeypatch.setattr(geo, "Nominatim", fake)
    assert one("Takamatsu").kind == "municipality"
    assert one("takamatsu").kind == "municipality"
    assert len(fake.instances[0].calls) == 1


@pytest.mark.parametrize("error", [GeocoderUnavailable("down"), TimeoutError("slow"), ValueError("bad json")])
def test_nominatim_failure_falls_back_to_gazetteer(nominatim_app, monkeypatch, caplog, error):
    fake = fake_nominatim(error)
    monkeypatch.setattr(geo, "Nominatim", fake)
    with caplog.at_level(logging.WARNING, logger="locations.directory.geo"):
        assert one("高松市").name == "香川県高松市"
        assert one("高松市").name == "香川県高松市"  # no second try while Nominatim is failing
    assert len(fake.instances[0].calls) == 1
    assert "using the offline gazetteer" in caplog.text


def test_nominatim_misconfigured_falls_back_to_gazetteer(nominatim_app, monkeypatch, caplog):
    def broken(**kwargs):
        raise ConfigurationError("rejected user agent")

    monkeypatch.setattr(geo, "Nominatim", broken)
    with caplog.at_level(logging.WARNING, logger="locations.directory.geo"):
        assert one("Kagawa").kind == "prefecture"
    assert "Nominatim is not usable" in caplog.text


def test_nominatim_is_not_asked_for_garbage(nominatim_app, monkeypatch):
    fake = fake_nominatim(CASTLE)
    monkeypatch.setattr(geo, "Nominatim", fake)
    for query in GARBAGE[:6]:
        assert geocode(query) is None
    assert all(not instance.calls for instance in fake.instances)


def test_a_romanised_name_breaks_words_at_the_middle_dot():
    # pykakasi kept コンベンション・ビューロー's "・", Japanese text inside an English page.
    assert geo.romanize_name("高松観光コンベンション・ビューロー") == "takamatsu kanko konbenshon byuro"
