"""Journeys in Chinese and Korean, in Chromium.

A reader from Taiwan arrives with the browser asking for zh-TW and gets Traditional Chinese, switches to
Simplified Chinese, filters the library by a category, opens a place (its Japanese name marked as such) and
plans the permits for a drone shoot. A Korean FC staff member signs in, reads a permit's triggers in Korean
and is told in Korean what is wrong with an import file.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from locations.core.clock import today_jst
from locations.core.extensions import db
from tests.browser.forms import sign_in
from tests.builders import make_user


def test_a_chinese_reader_finds_a_place_and_plans_its_permits(new_page, browser_log):
    page = new_page(locale="zh-TW")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    nav = page.locator("nav.site-nav")
    expect(nav).to_contain_text("取景地")
    expect(nav).to_contain_text("許可規劃")

    # The switch names each language in itself; the choice sticks on the next pages.
    page.locator("nav.lang-switch a", has_text="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.locator("nav.site-nav a", has_text="取景地").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("main h1")).to_have_text("查找取景地")

    # Categories come from the catalogue (the seed has them in Japanese and English only).
    page.locator("select[name=category]").select_option(label="公园")
    with page.expect_navigation():
        page.locator("main form.filters button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text(re.compile(r"\d+ 个取景地"))
    first = page.locator("ol.results li.result a").first
    # A place without an English name shows its Japanese name, marked as Japanese.
    expect(first.locator("[lang=ja]")).to_have_count(1)
    with page.expect_navigation():
        first.click()
    expect(page.locator("main h1 [lang=ja]")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("规划在此拍摄所需的许可")

    # The planner, for a drone shoot in Takamatsu in two months.
    start = today_jst() + timedelta(days=60)
    page.goto("/plan")
    form = page.locator("main form.filters")
    form.locator("#near").fill("高松市")
    form.locator("#start").fill(start.isoformat())
    form.locator("#end").fill((start + timedelta(days=1)).isoformat())
    form.locator("label", has_text="无人机拍摄").locator("input").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("main h2", has_text=re.compile(r"\d+ 项需要或待确认的许可或申报"))).to_be_visible()
    expect(page.locator("main table.permits")).to_contain_text("无人机飞行许可/批准（国土交通省）")
    expect(page.locator("main table.permits thead")).to_contain_text("最晚安全提交日期")
    # Why each permit applies, and the questions that decide the rest, read in Chinese too.
    drone = page.locator("main table.permits tr[data-permit=DRONE_FLIGHT]")
    expect(drone).to_contain_text("无人机拍摄 → 无人机飞行许可/批准（国土交通省）")
    expect(drone).to_contain_text("人口密集地区")
    expect(drone).not_to_contain_text("inside the DID")
    expect(page.locator("#questions legend").first).not_to_contain_text(re.compile(r"^(Will|Is) "))
    expect(page.locator("#questions")).to_contain_text("无人机是否会")
    browser_log.assert_clean()


@pytest.fixture
def staff_email(live_server):
    with live_server.app.app_context():
        email = make_user("fc_staff").email
        db.session.commit()
    return email


def test_korean_staff_read_permits_and_import_problems_in_korean(new_page, browser_log, staff_email, tmp_path):
    page = new_page(locale="ko-KR")
    sign_in(page, staff_email, lang=None)  # no ?lang: the browser's Accept-Language picks Korean
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("#nav-notifications")).to_contain_text("알림")
    expect(page.locator("nav.user-menu")).to_contain_text("로그아웃")

    # A permit's triggers, seeded in English only, read in Korean.
    page.goto("/permit-types/ROAD_USE")
    expect(page.locator("main h1")).to_contain_text("도로 사용 허가(경찰)")
    expect(page.locator("main dl.facts")).to_contain_text("공공 도로·보도에서 촬영")

    # An import file with problems: the reasons are in Korean, and nothing is written.
    bad = tmp_path / "bad.csv"
    # The app's own columns, so the file is read as an export, with two bad values on one row.
    bad.write_text("slug,name_ja,category,source,lat,lon\n,テスト,no_such_category,test,91,134\n", encoding="utf-8")
    page.goto("/commission/import")
    page.locator("input[type=file]").set_input_files(str(bad))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    problems = page.locator("main table.data:not(.preview)")
    expect(page.locator("main .alert")).to_contain_text("아무것도 기록하지 않았습니다")
    expect(problems).to_contain_text("알 수 없는 분류 코드 'no_such_category'")
    # The refused file answers 400, which the console reports; that one is expected.
    refused = [e for e in browser_log.console_errors if "status of 400" in e and "/commission/import" in e]
    assert len(refused) == 1
    browser_log.console_errors.remove(refused[0])
    browser_log.assert_clean()
