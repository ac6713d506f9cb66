"""Importing files as film commissions have them: readers, presets and mappings, polygon placement, identity.

The real files are in tests/data/imports (copied from ../shared/data, see its README).
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import os

import pytest
from sqlalchemy import delete, func, select

from locations.core.extensions import db
from locations.directory.models import FilmCommission, Municipality
from locations.library import cli as cli_import
from locations.library.importing import apply_plan
from locations.library.intake import plan_file, problems_csv, report
from locations.library.models import ImportMapping, Location
from locations.library.readers import read_table, sniff_separator
from tests.builders import make_commission

DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "imports")


def data(name: str) -> bytes:
    with open(os.path.join(DATA, name), "rb") as handle:
        return handle.read()


@pytest.fixture
def fc(app_context):
    commission = make_commission()
    db.session.commit()
    yield commission
    db.session.rollback()
    db.session.execute(delete(ImportMapping).where(ImportMapping.commission_id == commission.id))
    db.session.execute(delete(Location).where(Location.commission_id == commission.id))
    db.session.execute(delete(FilmCommission).where(FilmCommission.id == commission.id))
    db.session.commit()


def municipality_codes(plan) -> list[str]:
    ids = {e.spot.municipality_id for e in plan.entries}
    codes = dict(db.session.execute(select(Municipality.id, Municipality.code).where(Municipality.id.in_(ids))).all())
    return [codes.get(e.spot.municipality_id) for e in plan.entries]


def write(plan, fc):
    result = apply_plan(plan, fc)
    db.session.commit()
    return result


# --- real files as published ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, preset, municipality, rows", [
    ("takamatsu_tourist_facilities.csv", "takamatsu", "37201", 52),
    ("katsushika_131229_tourism.csv", "tourism", "13122", 3),
    ("shimabara_422037_tourism.csv", "tourism", "42203", 28),
    ("chino_202142_public_park.csv", "public_facility", "20214", 36),
    ("nonoichi_172120_public_facility_40rows.csv", "public_facility_2024", "17212", 40),
    ("hachijo_134015_sightseeing.csv", "japanese_generic", "13401", 20),
])
def test_open_data_files_import_as_published_into_the_municipality_their_points_lie_in(
        fc, name, preset, municipality, rows):
    plan = plan_file(data(name), name, fc)
    assert plan.errors == [] and plan.mapping == preset
    assert plan.skipped == [] and len(plan.entries) == rows
    assert set(municipality_codes(plan)) == {municipality}  # incl. 女木島/男木島, which the polygons lost
    assert write(plan, fc).created == rows


def test_takamatsu_places_fall_in_takamatsu_where_the_nearest_office_put_43_percent_elsewhere(fc):
    plan = plan_file(data("takamatsu_tourist_facilities.csv"), "t.csv", fc)
    write(plan, fc)
    stored = db.session.scalars(select(Location).where(Location.commission_id == fc.id)).all()
    assert {s.municipality.code for s in stored} == {"37201"} and {s.prefecture.code for s in stored} == {"37"}
    assert all(s.source.startswith("出典：高松市オープンデータ") for s in stored)
    assert all(s.address.startswith("香川県高松市") for s in stored if s.address)


def test_rows_with_only_an_address_are_placed_at_their_town_block_and_marked_approximate(fc):
    plan = plan_file(data("yanai_352128_tourism.csv"), "yanai.csv", fc)  # 柳井市's file has no coordinates
    assert plan.skipped == [] and len(plan.entries) == 18
    assert set(municipality_codes(plan)) == {"35212"}
    assert {e.values["position_precision"] for e in plan.entries} <= {"town", "municipality"}
    assert sum(e.values["position_precision"] == "town" for e in plan.entries) >= 14
    write(plan, fc)
    shown = db.session.scalars(select(Location).where(Location.commission_id == fc.id)).all()
    assert all(s.approximate for s in shown)


def test_a_point_far_from_its_address_town_is_flagged_even_when_the_address_decides(fc):
    """Ishikawa's compiled file puts 能登町's halls 10-17 km from their towns, in 穴水町 or 七尾市: those beyond the
    polygons' tolerance were flagged, those within it took the address's municipality silently. Now every one is
    flagged; 野々市市's rows, whose points lie in their towns, are not."""
    plan = plan_file(data("ishikawa_noto_nonoichi_public_facility_20rows.csv"), "ishikawa.csv", fc)
    assert plan.errors == [] and plan.skipped == [] and len(plan.entries) == 20
    noto = [e for e in plan.entries if "能登町" in (e.values.get("address") or "")]
    nonoichi = [e for e in plan.entries if "野々市市" in (e.values.get("address") or "")]
    assert len(noto) == 12 and len(nonoichi) == 8
    assert all(e.spot.review_note for e in noto), [e.values["name_ja"] for e in noto if not e.spot.review_note]
    # Those within the polygons' tolerance of 能登町 keep it (the address decides) and say how far the point is
    # from the address's town; before, these went in silently.
    near = [(code, e) for code, e in zip(municipality_codes(plan), plan.entries) if e in noto and code == "17463"]
    assert len(near) >= 3
    assert all("km from the address's town" in e.spot.review_note for _, e in near)
    assert not any(e.spot.review_note for e in nonoichi)


