"""Effect verification: exact sums, the choropleth's 47 values, charts, CSV, the FC report form.

The recorded reports give every group at least three productions, so nothing here is withheld for
privacy (tests/reports/test_report_privacy.py covers that)."""
import csv
import io
import json
import re
import socket
import warnings
from datetime import date

import pytest
from sqlalchemy import func, select

from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.directory.models import Prefecture
from locations.reports import charts
from locations.reports import figures as reports
from locations.reports.models import SPEND_CATEGORIES, ShootReport
from tests.builders import TITLE_PREFIX, commission, login, make_report, make_user, municipality

YEAR = 2011  # a year no other test records reports in, so the sums below are ours alone
SPEND = {"lodging": 1_200_000, "catering": 340_000, "transport": 99_999, "local_staff": 0,
         "location_fees": 50_000, "other": 7}
FCS = {"kagawa": "kagawa-film-commission", "shodo": "shodoshima-film-commission", "ehime": "ehime-film-commission",
       "sapporo": "sapporo-film-commission"}
# (FC, first day, shoot days, days spanned, crew, spend factor, estimated spend): three productions for
# each FC in YEAR (Kagawa and Shodoshima in Kagawa, Ehime: Shikoku block; Sapporo: Hokkaido block), and
# three more Kagawa FC productions in YEAR + 1.
RECORDED = [
    ("kagawa", date(YEAR, 3, 1), 3, 5, 20, 1, False), ("kagawa", date(YEAR, 12, 31), 2, 2, 7, 2, True),
    ("kagawa", date(YEAR, 7, 7), 1, 1, 4, 4, False),
    ("shodo", date(YEAR, 6, 10), 4, 4, 12, 3, False), ("shodo", date(YEAR, 6, 20), 2, 3, 6, 1, False),
    ("shodo", date(YEAR, 9, 1), 1, 1, 2, 2, False),
    ("ehime", date(YEAR, 1, 1), 1, 1, 5, 5, False), ("ehime", date(YEAR, 2, 1), 2, 2, 5, 1, False),
    ("ehime", date(YEAR, 3, 1), 3, 3, 5, 1, True),
    ("sapporo", date(YEAR, 8, 8), 10, 14, 40, 11, False), ("sapporo", date(YEAR, 8, 28), 1, 1, 3, 1, False),
    ("sapporo", date(YEAR, 10, 1), 5, 5, 8, 2, False),
    ("kagawa", date(YEAR + 1, 1, 1), 6, 6, 3, 13, False), ("kagawa", date(YEAR + 1, 2, 1), 1, 1, 3, 1, False),
    ("kagawa", date(YEAR + 1, 3, 1), 2, 2, 3, 1, False),
]
PREFECTURE = {"kagawa": "37", "shodo": "37", "ehime": "38", "sapporo": "01"}
BLOCK = {"kagawa": "SKK", "shodo": "SKK", "ehime": "SKK", "sapporo": "HKD"}


def spend(factor: int) -> dict:
    return {f"spend_{c}_jpy": v * factor for c, v in SPEND.items()}


def expected(year=YEAR, **where) -> dict:
    """The sums of the RECORDED reports of ``year`` (None: all) whose FC matches ``where``
    (fc=…, prefecture=…, block=…)."""
    chosen = [r for r in RECORDED if (year is None or r[1].year == year)
              and all({"fc": r[0], "prefecture": PREFECTURE[r[0]], "block": BLOCK[r[0]]}[k] == v for k, v in where.items())]
    return {"reports": len(chosen), "shoot_days": sum(r[2] for r in chosen),
            "crew_days": sum(r[2] * r[4] for r in chosen), "factor": sum(r[5] for r in chosen),
            "estimates": sum(r[6] for r in chosen)}


@pytest.fixture
def recorded(app):
    with app.app_context():
        made = [make_report(commission(FCS[fc]), first, shoot_days=days, days_span=span, crew_size=crew,
                            spend_is_estimate=estimate, **spend(factor))
                for fc, first, days, span, crew, factor, estimate in RECORDED]
        db.session.commit()
        ids = [r.id for r in made]
    yield ids


@pytest.fixture
def staff(app):
    """A Kagawa FC staff member's email; the account is deleted afterwards."""
    with app.app_context():
        email = make_user("fc_staff").email
        db.session.commit()
    return email


def by_key(rows):
    return {row.key: row for row in rows}


