"""CSV/GeoJSON import and export of locations and authorities, and the import/export commands.

Tests that write use their own film commission and remove it with its locations afterwards, so the
session's seeded database (SQLite or PostgreSQL) ends as it began.
"""
from __future__ import annotations

import csv
import io
import json
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from locations.core.extensions import db
from locations.directory.models import FilmCommission, Municipality, Prefecture
from locations.library import cli as cli_import
from locations.library import importing as importing_locations
from locations.library.importing import COLUMNS, apply_plan, export_locations, generated_slug, parse_locations
from locations.library.models import Location, LocationCell
from locations.library.cells import rebuild_cells
from locations.library.queries import LocationFilter, index_text_for, search_locations
from locations.permits.importing import apply_authorities, export_authorities, parse_authorities
from locations.permits.models import PermitAuthority
from tests.builders import make_commission

KAGAWA = "kagawa-film-commission"
CITY_HALL = "香川県高松市番町一丁目8-15"  # Takamatsu city hall
_serial = count(1)


# --- builders -------------------------------------------------------------------------------------------

def row(**overrides) -> dict[str, str]:
    n = next(_serial)
    values = {"slug": f"imp-test-{n}", "name_ja": f"テスト撮影地{n}", "name_en": f"Test place {n}", "category": "park",
              "address": "香川県高松市", "lat": f"{34.34 + n % 100 / 10_000:.6f}", "lon": "134.05",
              "has_parking": "true", "typical_permits": "PARK_USE", "status": "published",
              "last_verified": "2025-04-01", "source": "test data"}
    values.update(overrides)
    return values