def test_kana_gives_the_romanised_name(fc):
    plan = plan_file(data("katsushika_131229_tourism.csv"), "k.csv", fc)
    romaji = {e.values["name_ja"]: e.values["name_romaji"] for e in plan.entries}
    assert romaji["葛飾柴又寅さん記念館"].startswith("katsushikashibamatatorasankinenkan katsushika shibamata")


# --- encodings and separators --------------------------------------------------------------------------

def test_shift_jis_bom_crlf_semicolons_and_tabs_read_the_same(fc):
    text = data("katsushika_131229_tourism.csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    variants = {
        "cp932": text.encode("cp932"),
        "bom-crlf": codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode(),
        "semicolons": _join(rows, ";").encode(),
        "tabs": _join(rows, "\t").encode("cp932"),
        "utf-16": text.encode("utf-16"),
    }
    expected = [e.values for e in plan_file(text.encode(), "k.csv", fc).entries]
    for label, raw in variants.items():
        plan = plan_file(raw, "k.csv", fc)
        assert plan.errors == [] and [e.values for e in plan.entries] == expected, label


def _join(rows, separator):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def test_the_separator_is_sniffed_from_the_header_outside_quotes():
    assert sniff_separator('名称;住所;"a,b";緯度') == ";"
    assert sniff_separator("name\tlat\tlon") == "\t"
    assert sniff_separator("name") == ","


def test_excel_xlsx_is_read_from_its_first_sheet_with_cached_values_never_formulas(fc):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "住所", "緯度", "経度", "説明"])
    sheet.append(["栗林公園", "香川県高松市栗林町1-20-16", 34.32992, 134.04576, "=HYPERLINK(\"http://x\")"])
    sheet.append([None, None, None, None, None])
    sheet.append(["玉藻公園", "香川県高松市玉藻町2-1", 34.35047, 134.05191, "城跡"])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = plan_file(buffer.getvalue(), "parks.xlsx", fc)
    assert plan.errors == [] and plan.mapping == "japanese_generic" and len(plan.entries) == 2
    first = plan.entries[0].values
    assert first["lat"] == pytest.approx(34.32992) and "description_ja" not in first  # no cached value: empty
    assert set(municipality_codes(plan)) == {"37201"}


def test_geojson_properties_with_japanese_headers_are_mapped_too(fc):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [134.04576, 34.32992]},
         "properties": {"名称": "栗林公園", "所在地": "香川県高松市栗林町1-20-16", "説明": "特別名勝"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[134.05, 34.35], [134.052, 34.35],
                                                                             [134.052, 34.352], [134.05, 34.35]]]},
         "properties": {"名称": "玉藻公園", "所在地": "香川県高松市玉藻町"}},
    ]}
    plan = plan_file(json.dumps(doc, ensure_ascii=False).encode(), "parks.geojson", fc)
    assert plan.errors == [] and len(plan.entries) == 2 and set(municipality_codes(plan)) == {"37201"}


@pytest.mark.parametrize("columns, cells", [
    ({"lat": "y", "lon": "x"}, {"y": "34.32992", "x": "134.04576"}),
    ({"lat": "x", "lon": "y"}, {"y": "34.32992", "x": "134.04576"}),  # either order
    ({"latlon": "where"}, {"where": "34.32992, 134.04576"}),
    ({"geometry": "geom"}, {"geom": '{"type": "Point", "coordinates": [134.04576, 34.32992]}'}),
])
def test_coordinates_from_two_columns_in_either_order_one_column_or_a_geometry_column(fc, columns, cells):
    header = ["spot", *cells]
    body = _join([header, ["栗林公園", *cells.values()]], ",")
    plan = plan_file(body.encode(), "x.csv", fc, {"columns": {"name_ja": "spot", **columns},
                                                    "defaults": {"category": "park", "source": "test"}})
    assert plan.errors == [] and plan.skipped == []
    assert (plan.entries[0].values["lat"], plan.entries[0].values["lon"]) == pytest.approx((34.32992, 134.04576))