def test_grouped_sums_are_exact_for_the_year(app, recorded):
    with app.app_context():
        rows, totals = reports.summary(reports.Selection(year=YEAR, group="commission"))
        fcs = by_key(rows)
        assert set(fcs) == set(FCS.values()) and not any(r.hidden for r in rows) and not totals.hidden
        kagawa, want = fcs["kagawa-film-commission"], expected(fc="kagawa")
        assert (kagawa.reports, kagawa.shoot_days, kagawa.crew_days) == (3, 6, 3 * 20 + 2 * 7 + 1 * 4)
        assert kagawa.spend == {c: v * want["factor"] for c, v in SPEND.items()}
        assert kagawa.estimates == 1
        everything = expected()
        assert totals.reports == 12 and totals.shoot_days == everything["shoot_days"]
        assert totals.total_spend == sum(SPEND.values()) * everything["factor"]
        # The totals row is the sum of the rows, field by field.
        assert totals.crew_days == sum(r.crew_days for r in rows)
        assert totals.spend == {c: sum(r.spend[c] for r in rows) for c in SPEND_CATEGORIES}

        prefectures = by_key(reports.summary(reports.Selection(year=YEAR, group="prefecture"))[0])
        assert set(prefectures) == {"37", "38", "01"}
        assert prefectures["37"].shoot_days == expected(prefecture="37")["shoot_days"] == 6 + 7
        assert prefectures["37"].reports == 6 and prefectures["37"].name_ja == "香川県"

        blocks = by_key(reports.summary(reports.Selection(year=YEAR, group="block"))[0])
        assert set(blocks) == {"SKK", "HKD"}
        assert blocks["SKK"].shoot_days == expected(block="SKK")["shoot_days"]
        assert blocks["SKK"].total_spend == sum(SPEND.values()) * expected(block="SKK")["factor"]
        assert blocks["HKD"].crew_days == 10 * 40 + 1 * 3 + 5 * 8


def test_year_filter_and_all_years(app, recorded):
    with app.app_context():
        next_year = by_key(reports.summary(reports.Selection(year=YEAR + 1, group="commission"))[0])
        assert next_year["kagawa-film-commission"].shoot_days == 9
        everything = reports.summary(reports.Selection(year=None, group="commission"))[1]
        stored = db.session.execute(select(func.count(), func.sum(ShootReport.shoot_days))).one()
        assert (everything.reports, everything.shoot_days) == (stored[0], stored[1]) == (15, 44)
        assert {YEAR, YEAR + 1} <= set(reports.years())
        yearly = dict(reports.by_year())
        assert yearly[YEAR].shoot_days == 35 and yearly[YEAR + 1].shoot_days == 9


def test_choropleth_has_one_value_per_prefecture(app, recorded):
    with app.app_context():
        days = reports.prefecture_values(YEAR, "days")
        money = reports.prefecture_values(YEAR, "spend")
        assert len(days) == len(money) == 47 == db.session.scalar(select(func.count(Prefecture.id)))
        assert days["37"] == 13 and days["38"] == 6 and days["01"] == 16 and days["13"] == 0
        assert money["38"] == sum(SPEND.values()) * expected(prefecture="38")["factor"]
        assert sum(days.values()) == 35


def layer_options(html: str) -> dict:
    """The options of the first remote layer in the page's map script (after the offline base every map has)."""
    layers = json.loads(re.search(r'<script type="application/json" id="[^"]+_layers" nonce="[^"]+">(.*?)</script>', html,
                                  re.S).group(1))
    assert layers[0]["kind"] == "base"
    return layers[1]


def test_reports_page_shows_table_charts_and_choropleth(client, recorded):
    response = client.get(f"/reports?year={YEAR}&group=prefecture&measure=days&lang=ja")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    options = layer_options(html)
    assert options["kind"] == "choropleth" and options["url"].startswith("/api/prefectures?v=")
    assert len(options["values"]) == len(options["fills"]) == len(options["labels"]) == 47
    assert options["values"]["37"] == 13 and options["values"]["13"] == 0
    assert html.count('<svg role="img"') == 2 and 'id="chart-days"' in html
    assert re.search(r'<tr data-key="37">.*?data-col="shoot_days">13<', html, re.S)
    assert re.search(r'<tr data-key="total">.*?data-col="shoot_days">35<', html, re.S)
    assert 'id="privacy-rule"' in html and "data-withheld" not in html
    # Single productions are never published.
    assert TITLE_PREFIX not in html
    spend_page = client.get(f"/reports?year={YEAR}&measure=spend&lang=en").get_data(as_text=True)
    assert layer_options(spend_page)["values"]["38"] == sum(SPEND.values()) * (5 + 1 + 1)


