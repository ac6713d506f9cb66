"""Public shoot-report figures never rest on fewer than three productions, and a withheld figure cannot
be worked out from the shown ones by subtraction: unit tests of the withholding rule, an exact audit of
random tables, and the pages and CSV that publish the figures."""
import csv
import io
import re
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from locations.core.extensions import db
from locations.core.maps import CHOROPLETH_WITHHELD
from locations.directory.models import FilmCommission, Prefecture, RegionalBlock
from locations.reports import disclosure
from locations.reports import figures as reports
from locations.reports.disclosure import FEW, PROTECTS, withheld
from locations.reports.models import ShootReport
from tests.builders import TITLE_PREFIX, commission, make_production, make_report, make_user

YEAR = 2009  # no other test records reports in this year
SECRET_SPEND = 987_654_321  # the one small production's spend: it must appear nowhere


def people(*names):
    return frozenset(names)


# --- the rule ---------------------------------------------------------------------------------------------

def test_cells_with_too_few_contributors_are_withheld():
    cells = {"a": people(1, 2, 3), "b": people(4, 5), "c": people(6)}
    assert withheld(cells, [], 3) == {"b": FEW, "c": FEW}


def test_one_withheld_child_gets_the_smallest_shown_sibling_withheld_with_it():
    cells = {"total": people(*range(12)), "a": people(0), "b": people(1, 2, 3, 4, 5), "c": people(6, 7, 8),
             "d": people(9, 10, 11)}
    assert withheld(cells, [("total", ["a", "b", "c", "d"])], 3) == {"a": FEW, "c": PROTECTS}


def test_withheld_children_together_need_enough_contributors():
    # a and b are withheld; shown, their sum (total minus the rest) would rest on two productions.
    cells = {"total": people(*range(9)), "a": people(0), "b": people(1), "c": people(2, 3, 4), "d": people(5, 6, 7, 8)}
    hidden = withheld(cells, [("total", ["a", "b", "c", "d"])], 3)
    assert hidden == {"a": FEW, "b": FEW, "c": PROTECTS}


def test_a_withheld_total_needs_a_withheld_part():
    # The block is withheld for another reason; shown, its prefectures would add up to it.
    cells = {"block": people(*range(6)), "p1": people(0, 1, 2), "p2": people(3, 4, 5), "other": people(0)}
    hidden = withheld(cells, [("block", ["p1", "p2"]), ("other", ["block"])], 3)
    assert hidden["other"] == FEW and hidden["block"] == PROTECTS and ("p1" in hidden or "p2" in hidden)


def test_nothing_more_is_withheld_when_no_rule_is_broken():
    cells = {"total": people(*range(9)), "a": people(0, 1, 2), "b": people(3, 4, 5), "c": people(6, 7, 8)}
    assert withheld(cells, [("total", ["a", "b", "c"])], 3) == {}


def test_a_cell_pinned_down_by_a_chain_of_sums_is_found():
    # Two withheld rectangles joined by one cell: every row and column has two or more withheld cells,
    # yet the joining cell x23 = (row 1 + row 2) − (column 1 + column 2), all known.
    sums, _cells = table_sums(4, 4)
    hidden = {(1, 1), (1, 2), (2, 1), (2, 2), (2, 3), (3, 3), (3, 4), (4, 3), (4, 4)}
    order = {cell: n for n, cell in enumerate(_cells)}
    assert disclosure._pinned_down(dict.fromkeys(hidden, FEW), [(p, tuple(c)) for p, c in sums], order) == (2, 3)
    assert not determined(hidden - {(2, 3)}, sums)


def test_withholding_adds_a_cell_where_the_small_cells_alone_form_such_a_chain():
    sums, cells = table_sums(4, 4)
    small = {(1, 1), (1, 2), (2, 1), (2, 2), (2, 3), (3, 3), (3, 4), (4, 3), (4, 4)}
    serial = iter(range(1000))
    who = {cell: frozenset(next(serial) for _ in range(2 if cell in small else 3)) for cell in cells}
    hidden = withheld(who, sums, 3)
    assert small <= set(hidden) and len(hidden) > len(small)
    assert not determined(set(hidden), sums)


