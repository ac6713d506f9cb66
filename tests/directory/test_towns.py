"""The offline town geocoder on address forms taken from the municipal open-data files in ../shared/data: 字 names,
小字 after the 大字, kanji numbers before 号, old kanji forms, the municipality left out, names with no full match."""
from __future__ import annotations

import pytest

from locations.directory.towns import geocode_address, normalise, normalise_koaza


def place(address: str):
    found = geocode_address(address)
    assert found is not None, address
    return found


@pytest.mark.parametrize(("address", "name", "level"), [
    # Geolonia writes rural 大字 with their 字 (字北七海); the address may or may not.
    ("石川県鳳珠郡穴水町字北七海8の13番地1", "石川県穴水町字北七海", "oaza"),
    ("石川県鳳珠郡能登町宇出津新港3丁目3", "石川県能登町字宇出津新港三丁目", "block"),
    # Kanji numbers before 号 (the data: 香川町安原下第三号).
    ("香川県高松市香川町安原下第３号194-1", "香川県高松市香川町安原下第三号", "oaza"),
    # 栁 is the old form of 柳 (四柳町).
    ("石川県羽咋市四栁町ちノ部16", "石川県羽咋市四柳町", "oaza"),
    # The municipality written twice.
    ("石川県金沢市金沢市袋町525（214）", "石川県金沢市袋町", "oaza"),
    ("東京都千代田区霞が関1-1", "東京都千代田区霞が関一丁目", "block"),
])
def test_address_forms_reach_their_town(app_context, address, name, level):
    found = place(address)
    assert (found.name, found.level, found.kind, found.approximate) == (name, level, "town", True)


@pytest.mark.parametrize(("address", "name"), [
    ("石川県七尾市藤橋町ア部6番地4", "石川県七尾市藤橋町ア"),  # 小字 ア, then 部
    ("石川県小松市向本折町い12番地", "石川県小松市向本折町い"),  # the data writes this 小字 イ
    ("石川県七尾市藤橋町字ア6", "石川県七尾市藤橋町ア"),
])
def test_a_koaza_after_the_town_gives_its_own_point(app_context, address, name):
    town, koaza = place(address.split("町")[0] + "町"), place(address)
    assert (koaza.name, koaza.level) == (name, "koaza")
    assert (koaza.lat, koaza.lon) != (town.lat, town.lon)


def test_a_koaza_is_only_read_up_to_the_lot_number(app_context):
    """"藤橋町アイ" is no 小字 ア: the 小字 must end where the 地番 (digit, 番, -, の, 部) starts."""
    assert place("石川県七尾市藤橋町アイウ6").level == "oaza"


def test_a_name_with_no_full_match_takes_the_towns_that_share_its_stem(app_context):
    # The data has 朝霧台一丁目 only.
    found = place("石川県金沢市朝霧台2丁目86-1")
    assert (found.name, found.level) == ("石川県金沢市朝霧台一丁目", "stem")
    # 香南町 has a dozen 大字 spread over km: no stem point, the municipality is the honest answer.
    assert geocode_address("香川県高松市香南町617-13") is None


@pytest.mark.parametrize(("address", "name"), [
    ("石川県大聖寺八間道30番地１", "石川県加賀市大聖寺八間道"),  # 加賀市 left out
    ("石川県鹿島郡能登部下134部1番地", "石川県中能登町能登部下"),  # only the 郡 named
])
def test_a_town_unique_in_its_prefecture_is_found_without_the_municipality(app_context, address, name):
    assert place(address).name == name


@pytest.mark.parametrize("address", ["石川県本町1-1", "石川県中央", "China", "Golden Gate Bridge", "香川県"])
def test_no_town_without_a_unique_match(app_context, address):
    assert geocode_address(address) is None