@pytest.mark.parametrize("query, status", [
    ("year=abc", 400), ("year=99999", 400), ("group=nope", 400), ("measure=%3Cb%3E", 400),
    ("year=all&group=block&measure=spend", 200), ("year=1999", 200),
])
def test_reports_page_never_fails_on_odd_arguments(client, query, status):
    response = client.get(f"/reports?{query}")
    assert response.status_code == status
    assert "<b>" not in response.get_data(as_text=True)


def test_csv_matches_the_table(app, client, recorded):
    response = client.get(f"/reports.csv?year={YEAR}&group=block")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["group", "code", "name_ja", "name_en"]
    with app.app_context():
        table, totals = reports.summary(reports.Selection(year=YEAR, group="block"))
    assert [r[1] for r in body] == [f.key for f in table] + [""]
    assert header[-1] == "withheld" and all(line[-1] == "" for line in body)
    for line, figures in zip(body, table + [totals]):
        assert int(line[header.index("shoot_days")]) == figures.shoot_days
        assert int(line[header.index("spend_total_jpy")]) == figures.total_spend
        assert [int(line[header.index(f"spend_{c}_jpy")]) for c in SPEND_CATEGORIES] == \
            [figures.spend[c] for c in SPEND_CATEGORIES]
    assert body[-1][0] == "total" and "四国ブロック" in response.data.decode("utf-8")
    html = client.get(f"/reports?year={YEAR}&group=block").get_data(as_text=True)
    for line in body[:-1]:
        cells = re.search(rf'<tr data-key="{line[1]}">(.*?)</tr>', html, re.S).group(1)
        assert f'data-col="total">{int(line[header.index("spend_total_jpy")]):,}<' in cells
    assert client.get("/reports.csv?group=bad").status_code == 400


def test_charts_are_svg_without_warnings_or_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("charts must not use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bars = charts.bar_chart(["2011", "2012"], [20, 6], "年別の撮影日数 <b>", "t1", highlight="2012")
        spend_bars = charts.horizontal_bar_chart(["宿泊", "飲食"], [1_200_000, 0], "支出", "t2", value_axis="円")
        empty = charts.bar_chart([], [], "空", "t3")
    assert caught == []
    for svg in (bars, spend_bars, empty):
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>") and "<?xml" not in svg
        assert "<script" not in svg
    assert "年別の撮影日数 &lt;b&gt;" in bars and "1,200,000" in spend_bars
    # Ids are prefixed per chart, so two charts on one page do not share any.
    ids = lambda svg: set(re.findall(r'\bid="([^"]+)"', svg))  # noqa: E731
    assert ids(bars) and not ids(bars) & ids(spend_bars)


def test_commission_list_and_block_page_show_figures(app, client, recorded):
    html = client.get("/commissions?lang=en").get_data(as_text=True)
    item = re.search(r'<li data-commission="sapporo-film-commission">(.*?)</li>', html, re.S).group(1)
    assert 'data-days-total="16"' in item and "Sapporo" in item
    block = client.get("/blocks/SKK?lang=en").get_data(as_text=True)
    figures = re.search(r'id="block-figures">(.*?)</ul>', block, re.S).group(1)
    year_days, year_spend, all_days, all_spend = (int(v) for v in re.findall(r'data-value="(\d+)"', figures))
    with app.app_context():
        block_id = db.session.scalar(select(Prefecture.block_id).where(Prefecture.code == "37"))
        this_year = reports.block_figures(block_id, today_jst().year)
    assert (all_days, all_spend) == (6 + 9 + 7 + 6, sum(SPEND.values()) * (7 + 15 + 6 + 7))
    assert (year_days, year_spend) == (this_year.shoot_days, this_year.total_spend)


# --- the FC form -------------------------------------------------------------------------------------------

def form(**changes) -> dict:
    data = {"version": "0", "production_title": f"{TITLE_PREFIX}<script>alert(1)</script>",
            "production_type": "tv_drama", "origin": "foreign", "origin_country": "Korea",
            "prefecture_id": "", "municipality_id": "", "first_day": "2012-05-01", "last_day": "2012-05-03",
            "shoot_days": "3", "crew_size": "25", "spend_lodging_jpy": "1,234,567", "spend_catering_jpy": "０",
            "spend_transport_jpy": "12000円", "spend_local_staff_jpy": "", "spend_location_fees_jpy": "5",
            "spend_other_jpy": "0", "notes": ""}
    data.update(changes)
    return data


def kagawa_ids(app):
    with app.app_context():
        fc = commission("kagawa-film-commission")
        return fc.prefecture_id, municipality("高松市", "37").id, municipality("札幌市中央区", "01")


def test_fc_records_edits_and_deletes_a_report(app, client, staff):
    pref_id, takamatsu_id, _ = kagawa_ids(app)
    login(client, staff)
    assert client.get("/commission/shoot-reports/new").status_code == 200
    response = client.post("/commission/shoot-reports/new", data=form(
        prefecture_id=str(pref_id), municipality_id=str(takamatsu_id)))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        report = db.session.scalar(select(ShootReport).where(ShootReport.production_title.like(f"{TITLE_PREFIX}<%")))
        assert report.spend_lodging_jpy == 1_234_567 and report.spend_transport_jpy == 12_000
        assert report.spend_catering_jpy == 0 and report.spend_local_staff_jpy == 0
        assert report.municipality_id == takamatsu_id and report.commission.slug == "kagawa-film-commission"
        report_id = report.id
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.entity_type == "shoot_report", AuditEvent.entity_id == report_id, AuditEvent.action == "create"))
    listing = client.get("/commission/shoot-reports").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing and "<script>alert(1)" not in listing
    edited = client.post(f"/commission/shoot-reports/{report_id}/edit", data=form(
        version="1", prefecture_id=str(pref_id), municipality_id=str(takamatsu_id), crew_size="30"))
    assert edited.status_code == 302
    stale = client.post(f"/commission/shoot-reports/{report_id}/edit", data=form(
        version="1", prefecture_id=str(pref_id), municipality_id=str(takamatsu_id), crew_size="99"))
    assert stale.status_code == 409
    assert '<td class="theirs">30</td><td class="mine">99</td>' in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ShootReport, report_id).crew_size == 30
    assert client.post(f"/commission/shoot-reports/{report_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(ShootReport, report_id) is None
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.entity_type == "shoot_report", AuditEvent.entity_id == report_id, AuditEvent.action == "delete"))


