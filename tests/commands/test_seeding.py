import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from locations.core.config import DEFAULT_SEEDS_DIR as DEFAULT_SEEDS
from locations.core.extensions import db
from locations.core.seeding import JAPAN_BOUNDS, Loader, slugify
from locations.directory.models import FilmCommission, Municipality, Prefecture, RegionalBlock
from locations.directory.seed import parse_website
from locations.permits.models import Activity, ActivityPermit, GuidelineStep, PermitAuthority, PermitType
from locations.permits.seed import load_authorities
from tests.permits.test_rulebook import count_statements
from locations.seeding import seed_all

ALL_MODELS = (RegionalBlock, Prefecture, Municipality, FilmCommission, PermitType, Activity,
              ActivityPermit, PermitAuthority, GuidelineStep)


def counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in ALL_MODELS}


def test_seeded_counts(app_context):
    c = counts()
    assert c["Prefecture"] == 47
    assert c["Municipality"] >= 1900
    assert c["RegionalBlock"] == 10
    assert c["FilmCommission"] >= 70
    assert c["PermitType"] >= 20
    assert c["Activity"] >= 19


def test_every_prefecture_is_in_exactly_one_block_and_has_a_boundary(app_context):
    prefectures = db.session.scalars(select(Prefecture)).all()
    assert all(p.block is not None for p in prefectures)
    members = [p.code for b in db.session.scalars(select(RegionalBlock)) for p in b.prefectures]
    assert sorted(members) == sorted(p.code for p in prefectures)
    assert all(p.boundary and '"coordinates"' in p.boundary for p in prefectures)


def test_commissions_have_coordinates_in_japan_and_a_source(app_context):
    lat_min, lat_max, lon_min, lon_max = JAPAN_BOUNDS
    for fc in db.session.scalars(select(FilmCommission)):
        assert lat_min <= fc.lat <= lat_max and lon_min <= fc.lon <= lon_max, fc.slug
        assert fc.source
        # Placed at a municipality office unless a better point is known, and flagged so.
        assert fc.coords_approximate and fc.municipality is not None
        assert fc.municipality.prefecture_id == fc.prefecture_id


def test_permit_types_have_legal_basis_source_and_an_activity(app_context):
    for ptype in db.session.scalars(select(PermitType)):
        assert ptype.legal_basis and ptype.source, ptype.code
        assert ptype.activity_links, f"{ptype.code} is triggered by no activity"
    estimates = db.session.scalars(select(PermitType.code).where(PermitType.is_estimate)).all()
    assert "NATIONAL_FOREST" in estimates and "ROAD_USE" not in estimates


def test_guideline_covers_eight_phases_by_three_actors(app_context):
    cells = db.session.execute(select(GuidelineStep.phase_order, GuidelineStep.actor)).all()
    assert sorted(cells) == sorted((p, a) for p in range(1, 9) for a in ("producer", "fc", "authority"))


def test_required_authorities_exist(app_context):
    codes = set(db.session.scalars(select(PermitAuthority.code)))
    assert {f"police-hq-{n:02d}" for n in range(1, 48)} <= codes
    assert {"cab-tokyo", "cab-osaka"} <= codes
    assert sum(code.startswith("takamatsu-fire-") for code in codes) == 13
    aviation = db.session.scalars(select(PermitAuthority).where(PermitAuthority.code.like("cab-%"))).all()
    covered = [p.code for a in aviation for p in a.prefectures]
    assert sorted(covered) == [f"{n:02d}" for n in range(1, 48)]


def test_seeding_twice_changes_nothing(app_context):
    before = counts()
    report = seed_all(DEFAULT_SEEDS)
    db.session.commit()
    assert not report.changed
    assert counts() == before


def test_reseeding_reads_the_authorities_relationships_in_bulk(app, app_context):
    # One lazy load of prefectures and served municipalities per authority was 7,670 statements (6 of the
    # command's 13 s); loaded alongside, the authorities take a handful whatever their number.
    statements = count_statements(app, lambda: load_authorities(Loader(DEFAULT_SEEDS)))
    assert len(statements) < 50, len(statements)