def test_projected_metres_are_refused_with_the_reason(fc):
    body = "名称,緯度,経度\n栗林公園,-127345.2,-45123.9\n"
    plan = plan_file(body.encode(), "x.csv", fc, {"columns": {"name_ja": "名称", "lat": "緯度", "lon": "経度"},
                                                    "defaults": {"category": "park", "source": "t"}})
    assert plan.entries == [] and "projected coordinates in metres" in plan.skipped[0].reason


def test_points_in_seoul_busan_or_the_sea_are_not_in_japan(fc):
    body = "名称,緯度,経度\nソウル,37.5665,126.978\n釜山,35.1796,129.0756\n太平洋,30.0,140.0\n対馬,34.2,129.29\n"
    plan = plan_file(body.encode(), "x.csv", fc, {"columns": {"name_ja": "名称", "lat": "緯度", "lon": "経度"},
                                                    "defaults": {"category": "park", "source": "t"}})
    assert [e.values["name_ja"] for e in plan.entries] == ["対馬"]
    assert sorted(e.line for e in plan.skipped) == [2, 3, 4]
    assert all("not in Japan" in e.reason or "outside Japan" in e.reason for e in plan.skipped)


# --- hostile files ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, reason", [
    (b"", "is empty"),
    (b"   \r\n", "is empty"),
    (b"\x00\x01\x02binary" * 10, "not a text file"),
    (b"\xd0\xcf\x11\xe0rest", ".xls"),
    (b"PK\x03\x04not really a zip", "Excel workbook"),
    ("名称,住所\n".encode("utf-8"), ""),  # a header only: nothing to write, nothing wrong
    (b"\xff\xfe\x00\xd8", "UTF-16"),
])
def test_unreadable_files_say_why_and_change_nothing(fc, raw, reason):
    plan = plan_file(raw, "x.csv", fc)
    assert plan.entries == []
    if reason:
        assert reason in " ".join(e.reason for e in plan.errors)
    assert db.session.scalar(select(func.count()).select_from(Location).where(Location.commission_id == fc.id)) == 0


def test_ragged_rows_huge_cells_and_formulas_are_reported_per_row(fc):
    body = ("名称,住所,緯度,経度\n"
            "栗林公園,香川県高松市栗林町1-20-16,34.32992,134.04576\n"
            "短い行,34.3\n"
            + "巨大," + "あ" * 10_500_000 + ",34.3,134.0\n"
            + "=1+2,香川県高松市玉藻町2-1,34.35047,134.05191\n")
    plan = plan_file(body.encode(), "x.csv", fc)
    lines = {e.line: e.reason for e in plan.skipped}
    assert 3 in lines and "fields" in lines[3] and 4 in lines and "characters long" in lines[4]
    assert [e.values["name_ja"] for e in plan.entries] == ["栗林公園", "=1+2"]  # stored as text, never run
    assert "=1+2" not in problems_csv(plan).replace("'=1+2", "")


def test_a_semicolon_file_read_with_the_wrong_separator_hints_at_it():
    table = read_table("名称,住所\n栗林公園;香川県;高松市,x,y\n".encode())
    assert "semicolons" in table.errors[0].reason


# --- identity ---------------------------------------------------------------------------------------------