@pytest.mark.parametrize("changes, field", [
    ({"spend_lodging_jpy": "-5"}, "spend_lodging_jpy"),
    ({"spend_other_jpy": "1.5"}, "spend_other_jpy"),
    ({"shoot_days": "4"}, "shoot_days"),  # the span is three days
    ({"shoot_days": "0"}, "shoot_days"),
    ({"last_day": "2012-04-30"}, "last_day"),
    ({"first_day": "2012-13-01"}, "first_day"),
    ({"crew_size": "many"}, "crew_size"),
    ({"production_title": ""}, "production_title"),
    ({"production_type": "hologram"}, "production_type"),
    ({"prefecture_id": "abc"}, "prefecture_id"),
    ({"municipality_id": "SAPPORO"}, "municipality_id"),
    ({"municipality_id": "999999999"}, "municipality_id"),
])
def test_bad_input_re_renders_the_form(app, client, staff, changes, field):
    pref_id, takamatsu_id, sapporo = kagawa_ids(app)
    if changes.get("municipality_id") == "SAPPORO":
        changes = {"municipality_id": str(sapporo.id)}  # a municipality outside the chosen prefecture
    login(client, staff)
    data = form(prefecture_id=str(pref_id), municipality_id=str(takamatsu_id))
    data.update(changes)
    response = client.post("/commission/shoot-reports/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(rf'has-error">\s*<label for="{field}"', html), field
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ShootReport).where(
            ShootReport.production_title.like(f"{TITLE_PREFIX}<%"))) == 0


def test_other_commissions_reports_are_not_found(app, client, staff, recorded):
    login(client, staff)
    with app.app_context():
        sapporo_report = db.session.scalar(select(ShootReport.id).where(
            ShootReport.id.in_(recorded), ShootReport.commission_id == commission("sapporo-film-commission").id))
    assert client.get(f"/commission/shoot-reports/{sapporo_report}/edit").status_code == 404
    assert client.post(f"/commission/shoot-reports/{sapporo_report}/delete").status_code == 404
    assert client.get("/commission/shoot-reports/999999/edit").status_code == 404
    listing = client.get("/commission/shoot-reports").get_data(as_text=True)
    assert listing.count("data-report-id=") == 6  # Kagawa FC's six, not Sapporo's


def test_who_sees_what(app, client):
    assert client.get("/reports").status_code == 200
    assert client.get("/reports.csv").status_code == 200
    assert "/login" in client.get("/commission/shoot-reports").headers["Location"]
    with app.app_context():
        email = make_user("producer").email
        db.session.commit()
    login(client, email)
    assert client.get("/commission/shoot-reports").status_code == 403