def test_seed_command_says_nothing_changed(runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "Nothing changed" in result.output


def test_changed_seed_row_is_updated_in_place(runner, tmp_path, app):
    seeds = copy_seeds(tmp_path)
    edit(seeds / "blocks.csv", "Okinawa block", "Okinawa regional block")
    result = runner.invoke(args=["seed", "--seeds", str(seeds)])
    assert result.exit_code == 0, result.output
    assert "regional_block: 0 created, 1 updated, 9 unchanged" in result.output
    with app.app_context():
        assert db.session.scalar(select(RegionalBlock.name_en).where(RegionalBlock.code == "OKN")) == "Okinawa regional block"
    assert runner.invoke(args=["seed"]).exit_code == 0  # back to the real seeds
    with app.app_context():
        assert db.session.scalar(select(RegionalBlock.name_en).where(RegionalBlock.code == "OKN")) == "Okinawa block"


BAD_ROWS = [
    ("film_commissions.csv", "札幌フィルムコミッション,Sapporo Film Commission,01,",
     "札幌フィルムコミッション,Sapporo Film Commission,99,", "film_commissions.csv, line 2: unknown prefecture code '99'"),
    ("film_commissions.csv", ",01,小樽市,", ",01,存在しない市,", "film_commissions.csv, line 4: no municipality"),
    ("prefectures.csv", "13,東京都,Tokyo,KNT,35.689521", "13,東京都,Tokyo,KNT,north",
     "prefectures.csv, line 14: coordinates are not numbers"),
    ("prefectures.csv", "47,沖縄県,Okinawa,OKN,26.2124", "47,沖縄県,Okinawa,OKN,86.2124",
     "prefectures.csv, line 48: coordinates 86.2124"),
    ("activity_permits.csv", "road_filming,ROAD_USE", "road_filming,ROAD_USAGE",
     "activity_permits.csv, line 2: unknown activity or permit code 'ROAD_USAGE'"),
    ("permit_types.csv", "ROAD_USE,道路使用許可,Road use permit (police),police_station",
     "ROAD_USE,道路使用許可,Road use permit (police),policia", "permit_types.csv, line 2: unknown authority kind 'policia'"),
    ("blocks.csv", "OKN,沖縄ブロック,Okinawa block (estimate),47", "OKN,沖縄ブロック,Okinawa block (estimate),46",
     "blocks.csv, line 11: prefecture 46 is already in block KYS"),
    ("guideline_steps.csv", "1,planning,producer", "1,planing,producer", "guideline_steps.csv, line 2: phase 'planing'"),
]


@pytest.mark.parametrize("filename, old, new, message", BAD_ROWS, ids=[r[3].split(":")[0] for r in BAD_ROWS])
def test_bad_seed_row_stops_with_file_line_and_reason_and_writes_nothing(
    runner, app, tmp_path, filename, old, new, message
):
    seeds = copy_seeds(tmp_path)
    # A harmless change in an earlier file proves that nothing before the bad row is kept either.
    edit(seeds / "blocks.csv", "Hokkaido block", "Hokkaido block (changed)") if filename != "blocks.csv" else None
    edit(seeds / filename, old, new)
    with app.app_context():
        before = counts()
    result = runner.invoke(args=["seed", "--seeds", str(seeds)])
    assert result.exit_code != 0
    assert message in result.output
    assert "nothing was written" in result.output
    with app.app_context():
        assert counts() == before
        assert db.session.scalar(select(RegionalBlock.name_en).where(RegionalBlock.code == "HKD")) == "Hokkaido block"


def test_short_row_is_reported(runner, tmp_path):
    seeds = copy_seeds(tmp_path)
    with open(seeds / "authority_kinds.csv", "a", encoding="utf-8") as handle:
        handle.write("only_code\n")
    result = runner.invoke(args=["seed", "--seeds", str(seeds)])
    assert result.exit_code != 0
    assert "authority_kinds.csv, line 26: wrong number of columns" in result.output


def test_slugs_and_websites():
    assert slugify("Hokkaido Location Service (Hokkaido Government)") == "hokkaido-location-service"
    assert slugify("Fuji-no-Kuni Yamanashi Film Commission") == "fuji-no-kuni-yamanashi-film-commission"
    assert parse_website("(website unverified)", "x") == (None, True)
    assert parse_website("https://locanavi.jp/ (likely)", "x") == ("https://locanavi.jp/", True)
    assert parse_website("https://www.otaru-fc.jp/", "https://www.otaru-fc.jp/2019/") == ("https://www.otaru-fc.jp/", False)
    assert parse_website("http://www.hakodate-fc.com/", "listing; (website unverified)") == ("http://www.hakodate-fc.com/", True)


def copy_seeds(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(DEFAULT_SEEDS, target)
    for f in target.iterdir():
        f.chmod(0o644)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