def table_sums(rows: int, columns: int):
    """A rows × columns table with row totals (r, 0), column totals (0, c) and the grand total (0, 0)."""
    inner = [(r, c) for r in range(1, rows + 1) for c in range(1, columns + 1)]
    sums = [((r, 0), [(r, c) for c in range(1, columns + 1)]) for r in range(1, rows + 1)]
    sums += [((0, c), [(r, c) for r in range(1, rows + 1)]) for c in range(1, columns + 1)]
    sums += [((0, 0), [(r, 0) for r in range(1, rows + 1)]), ((0, 0), [(0, c) for c in range(1, columns + 1)])]
    cells = inner + [(r, 0) for r in range(1, rows + 1)] + [(0, c) for c in range(1, columns + 1)] + [(0, 0)]
    return sums, cells


def determined(hidden: set, sums) -> set:
    """The withheld cells the sums fix exactly, by exact (fraction) elimination: an independent check."""
    unknown = sorted(hidden)
    matrix = []
    for parent, children in sums:
        row = [Fraction(0)] * len(unknown)
        for cell, sign in ((parent, 1), *((c, -1) for c in children)):
            if cell in hidden:
                row[unknown.index(cell)] += sign
        if any(row):
            matrix.append(row)
    pivots, rank = [], 0
    for col in range(len(unknown)):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        lead = matrix[rank][col]
        matrix[rank] = [v / lead for v in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank])]
        pivots.append(col)
        rank += 1
    return {unknown[col] for row, col in zip(matrix, pivots) if sum(1 for v in row if v != 0) == 1}


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 5), st.integers(2, 4), st.data())
def test_random_tables_hide_small_cells_and_let_none_be_worked_out(rows, columns, data):
    sums, cells = table_sums(rows, columns)
    who = {cell: frozenset(data.draw(st.sets(st.integers(0, 9), min_size=1, max_size=4)))
           for cell in cells if 0 not in cell}
    for r in range(1, rows + 1):
        who[(r, 0)] = frozenset().union(*(who[(r, c)] for c in range(1, columns + 1)))
    for c in range(1, columns + 1):
        who[(0, c)] = frozenset().union(*(who[(r, c)] for r in range(1, rows + 1)))
    who[(0, 0)] = frozenset().union(*(who[(r, 0)] for r in range(1, rows + 1)))
    hidden = withheld({cell: who[cell] for cell in cells}, sums, 3)
    assert {cell for cell in cells if len(who[cell]) < 3} <= set(hidden)
    assert not determined(set(hidden), sums)
    for parent, children in sums:
        hidden_children = [c for c in children if c in hidden]
        if parent not in hidden and hidden_children:
            assert len(hidden_children) >= 2
            assert len(frozenset().union(*(who[c] for c in hidden_children))) >= 3


def test_titles_are_one_production_whatever_their_width_case_and_spacing():
    from locations.reports.cells import production_key

    assert production_key("  瀬戸内の夏 ＳＥＡＳＯＮ２ ") == production_key("瀬戸内の夏  season2") == "瀬戸内の夏 season2"


# --- the published figures ----------------------------------------------------------------------------------

@pytest.fixture
def small_and_large(app):
    """In YEAR: Kagawa FC 3 productions, Ehime FC 3, Tokushima Location Service 3, and Shodoshima FC a single
    production with a spend that must stay secret; all four are in the Shikoku block."""
    with app.app_context():
        for slug in ("kagawa-film-commission", "ehime-film-commission", "tokushima-location-service"):
            for n in range(3):
                make_report(commission(slug), date(YEAR, 4, 1 + n), shoot_days=2 + n, crew_size=10,
                            spend_lodging_jpy=100_000 * (n + 1))
        make_report(commission("shodoshima-film-commission"), date(YEAR, 5, 5), shoot_days=9, crew_size=30,
                    spend_lodging_jpy=SECRET_SPEND)
        db.session.commit()
    yield