def csv_bytes(rows: list[dict], columns=COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def feature(geometry, **properties) -> dict:
    props = {k: v for k, v in row().items() if k not in ("lat", "lon")} | properties
    return {"type": "Feature", "geometry": geometry, "properties": props}


def geojson_bytes(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def point(lon=134.05, lat=34.34) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def errors_of(data: bytes, commission, fmt="csv") -> list[tuple[int, str, str]]:
    return [tuple(e) for e in parse_locations(data, fmt, commission).errors]


def count_locations(commission) -> int:
    return db.session.scalar(select(func.count()).select_from(Location).where(Location.commission_id == commission.id))


@pytest.fixture
def fc(app_context):
    """A film commission of the test's own, removed with its locations (and map cells rebuilt) afterwards."""
    commission = make_commission()
    db.session.commit()
    ids = [commission.id]
    yield commission
    db.session.rollback()
    db.session.execute(delete(Location).where(Location.commission_id.in_(ids)))
    db.session.execute(delete(FilmCommission).where(FilmCommission.id.in_(ids)))
    rebuild_cells()
    db.session.commit()


@pytest.fixture
def kagawa(app_context):
    return db.session.scalar(select(FilmCommission).where(FilmCommission.slug == KAGAWA))


# --- validation ----------------------------------------------------------------------------------------

BAD_ROWS = [
    ({"name_ja": ""}, "name_ja", "is required"),
    ({"source": " "}, "source", "is required"),
    ({"category": "volcano"}, "category", "unknown category code 'volcano'"),
    ({"lon": ""}, "lat", "give both lat and lon"),
    ({"lat": "10.0"}, "lat", "outside Japan"),
    ({"lon": "160"}, "lat", "outside Japan"),
    ({"lat": "north"}, "lat", "must be a number"),
    ({"lat": "nan"}, "lat", "finite"),
    ({"has_parking": "maybe"}, "has_parking", "must be true or false"),
    ({"typical_permits": "PARK_USE; NOPE"}, "typical_permits", "unknown permit type code 'NOPE'"),
    ({"status": "public"}, "status", "must be draft or published"),
    ({"last_verified": "2024/01/02"}, "last_verified", "YYYY-MM-DD"),
    ({"last_verified": "2024-02-30"}, "last_verified", "not a real date"),
    ({"last_verified": "2999-01-01"}, "last_verified", "in the future"),
    ({"slug": "Bad Slug"}, "slug", "lowercase letters"),
    ({"name_ja": "長" * 201}, "name_ja", "is 201 characters long; at most 200"),
    ({"tags": "x" * 10_240}, "tags", "is 10,240 characters long; at most 300"),
    ({"description_ja": "説" * 20_001}, "description_ja", "at most 20,000"),
    ({"name_en": "a\x00b"}, "name_en", "NUL"),
    ({"lat": "", "lon": "", "address": "どこでもない場所", "name_ja": "謎の場所"}, "address",
     "could not place this address; add lat and lon"),
]


@pytest.mark.parametrize("overrides, field, reason", BAD_ROWS, ids=[f"{f}-{r[:20]}" for _, f, r in BAD_ROWS])
def test_a_bad_value_is_reported_with_its_line_and_field(fc, overrides, field, reason):
    data = csv_bytes([row(), row(**overrides), row()])
    errors = errors_of(data, fc)
    assert len(errors) == 1, errors
    line, name, message = errors[0]
    assert (line, name) == (3, field) and reason in message


def test_every_problem_is_reported_not_only_the_first(fc):
    data = csv_bytes([row(category="x"), row(), row(name_ja="", lat="99"), row(status="gone")])
    errors = errors_of(data, fc)
    assert [(line, field) for line, field, _ in errors] == [(2, "category"), (4, "name_ja"), (4, "lat"), (5, "status")]


def test_good_values_in_every_accepted_spelling(fc):
    rows = [row(has_parking=word, has_wifi=word.upper(), status="", last_verified="", typical_permits="")
            for word in ("true", "false", "1", "0", "yes", "no", "はい", "いいえ", "")]
    plan = parse_locations(csv_bytes(rows), "csv", fc)
    assert plan.errors == []
    assert [e.values["has_parking"] for e in plan.entries] == [True, False, True, False, True, False, True, False, None]
    assert {e.values["status"] for e in plan.entries} == {"draft"}


def test_header_problems_are_reported_once(fc):
    columns = ("slug", "name_ja", "colour", "category", "lat", "lon", "lat")
    data = csv_bytes([row(), row(), row()], columns=columns)
    errors = errors_of(data, fc)
    assert {(line, field) for line, field, _ in errors} == {(1, "colour"), (1, "lat"), (1, "source")}
    assert len(errors) == 3 and all(line == 1 for line, _, _ in errors)
    assert "required column is missing" in dict((f, r) for _, f, r in errors)["source"]


@pytest.mark.parametrize("encode, hint", [
    (lambda text: text.encode("cp932"), "Shift_JIS"),
    (lambda text: text.encode("utf-16"), "UTF-16"),
    (lambda text: text.encode("utf-8") + b"\xff\xfe\xfa", "not UTF-8"),
])
def test_a_file_that_is_not_utf8_is_refused_with_a_reason(fc, encode, hint):
    text = csv_bytes([row(), row(name_ja="高松の滝")]).decode("utf-8")
    errors = errors_of(encode(text), fc)
    assert len(errors) == 1 and errors[0][1] == "file" and hint in errors[0][2]


def test_utf8_with_and_without_bom_read_the_same(fc):
    data = csv_bytes([row(slug="imp-bom", name_ja="栗林公園の東門")])
    plain, bom = parse_locations(data, "csv", fc), parse_locations(b"\xef\xbb\xbf" + data, "csv", fc)
    assert plain.errors == bom.errors == []
    assert plain.entries[0].values == bom.entries[0].values


def test_csv_structure_problems_name_the_record_start_line(fc):
    good = csv_bytes([row(description_ja="一行目\n二行目\n三行目"), row()]).decode()
    lines = good.splitlines(keepends=True)
    assert len(lines) == 5  # header, a record over three lines, one more record
    data = (good + "only,three,fields\n").encode()
    assert errors_of(data, fc) == [(6, "row", "has 3 fields; the header has 23")]
    unclosed = (good + 'imp-x,"never closed,park\n').encode()
    (line, field, reason), = errors_of(unclosed, fc)
    assert (line, field) == (6, "file") and "not readable as CSV" in reason


def test_empty_and_header_only_files(fc):
    assert errors_of(b"", fc) == [(1, "file", "is empty; the first line must name the columns")]
    plan = parse_locations(",".join(COLUMNS).encode(), "csv", fc)
    assert plan.errors == [] and plan.entries == []


def test_duplicate_slugs_in_a_file(fc):
    errors = errors_of(csv_bytes([row(slug="imp-twice"), row(), row(slug="imp-twice")]), fc)
    assert errors == [(4, "slug", "'imp-twice' repeats line 2")]


def test_a_slug_of_another_commissions_location_is_refused(fc, kagawa):
    taken = db.session.scalar(select(Location.slug).where(Location.commission_id == kagawa.id).limit(1))
    errors = errors_of(csv_bytes([row(), row(slug=taken)]), fc)
    assert errors == [(3, "slug", f"{taken!r} belongs to another commission's location")]


# --- strings -------------------------------------------------------------------------------------------

def test_japanese_emoji_and_10kb_text_are_stored_and_read_back(fc):
    long_text = ("撮影🎬可能。" * 2048)[:10_240]
    data = csv_bytes([row(slug="imp-emoji", name_ja="🎌 高松・栗林公園 ⛩️", name_en="Ritsurin 🌸 Garden",
                          description_ja=long_text, access_ja=long_text, address="香川県高松市栗林町一丁目20-16")])
    plan = parse_locations(data, "csv", fc)
    assert plan.errors == []
    apply_plan(plan, fc)
    db.session.commit()
    stored = db.session.scalar(select(Location).where(Location.slug == "imp-emoji"))
    assert stored.name_ja == "🎌 高松・栗林公園 ⛩️" and stored.description_ja == long_text
    assert "栗" in stored.search_text
    assert parse_locations(export_locations(fc, "csv").encode(), "csv", fc).count("unchanged") == 1


text_values = st.one_of(st.text(max_size=300), st.text(alphabet="撮影地🎬⛩️\x00\n\"',;=", max_size=50),
                        st.sampled_from(["", " ", "'=1+1", "x" * 10_240, "\ud800", "はい"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(COLUMNS), text_values, max_size=8))
def test_any_text_in_any_column_is_a_row_error_or_a_row_never_a_crash(fc, overrides):
    for fmt in ("csv", "geojson"):
        if fmt == "csv":
            if any("\ud800" in v for v in overrides.values()):
                continue  # cannot be written as UTF-8 at all
            data = csv_bytes([row(**overrides)])
        else:
            props = {k: v for k, v in overrides.items() if k not in ("lat", "lon")}
            data = json.dumps({"type": "FeatureCollection", "features": [feature(point(), **props)]}).encode()
        plan = parse_locations(data, fmt, fc)
        assert len(plan.entries) + bool(plan.errors) == 1  # the one row is either planned or refused
        assert {e.line for e in plan.errors} <= {1 if fmt == "geojson" else 2}


# --- geocoding -----------------------------------------------------------------------------------------

def test_rows_without_coordinates_are_placed_from_the_address_once_per_address(fc, monkeypatch):
    calls = []
    real = importing_locations.geocode_address
    monkeypatch.setattr(importing_locations, "geocode_address", lambda q: calls.append(q) or real(q))
    rows = [row(lat="", lon="", address=CITY_HALL) for _ in range(3)] + [row(lat="", lon="", address="", name_ja="高松市")]
    plan = parse_locations(csv_bytes(rows), "csv", fc)
    assert plan.errors == []
    assert calls.count(CITY_HALL) == 1
    assert [e.geocoded for e in plan.entries] == [True] * 4
    first = plan.entries[0]
    # The town block (番町一丁目), not the city hall's municipality point; the bare name falls back to the city.
    assert first.geocoded_as == "香川県高松市番町一丁目" and abs(first.values["lat"] - 34.3425) < 0.002
    assert first.values["position_precision"] == "town"
    assert plan.entries[3].geocoded_as == "香川県高松市" and plan.entries[3].values["position_precision"] == "municipality"
    apply_plan(plan, fc)
    db.session.commit()
    stored = db.session.scalar(select(Location).where(Location.slug == first.slug))
    assert db.session.get(Municipality, stored.municipality_id).name_ja == "高松市"
    assert db.session.get(Prefecture, stored.prefecture_id).code == "37"


def test_an_update_without_coordinates_keeps_its_point_unless_the_address_changes(fc):
    apply_plan(parse_locations(csv_bytes([row(slug="imp-keep", lat="34.3", lon="134.1")]), "csv", fc), fc)
    db.session.commit()
    same = parse_locations(csv_bytes([row(slug="imp-keep", lat="", lon="", address="香川県高松市")]), "csv", fc)
    assert same.entries[0].action == "update" and not same.entries[0].geocoded
    assert "lat" not in same.entries[0].changes
    moved = parse_locations(csv_bytes([row(slug="imp-keep", lat="", lon="", address="香川県丸亀市")]), "csv", fc)
    assert moved.entries[0].geocoded and moved.entries[0].geocoded_as == "香川県丸亀市"


# --- writing -------------------------------------------------------------------------------------------

def test_one_bad_row_among_a_thousand_writes_nothing(fc):
    rows = [row() for _ in range(1000)]
    rows[636]["lat"] = "35,6"
    plan = parse_locations(csv_bytes(rows), "csv", fc)
    assert [(e.line, e.field) for e in plan.errors] == [(638, "lat")]
    with pytest.raises(ValueError):
        apply_plan(plan, fc)
    assert count_locations(fc) == 0


def test_updates_report_changed_fields_bump_the_version_and_reindex(fc):
    first = [row(slug="imp-a", name_en="Old name"), row(slug="imp-b")]
    created = apply_plan(parse_locations(csv_bytes(first), "csv", fc), fc)
    db.session.commit()
    assert (created.created, created.updated) == (2, 0)
    assert {c.action for c in created.changes} == {"create"}
    assert created.changes[0].fields["name_en"] == [None, "Old name"]
    before = db.session.scalar(select(Location).where(Location.slug == "imp-a"))
    version, location_id, stamp = before.version, before.id, before.updated_at
    first[0]["name_en"] = "Zyzzyva waterfront"
    calls = []
    result = apply_plan(parse_locations(csv_bytes(first), "csv", fc), fc, progress=calls.append)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1) and sum(calls) == 2
    assert result.changes == [(location_id, "update", {"name_en": ["Old name", "Zyzzyva waterfront"]})]
    db.session.expire_all()
    after = db.session.get(Location, location_id)
    assert after.version == version + 1 and after.updated_at > stamp
    assert after.search_text == index_text_for(after)  # the per-file cache builds the same index text
    found = search_locations(LocationFilter(text="zyzzyva"))
    assert [loc.slug for loc, _ in found.results] == ["imp-a"]
    cells = db.session.scalar(select(func.sum(LocationCell.count)).where(LocationCell.zoom == 3))
    visible = db.session.scalar(select(func.count()).select_from(Location).where(
        Location.status == "published", Location.hidden_stale.is_(False)))
    assert cells == visible


def test_columns_a_file_leaves_out_are_left_alone(fc):
    apply_plan(parse_locations(csv_bytes([row(slug="imp-partial", description_en="Keep me")]), "csv", fc), fc)
    db.session.commit()
    data = csv_bytes([{"slug": "imp-partial", "name_ja": "新しい名前", "category": "park", "source": "test data"}],
                     columns=("slug", "name_ja", "category", "source"))
    plan = parse_locations(data, "csv", fc)
    assert plan.errors == [] and set(plan.entries[0].changes) == {"name_ja"}
    apply_plan(plan, fc)
    db.session.commit()
    stored = db.session.scalar(select(Location).where(Location.slug == "imp-partial"))
    assert (stored.name_ja, stored.description_en, stored.status) == ("新しい名前", "Keep me", "published")


def test_slugs_made_from_names_are_stable_so_a_second_import_changes_nothing(fc):
    rows = [row(slug="", name_en=""), row(slug="", name_en="Sunport Takamatsu"), row(slug="", name_en="")]
    rows[2]["name_ja"], rows[2]["address"] = rows[0]["name_ja"], rows[0]["address"]  # the same place twice
    plan = parse_locations(csv_bytes(rows), "csv", fc)
    slugs = [e.slug for e in plan.entries]
    assert slugs[0].startswith("tesuto") and slugs[1].startswith("sunport-takamatsu-") and slugs[2] == slugs[0] + "-2"
    assert slugs[0] == generated_slug(fc.slug, rows[0]["name_ja"], None, rows[0]["address"])
    apply_plan(plan, fc)
    db.session.commit()
    again = parse_locations(csv_bytes(rows), "csv", fc)
    assert [e.action for e in again.entries] == ["unchanged"] * 3


# --- round trips ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_export_then_import_changes_nothing(fc, fmt):
    rows = [row(), row(status="draft", has_parking="", typical_permits="PARK_USE;ROAD_USE", last_verified=""),
            row(name_en="=HYPERLINK(\"http://example.com\")", tags="-1, @home", description_ja="'quoted",
                description_en="'=already quoted"),
            row(description_ja="改行\nあり", access_en='He said "hi", then left')]
    apply_plan(parse_locations(csv_bytes(rows), "csv", fc), fc)
    db.session.commit()
    exported = export_locations(fc, fmt)
    plan = parse_locations(exported.encode(), fmt, fc)
    assert plan.errors == [] and len(plan.entries) == 4
    result = apply_plan(plan, fc)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert export_locations(fc, fmt) == exported
    if fmt == "csv":
        assert "'=HYPERLINK" in exported  # spreadsheets do not run it
    else:
        doc = json.loads(exported)
        assert doc["type"] == "FeatureCollection" and doc["features"][0]["geometry"]["type"] == "Point"
        lon, lat = doc["features"][0]["geometry"]["coordinates"]
        assert 30 < lat < 40 and 130 < lon < 140  # RFC 7946: longitude first


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_the_seeded_takamatsu_library_round_trips(kagawa, fmt):
    plan = parse_locations(export_locations(kagawa, fmt).encode(), fmt, kagawa)
    assert plan.errors == [] and len(plan.entries) == plan.count("unchanged") >= 300


def test_export_without_a_commission_has_every_location(app_context):
    exported = export_locations(None, "csv")
    total = db.session.scalar(select(func.count()).select_from(Location))
    assert len(list(csv.reader(io.StringIO(exported)))) == total + 1


# --- GeoJSON -------------------------------------------------------------------------------------------

def test_geojson_geometry_problems_are_row_errors(fc):
    data = geojson_bytes(
        feature(point()),
        feature({"type": "LineString", "coordinates": [[134.0, 34.3], [134.1, 34.4]]}),
        feature({"type": "Polygon", "coordinates": [[[134.0, 34.3], [134.1, 34.3], [134.0, 34.4], [134.0, 34.3]]]}),
        feature({"type": "Point", "coordinates": ["134.05", "34.34"]}),
        feature({"type": "Point", "coordinates": [True, 34.34]}),
        feature({"type": "Point", "coordinates": [134.05]}),
        feature({"type": "Point", "coordinates": [10 ** 400, 34.34]}),
        feature("POINT(134 34)"),
        feature(point(), name_ja=12),
        feature(point(), has_wifi="perhaps"),
        {"type": "Feature", "geometry": point(), "properties": ["not", "an", "object"]},
        {"type": "Polygon"},
        feature(point(), typical_permits=["PARK_USE", "ROAD_USE"], has_parking=True, has_power=None),
    )
    errors = errors_of(data, fc, "geojson")
    assert [(line, field) for line, field, _ in errors] == [
        (2, "geometry"), (3, "geometry"), (4, "geometry"), (5, "geometry"), (6, "geometry"), (7, "lon"),
        (8, "geometry"), (9, "name_ja"), (10, "has_wifi"), (11, "properties"), (12, "feature")]
    assert "must be a Point (or null), not LineString" in errors[0][2]
    assert "numbers" in errors[2][2] and "finite" in errors[5][2] and "must be text" in errors[7][2]


def test_geojson_null_geometry_is_geocoded_and_missing_properties_reported(fc):
    plan = parse_locations(geojson_bytes(feature(None, address=CITY_HALL), feature(point(), source=None),
                                         {"type": "Feature", "geometry": point(), "properties": {"name_ja": "名前だけ"}}),
                           "geojson", fc)
    assert plan.entries[0].geocoded
    assert [(e.line, e.field) for e in plan.errors] == [(2, "source"), (3, "category"), (3, "source")]


@pytest.mark.parametrize("data, reason", [
    (b"{not json", "not valid JSON"),
    (b'{"type": "Feature", "features": []}', "FeatureCollection"),
    (b"[" * 100_000, "JSON"),
    (b'{"type": "FeatureCollection", "features": [' + b"9" * 5000 + b"]}", "not valid JSON"),
])
def test_a_file_that_is_not_geojson_is_one_error(fc, data, reason):
    (line, field, message), = errors_of(data, fc, "geojson")
    assert (line, field) == (0, "file") and reason in message


def test_unknown_geojson_properties_are_reported_once(fc):
    data = geojson_bytes(feature(point(), colour="red"), feature(point(), colour="blue", lat=34.3))
    assert {(line, field) for line, field, _ in errors_of(data, fc, "geojson")} == {(1, "colour"), (2, "lat")}


# --- commands ------------------------------------------------------------------------------------------

@pytest.fixture
def cli(app):
    if "import-locations" not in app.cli.commands:
        cli_import.init_app(app)
    return app.test_cli_runner()


def test_import_command_dry_run_shows_changes_and_writes_nothing(fc, cli, tmp_path):
    path = tmp_path / "places.csv"
    path.write_bytes(csv_bytes([row(slug="imp-dry"), row(slug="imp-geo", lat="", lon="", address=CITY_HALL)]))
    db.session.commit()
    result = cli.invoke(args=["import-locations", str(path), "--commission", fc.slug, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"{path}:2: create imp-dry" in result.output
    assert f"{path}:3: create imp-geo; placed by geocoding at 香川県高松市" in result.output
    assert "Would create 2, update 0, leave 0 unchanged; 1 placed by geocoding." in result.output
    assert "nothing was written" in result.output
    assert count_locations(fc) == 0


def test_import_command_prints_every_bad_row_and_writes_nothing(fc, cli, tmp_path):
    rows = [row() for _ in range(1000)]
    rows[10]["category"], rows[500]["lat"] = "volcano", "999"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    db.session.commit()
    result = cli.invoke(args=["import-locations", str(path), "--commission", fc.slug])
    assert result.exit_code != 0
    assert f"{path}:12: category: unknown category code 'volcano'" in result.output
    assert f"{path}:502: lat: 999.0, 134.05 is outside Japan" in result.output
    assert "2 problem(s)" in result.output and "nothing was written" in result.output
    assert count_locations(fc) == 0


def test_import_command_writes_ten_thousand_rows_with_a_progress_bar(fc, cli, tmp_path):
    path = tmp_path / "many.csv"
    path.write_bytes(csv_bytes([row(slug=f"imp-many-{i}") for i in range(10_000)]))
    db.session.commit()
    result = cli.invoke(args=["import-locations", str(path), "--commission", fc.slug])
    assert result.exit_code == 0, result.output
    assert "Writing locations" in result.output
    assert "10000 created, 0 updated, 0 unchanged; 0 placed by geocoding" in result.output
    assert count_locations(fc) == 10_000
    again = cli.invoke(args=["import-locations", str(path), "--commission", fc.slug])
    assert "0 created, 0 updated, 10000 unchanged" in again.output


@pytest.mark.parametrize("fmt, suffix", [("csv", ".csv"), ("geojson", ".geojson")])
def test_export_command_output_imports_back_unchanged(fc, cli, tmp_path, fmt, suffix):
    apply_plan(parse_locations(csv_bytes([row(), row(name_ja="高松港 🚢")]), "csv", fc), fc)
    db.session.commit()
    path = tmp_path / f"out{suffix}"
    exported = cli.invoke(args=["export-locations", "--commission", fc.slug, "--output", str(path)])
    assert exported.exit_code == 0, exported.output
    text = path.read_text("utf-8")
    assert (json.loads(text)["type"] == "FeatureCollection") if fmt == "geojson" else text.startswith("slug,name_ja,")
    result = cli.invoke(args=["import-locations", str(path), "--commission", fc.slug, "--dry-run"])
    assert "Would create 0, update 0, leave 2 unchanged" in result.output
    stdout = cli.invoke(args=["export-locations", "--commission", fc.slug, "--format", fmt])
    assert stdout.output == path.read_text("utf-8")


def test_commands_refuse_an_unknown_commission_or_format(cli, tmp_path, app_context):
    path = tmp_path / "x.txt"
    path.write_text("name_ja\n")
    # The format comes from the bytes, not the extension: a .txt with our header is read as CSV and checked.
    result = cli.invoke(args=["import-locations", str(path), "--commission", KAGAWA])
    assert result.exit_code != 0 and "category: required column is missing" in result.output
    unknown = cli.invoke(args=["import-locations", str(path), "--commission", "nope", "--format", "csv"])
    assert unknown.exit_code != 0 and "No film commission with the slug 'nope'" in unknown.output


# --- authorities ---------------------------------------------------------------------------------------

def test_the_seeded_authorities_file_imports_unchanged(app_context):
    from locations.core.config import DEFAULT_SEEDS_DIR as DEFAULT_SEEDS

    with open(f"{DEFAULT_SEEDS}/authorities.csv", "rb") as handle:
        plan = parse_authorities(handle.read(), "csv")
    assert plan.errors == [] and len(plan.rows) >= 60
    result = apply_authorities(plan)
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(plan.rows))
    db.session.rollback()


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_authorities_round_trip_and_upsert_by_code(app_context, fmt):
    exported = export_authorities(fmt)
    assert apply_authorities(parse_authorities(exported.encode(), fmt)).unchanged >= 60
    header = "code,kind,name_ja,name_en,prefecture_codes,municipality_code,address,lat,lon,phone,website,source,coords_are_estimate,is_estimate\n"
    new = header + "test-imp-police,police_station,テスト警察署,,37,37201,,34.34,134.05,,https://example.jp/,test,1,0\n"
    try:
        created = apply_authorities(parse_authorities(new.encode(), "csv"))
        assert created.created == 1 and created.changes[0].action == "create"
        changed = apply_authorities(parse_authorities(new.replace("テスト警察署", "高松テスト警察署").encode(), "csv"))
        assert changed.updated == 1 and changed.changes[0].fields == {"name_ja": ["テスト警察署", "高松テスト警察署"]}
        authority = db.session.scalar(select(PermitAuthority).where(PermitAuthority.code == "test-imp-police"))
        assert [p.code for p in authority.prefectures] == ["37"] and authority.coords_are_estimate
        assert authority.layer == "app"  # the admin's table: later seed runs keep it
    finally:
        db.session.rollback()


def test_a_prefecture_loads_its_stations_with_their_jurisdiction_in_one_file(app_context):
    """Issue 13 §3: jurisdiction, served municipalities, parent and whether it takes applications, imported."""
    header = ("code,kind,name_ja,prefecture_codes,municipality_code,lat,lon,jurisdiction,served_municipalities,"
              "parent_code,takes_applications,source\n")
    rows = (header + "test-imp-marugame,police_station,丸亀警察署,37,37202,34.29,133.80,municipalities,37202;37404,"
            "police-hq-37,1,test\n"
            "test-imp-koban,police_station,丸亀駅前交番,37,37202,34.29,133.79,unknown,,test-imp-marugame,0,test\n")
    try:
        result = apply_authorities(parse_authorities(rows.encode(), "csv"))
        assert result.created == 2
        station = db.session.scalar(select(PermitAuthority).where(PermitAuthority.code == "test-imp-marugame"))
        koban = db.session.scalar(select(PermitAuthority).where(PermitAuthority.code == "test-imp-koban"))
        assert station.jurisdiction == "municipalities" and [m.code for m in station.served] == ["37202", "37404"]
        assert station.parent.code == "police-hq-37" and koban.parent is station and not koban.takes_applications
        exported = export_authorities("csv")
        assert "test-imp-marugame,police_station,丸亀警察署" in exported and "37202;37404,police-hq-37,1" in exported
    finally:
        db.session.rollback()
    bad = header + "test-imp-x,police_station,X署,37,,,,municipalities,,police-hq-37,1,test\n"
    plan = parse_authorities(bad.encode(), "csv")
    assert [(e.field, e.reason[:30]) for e in plan.errors] == [
        ("served_municipalities", "list the municipalities exactl")]


def test_authority_contacts_kept_in_the_app_travel_in_the_file(app_context):
    header = "code,kind,name_ja,prefecture_codes,source,email,contact_note\n"
    good = header + "test-imp-contact,police_station,テスト警察署,37,test,kotsu@example.jp,平日 8:30–17:15 交通課\n"
    apply_authorities(parse_authorities(good.encode(), "csv"))
    exported = export_authorities("csv")
    assert "kotsu@example.jp,平日 8:30–17:15 交通課" in exported
    bad = parse_authorities((header + "test-imp-contact,police_station,署,37,test,not-an-address,\n").encode(), "csv")
    assert [(e.line, e.field) for e in bad.errors] == [(2, "email")]
    db.session.rollback()


def test_bad_authority_rows_are_all_reported(app_context):
    data = ("code,kind,name_ja,prefecture_codes,source,website,lat,lon\n"
            "ok-1,police_station,署,37,s,,,\n"
            "ok-1,spaceport,,99,s,javascript:alert(1),35,\n").encode()
    plan = parse_authorities(data, "csv")
    assert [(e.line, e.field) for e in plan.errors] == [
        (3, "kind"), (3, "prefecture_codes"), (3, "website"), (3, "name_ja"), (3, "lat"), (3, "code")]
    with pytest.raises(ValueError):
        apply_authorities(plan)