def test_normalise_strips_the_aza_marker_and_reads_kanji_numbers():
    assert normalise("字向粟崎") == "向粟崎"
    assert normalise("大字津幡") == "津幡"
    assert normalise("塩江町安原下第一号") == "塩江町安原下第1号"
    assert normalise("本町三丁目") == "本町3丁目"
    assert normalise_koaza("字ナ") == "ナ"


def test_build_towns_keeps_koaza_strips_gun_and_files_hamamatsus_old_wards_under_the_new(app, tmp_path, monkeypatch):
    import csv
    import gzip
    import shutil

    from locations.directory.towns import Towns

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(f"{app.config['SEEDS_DIR']}/municipalities_localgovjp.csv", seeds)
    source = tmp_path / "shared" / "japan-addresses"
    source.mkdir(parents=True)
    with gzip.open(source / "japan_towns_geolonia.csv.gz", "wt", encoding="utf-8", newline="") as handle:
        handle.write("prefecture,municipality,town,koaza,lat,lon\n"
                     "石川県,河北郡内灘町,字向粟崎,,36.640364,136.646542\n"
                     "石川県,河北郡内灘町,字向粟崎,イ,36.641393,136.644265\n"
                     "石川県,河北郡内灘町,字室,ハ,36.69387,136.682186\n"
                     "静岡県,浜松市北区,細江町気賀,,34.800001,137.650001\n"
                     "静岡県,浜松市中区,元城町,,34.711,137.726\n"
                     "東京都,どこにもない市,何町,,35.0,139.0\n")
    monkeypatch.setitem(app.config, "SEEDS_DIR", str(seeds))
    result = app.test_cli_runner().invoke(args=["build-towns", "--shared", str(tmp_path / "shared")])
    assert result.exit_code == 0, result.output
    assert "towns: 4, koaza: 2" in result.output and "unknown municipality: 1" in result.output
    with gzip.open(seeds / "japan_towns.csv.gz", "rt", encoding="utf-8") as handle:
        rows = [(r["code"], r["key"], r["koaza"]) for r in csv.DictReader(handle)]
    assert rows == [("17365", "向粟崎", ""), ("17365", "向粟崎", "イ"), ("17365", "室", "ハ"),
                    ("22138", "細江町気賀", ""), ("22139", "細江町気賀", ""), ("22138", "元城町", "")]
    towns = Towns(str(seeds / "japan_towns.csv.gz"))
    assert towns.find("17365", "向粟崎イ12")[2:] == ("字向粟崎イ", "koaza")
    assert towns.find("17365", "室5")[:2] == (36.69387, 136.68219)  # a town with only 小字 takes the first one's point


@pytest.mark.parametrize(("address", "name"), [
    ("浜松市元城町103-2", "静岡県浜松市中央区元城町"),  # the ward left out
    ("静岡県浜松市中区元城町103-2", "静岡県浜松市中央区元城町"),  # a ward merged away on 2024-01-01
    ("大阪市梅田1-1", "大阪府大阪市北区梅田一丁目"),
])
def test_a_designated_city_without_its_ward_finds_the_one_ward_with_the_town(app_context, address, name):
    assert place(address).name == name


def test_a_town_in_several_wards_is_not_guessed(app_context):
    from locations.directory.towns import towns
    # 金山一丁目 is a town of Nagoya's 中区 and of its 熱田区.
    assert [code for code in ("23106", "23109") if "金山1丁目" in towns().by_code[code]] == ["23106", "23109"]
    assert geocode_address("名古屋市金山1-1") is None
    assert place("名古屋市中区金山1-1").name == "愛知県名古屋市中区金山一丁目"


@pytest.mark.parametrize(("address", "name"), [
    ("京都市下京区烏丸通七条下る東塩小路町", "京都府京都市下京区東塩小路町"),
    ("京都府京都市中京区寺町通御池上る上本能寺前町488", "京都府京都市中京区上本能寺前町"),
])
def test_kyoto_street_directions_are_read_past(app_context, address, name):
    assert place(address).name == name