def test_reimporting_a_file_in_another_order_writes_nothing_and_an_update_only_what_changed(fc):
    raw = data("shimabara_422037_tourism.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    write(plan_file(raw.encode(), "s.csv", fc), fc)
    shuffled = _join([rows[0]] + rows[:0:-1], ",")
    again = plan_file(shuffled.encode(), "s.csv", fc)
    assert again.count("unchanged") == 28 and again.count("create") == again.count("update") == 0
    assert write(again, fc).updated == 0
    rows[5][rows[0].index("説明")] = "説明を書き換えた"
    changed = plan_file(_join(rows, ",").encode(), "s.csv", fc)
    assert changed.count("update") == 1 and changed.count("unchanged") == 27
    assert list(next(e for e in changed.entries if e.action == "update").changes) == ["description_ja"]


def test_film_location_files_list_a_place_once_per_shoot_and_it_is_imported_once(fc):
    mapping = {"columns": {"name_ja": "Locations", "address": "Locations"},
               "defaults": {"category": "street", "source": "DataSF"}}
    plan = plan_file(data("sf_film_locations_60rows.csv"), "sf.csv", fc, mapping)
    # San Francisco is not in Japan: every row says why and nothing is written.
    assert plan.entries == [] and plan.rows_read == 60
    assert all(e.reason for e in plan.skipped)
    body = "名称,緯度,経度\n栗林公園,34.32992,134.04576\n栗林公園,34.32992,134.04576\n栗林 公園,34.32993,134.04576\n"
    plan = plan_file(body.encode(), "shoots.csv", fc, {"columns": {"name_ja": "名称", "lat": "緯度", "lon": "経度"},
                                                         "defaults": {"category": "park", "source": "t"}})
    assert len(plan.entries) == 1 and [e.reason for e in plan.skipped] == ["same place as line 2"] * 2


def test_unknown_layouts_ask_for_a_mapping(fc):
    plan = plan_file(data("nyc_film_permits_20rows.csv"), "nyc.csv", fc)
    assert plan.entries == [] and "map them to ours" in plan.errors[0].reason and "EventID" in plan.errors[0].reason


# --- command ---------------------------------------------------------------------------------------------

@pytest.fixture
def cli(app):
    if "import-locations" not in app.cli.commands:
        cli_import.init_app(app)
    return app.test_cli_runner()


def test_command_imports_a_published_file_with_a_report_and_a_saved_mapping_file(fc, cli, tmp_path):
    path = tmp_path / "parks.csv"
    path.write_bytes(data("chino_202142_public_park.csv"))
    report_path = tmp_path / "report.json"
    result = cli.invoke(args=["import-locations", str(path), "--commission", fc.slug, "--report", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "36 created" in result.output
    written = json.loads(report_path.read_text("utf-8"))
    assert written["rows_read"] == 36 and written["written"] == 36 and written["skipped"] == 0
    again = cli.invoke(args=["import-locations", str(path), "--commission", fc.slug])
    assert "0 created, 0 updated, 36 unchanged" in again.output
    mapping = tmp_path / "mine.json"
    mapping.write_text(json.dumps({"columns": {"name_ja": "名称", "lat": "緯度", "lon": "経度"},
                                   "defaults": {"category": "park", "source": "茅野市"}}), "utf-8")
    mapped = cli.invoke(args=["import-locations", str(path), "--commission", fc.slug, "--mapping", str(mapping),
                              "--dry-run", "--report", str(report_path)])
    assert mapped.exit_code == 0 and "Would create 36" in mapped.output


def test_command_report_lists_every_problem_with_line_and_field(fc, cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("名称,住所,緯度,経度\n,香川県高松市,34.3,134.0\nソウル,,37.5665,126.978\n栗林公園,,34.32992,134.04576\n",
                    "utf-8")
    report_path = tmp_path / "report.json"
    result = cli.invoke(args=["import-locations", str(path), "--commission", fc.slug, "--report", str(report_path)])
    assert result.exit_code == 0, result.output
    written = json.loads(report_path.read_text("utf-8"))
    assert written["written"] == 1 and written["skipped"] == 2
    assert {(p["line"], p["field"]) for p in written["problems"]} == {(2, "name_ja"), (3, "lat")}
    assert report(plan_file(path.read_bytes(), "bad.csv", fc))["to_create"] == 0  # now unchanged


def test_english_words_never_land_on_japanese_towns_unless_they_name_one_in_the_fcs_area(fc, app_context):
    from locations.directory.models import Prefecture
    from locations.library.importing import parse_locations

    kagawa = db.session.scalar(select(Prefecture).where(Prefecture.code == "37"))
    fc.prefecture_id = kagawa.id
    db.session.commit()
    header = "name_ja,category,address,source\n"
    rows = "".join(f"{name},park,{address},t\n" for name, address in (
        ("China", ""), ("SOMA", ""), ("Ina", ""), ("Mine", ""), ("x", "Golden Gate Bridge"), ("Sakaide", "")))
    plan = parse_locations((header + rows).encode(), "csv", fc)
    assert [e.field for e in plan.errors] == ["address"] * 5  # each: could not place this address
    assert [e.values["name_ja"] for e in plan.entries] == ["Sakaide"]  # 坂出市, in Kagawa


def test_the_town_file_keys_are_the_names_as_the_geocoder_normalises_them(app_context):
    import csv as csv_module
    import gzip

    from flask import current_app

    from locations.directory.towns import TOWNS_FILE, normalise

    with gzip.open(os.path.join(current_app.config["SEEDS_DIR"], TOWNS_FILE), "rt", encoding="utf-8") as handle:
        for n, row in enumerate(csv_module.DictReader(handle)):
            assert row["key"] == normalise(row["town"]), row
            if n > 20_000:
                break
