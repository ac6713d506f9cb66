"""The permit journey in English, in Chromium: a producer creates a production and a Takamatsu shoot with
a drone and a road closure, sees the permit steps and their deadlines, downloads the calendar feed and
files the road-use application; the officer of the addressed authority approves it with a condition in
the authority portal; the producer then sees the decision, the condition and the notification.

English pages, so the checks do not depend on the Japanese catalogue, which is completed later. Forms
are the real ones with their CSRF tokens (the live server keeps CSRF protection on).
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from locations.cases.models import PermitStep, Production
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.permits.models import PermitAuthority, PermitType
from tests.browser.forms import sign_in
from tests.builders import make_user

TITLE = "Journey Harbour"
CONDITION = "Two traffic guards at each end of the closure, 6:00-8:00 only."
CASE_PATH = re.compile(r"/productions/(\d+)(#[\w-]*)?$")


@pytest.fixture
def producer_email(live_server):
    with live_server.app.app_context():
        email = make_user("producer").email
        db.session.commit()
    return email


def officer_for_road_use(live_server, production_id: int) -> tuple[str, str]:
    """An officer bound to the authority the road-use step is addressed to; their email and its name."""
    with live_server.app.app_context():
        step = db.session.scalar(select(PermitStep).join(PermitType).where(
            PermitStep.production_id == production_id, PermitType.code == "ROAD_USE"))
        assert step is not None and step.authority_id is not None
        authority = db.session.get(PermitAuthority, step.authority_id)
        officer = make_user("authority", authority=authority)
        db.session.commit()
        return officer.email, authority.name_en or authority.name_ja


def test_producer_plans_files_and_sees_an_approval_with_conditions(new_page, live_server, browser_log,
                                                                   producer_email):
    page = new_page()
    sign_in(page, producer_email, "en")

    # A production with the Kagawa film commission.
    page.goto("/productions/new")
    form = page.locator("main form")
    form.locator("#title").fill(TITLE)
    form.locator("#company").fill("Example Pictures")
    form.locator("#contact_name").fill("Ada Example")
    form.locator("#contact_email").fill("ada@example.com")
    form.locator("#commissions").select_option(label="Kagawa Film Commission")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text(TITLE)
    production_id = int(CASE_PATH.search(page.url).group(1))

    # A two-day shoot in Takamatsu, said by its address, with a drone and a road closure.
    page.locator("main a", has_text="Add a shoot").click()
    form = page.locator("main form")
    start = today_jst() + timedelta(days=60)
    form.locator("#name").fill("Harbour chase")
    form.locator("#start_date").fill(start.isoformat())
    form.locator("#end_date").fill((start + timedelta(days=1)).isoformat())
    form.locator("input[name=where][value=address]").check()
    form.locator("#address").fill("香川県高松市")
    form.locator("#crew_size").fill("30")
    form.locator("input[name=activities][value=drone]").check()
    form.locator("input[name=activities][value=road_closure]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_url(CASE_PATH)

    # The case page lists the steps with their deadlines, all before the first shooting day.
    steps_table = page.locator("main table.permits")
    expect(steps_table.locator("tbody tr")).not_to_have_count(0)
    expect(steps_table).to_contain_text("Road use")
    expect(steps_table).to_contain_text("Drone")
    expect(steps_table).to_contain_text("Osaka Regional Civil Aviation Bureau")
    deadlines = [date.fromisoformat(d) for d in re.findall(r"\d{4}-\d\d-\d\d", steps_table.inner_text())]
    assert deadlines and all(day < start for day in deadlines)
    step_rows = steps_table.locator("tbody tr").count()

    # The calendar feed: the shoot over both days and one deadline per open step.
    page.goto(f"/productions/{production_id}/timeline")
    feed = page.locator("#calendar a", has_text="Download (.ics)")
    response = page.request.get(feed.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.body())
    assert str(calendar["X-WR-CALNAME"]) == TITLE
    events = calendar.walk("VEVENT")
    shoots = [e for e in events if str(e["UID"]).startswith("shoot-")]
    filings = [e for e in events if str(e["UID"]).startswith("step-")]
    assert len(shoots) == 1 and len(filings) == step_rows
    assert shoots[0].decoded("DTSTART") == start and shoots[0].decoded("DTEND") == start + timedelta(days=2)
    assert all(str(e["SUMMARY"]).startswith("File: ") for e in filings)

    # The producer files the road-use application.
    page.goto(f"/productions/{production_id}")
    page.locator("main table.permits a", has_text="Road use").first.click()
    status = page.locator("main form", has=page.locator("select[name=status-status]"))
    status.locator("select[name=status-status]").select_option("submitted")
    with page.expect_navigation():
        status.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Submitted")

    # The officer of the addressed authority approves it with a condition.
    officer_email, authority_name = officer_for_road_use(live_server, production_id)
    officer = new_page()
    sign_in(officer, officer_email, "en")
    officer.goto("/authority/")
    expect(officer.locator("main .lead")).to_have_text(authority_name)
    row = officer.locator("main table tbody tr", has_text=TITLE)
    expect(row).to_have_count(1)
    row.locator("a").first.click()
    decision = officer.locator("main form", has=officer.locator("select[name=status-status]"))
    decision.locator("select[name=status-status]").select_option("approved_with_conditions")
    decision.locator("textarea[name=status-conditions]").fill(CONDITION)
    with officer.expect_navigation():
        decision.locator("button[type=submit]").click()
    expect(officer.locator("main")).to_contain_text(CONDITION)

    # The producer signs in again: the case shows the decision, the step its condition, and a notification.
    page = new_page()
    sign_in(page, producer_email, "en")
    page.goto(f"/productions/{production_id}")
    road_row = page.locator("main table.permits tbody tr", has_text="Road use")
    expect(road_row.first).to_contain_text("Approved with conditions")
    road_row.first.locator("a").first.click()
    expect(page.locator("main")).to_contain_text(CONDITION)
    page.goto("/notifications")
    notice = page.locator("main li.notification", has_text="approved with conditions")
    expect(notice.first).to_contain_text(TITLE)
    with page.expect_navigation():
        notice.first.locator("button[type=submit]").click()
    assert re.search(rf"/productions/{production_id}(/steps/\d+)?$", page.url)

    with live_server.app.app_context():
        production = db.session.get(Production, production_id)
        assert any(s.status == "approved_with_conditions" and s.conditions == CONDITION for s in production.steps)
    browser_log.assert_clean()