def csv_rows(client, group: str, year=YEAR) -> list[dict]:
    response = client.get(f"/reports.csv?year={year}&group={group}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("group", ["commission", "prefecture", "block"])
def test_csv_withholds_small_groups_and_what_would_reveal_them(client, small_and_large, group):
    rows = csv_rows(client, group)
    assert str(SECRET_SPEND) not in str(rows)
    total, groups = rows[-1], rows[:-1]
    shown = [r for r in groups if not r["withheld"]]
    hidden = [r for r in groups if r["withheld"]]
    for row in hidden:
        assert row["withheld"] in ("fewer_than_3_productions", "protects_another_figure")
        assert all(row[c] == "" for c in ("reports", "shoot_days", "spend_lodging_jpy", "spend_total_jpy"))
    if group == "commission":
        assert {r["code"]: r["withheld"] for r in hidden}["shodoshima-film-commission"] == "fewer_than_3_productions"
    if total["withheld"] == "":
        # What the total minus the shown rows gives away covers two or more withheld rows.
        assert len(hidden) != 1
        remainder = int(total["spend_lodging_jpy"]) - sum(int(r["spend_lodging_jpy"]) for r in shown)
        assert remainder != SECRET_SPEND


def test_the_page_shows_dashes_reasons_and_the_rule(client, small_and_large):
    html = client.get(f"/reports?year={YEAR}&group=commission&measure=spend&lang=en").get_data(as_text=True)
    row = re.search(r'<tr data-key="shodoshima-film-commission" data-withheld="few">(.*?)</tr>', html, re.S).group(1)
    assert "withheld: fewer than 3 productions" in row and 'data-col="total">—<' in row
    assert f"{SECRET_SPEND:,}" not in html and str(SECRET_SPEND) not in html
    assert "at least 3 different productions" in html and 'id="privacy-rule"' in html
    japanese = client.get(f"/reports?year={YEAR}&lang=ja").get_data(as_text=True)
    assert "少なくとも3件の異なる作品" in japanese and "非公開" in japanese


def test_the_map_and_the_charts_withhold_the_same_prefectures(client, small_and_large):
    from tests.reports.test_reports import layer_options

    html = client.get(f"/reports?year={YEAR}&group=prefecture&measure=spend&lang=en").get_data(as_text=True)
    options = layer_options(html)
    table = {key: withheld for key, withheld in re.findall(r'<tr data-key="(\d\d)"( data-withheld="\w+")?>', html)}
    for code, value in options["values"].items():
        if code in table:
            assert (value is None) == bool(table[code]), code
        if value is None:
            assert options["fills"][code] == CHOROPLETH_WITHHELD and "withheld" in options["labels"][code]
    assert SECRET_SPEND not in options["values"].values()


def test_a_single_production_year_is_withheld_in_the_yearly_chart_and_totals(app, client):
    with app.app_context():
        make_report(commission("kagawa-film-commission"), date(YEAR - 1, 6, 1), shoot_days=4,
                    spend_lodging_jpy=SECRET_SPEND)
        db.session.commit()
    html = client.get(f"/reports?year={YEAR - 1}&lang=en").get_data(as_text=True)
    assert 'id="report-stats" data-withheld="few"' in html and str(SECRET_SPEND) not in html
    days_chart = re.search(r'<figure id="chart-days">(.*?)</figure>', html, re.S).group(1)
    assert "(withheld)" in days_chart
    assert html.count('<svg role="img"') == 1  # the spend chart of this year is withheld
    with app.app_context():
        yearly = dict(reports.by_year())
        assert yearly[YEAR - 1].hidden == FEW and yearly[YEAR - 1].shoot_days == 0


def test_the_public_lists_follow_the_same_rule(app, client, small_and_large, monkeypatch):
    monkeypatch.setattr("locations.reports.figures.today_jst", lambda: date(YEAR, 12, 1))
    html = client.get("/commissions?lang=en").get_data(as_text=True)
    item = re.search(r'<li data-commission="shodoshima-film-commission">(.*?)</li>', html, re.S).group(1)
    assert f"{YEAR}: withheld (privacy)" in item and "data-days-year" not in item
    assert str(SECRET_SPEND) not in html and f"{SECRET_SPEND:,}" not in html
    block = client.get("/blocks/SKK?lang=en").get_data(as_text=True)
    assert f"{SECRET_SPEND:,}" not in block
    with app.app_context():
        block_id = db.session.scalar(select(RegionalBlock.id).where(RegionalBlock.code == "SKK"))
        figures = reports.block_figures(block_id, YEAR)
        per_fc = reports.commission_figures(YEAR)
        assert figures.hidden is None and figures.reports == 10
        assert per_fc[commission("shodoshima-film-commission").id].hidden == FEW
        # The block is shown, so another FC of the block is withheld with Shodoshima's.
        shikoku = set(db.session.scalars(select(FilmCommission.id).join(Prefecture).where(
            Prefecture.block_id == block_id)))
        assert sum(1 for fc_id, f in per_fc.items() if fc_id in shikoku and f.hidden) >= 2


def test_one_year_withheld_means_a_second_figure_of_that_row_is_too(app):
    with app.app_context():
        fc = commission("ehime-film-commission")
        make_report(fc, date(YEAR, 3, 3), shoot_days=5)
        for n in range(3):
            make_report(fc, date(YEAR + 1, 3, 3 + n), shoot_days=1)
        db.session.commit()
        this, following, every = (reports.commission_figures(y)[fc.id] for y in (YEAR, YEAR + 1, None))
        assert this.hidden == FEW
        assert following.hidden or every.hidden  # otherwise all years − next year = this year


def test_reports_of_one_production_count_once(app):
    with app.app_context():
        fc = commission("ehime-film-commission")
        owner = make_user("producer")
        production = make_production(owner.id)
        for n, title in enumerate(("瀬戸内の夏", "ＳＥＴＯＵＣＨＩ", "setouchi ")):
            make_report(fc, date(YEAR, 7, 1 + n), production_title=f"{TITLE_PREFIX}{title}")
        make_report(fc, date(YEAR, 8, 1), production_title=f"{TITLE_PREFIX}Setouchi")
        make_report(fc, date(YEAR, 8, 2), production_title=f"{TITLE_PREFIX}another", production_id=production.id)
        make_report(fc, date(YEAR, 8, 3), production_title=f"{TITLE_PREFIX}瀬戸内の夏", production_id=production.id)
        db.session.commit()
        # 瀬戸内の夏 and "another" are one production (linked); the three SETOUCHI spellings another.
        assert reports.commission_figures(YEAR)[fc.id].hidden == FEW
        make_report(fc, date(YEAR, 9, 1), production_title=f"{TITLE_PREFIX}third")
        db.session.commit()
        assert reports.commission_figures(YEAR)[fc.id].hidden is None


def test_figures_are_recomputed_when_a_report_changes(app, small_and_large):
    with app.app_context():
        kagawa = commission("kagawa-film-commission").id
        assert reports.commission_figures(YEAR)[kagawa].hidden != FEW
        first, second = db.session.scalars(select(ShootReport).where(ShootReport.commission_id == kagawa)
                                           .order_by(ShootReport.id).limit(2))
        first.production_title = second.production_title  # now two productions, not three
        db.session.commit()
        assert reports.commission_figures(YEAR)[kagawa].hidden == FEW
        before = reports.summary(reports.Selection(year=YEAR, group="commission"))[1].reports
        make_report(commission("kagawa-film-commission"), date(YEAR, 11, 11))
        db.session.commit()
        assert reports.summary(reports.Selection(year=YEAR, group="commission"))[1].reports == before + 1
        assert reports.commission_figures(YEAR)[kagawa].hidden != FEW
