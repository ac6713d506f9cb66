"""Usable at work (issue 14, points 5, 6 and 8) in Chromium, in Japanese and English, on a desktop (1280×900) and
a phone (375×812):

- shortlists: a producer makes one, adds two locations with notes from their pages, shares a read-only link that
  works signed out, turns it off (then the link is refused) and opens the printable sheet; FC staff answer an
  inquiry with a shortlist and the producer reads it on the inquiry;
- contacts: the owning FC's staff enter a place's owner contact and share one field; a producer sees only that
  field; staff of another FC and signed-out readers see none;
- notifications: one save that makes several permit steps is one notification listing them, a daily reminder
  run is one notification listing its steps, and turning a kind's email off on the account page is kept.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from locations.accounts.models import User
from locations.cases.models import Production
from locations.cases.reminders import queue_reminders
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.library.models import Location
from tests.browser.forms import sign_in, submit
from tests.browser.measure import DESKTOP, PHONE, overflow_width
from tests.builders import commission, make_inquiry, make_production, make_shoot, make_step, make_user

OWNER_PHONE = "087-833-7411"
OWNER_NAME = "山田 花子"
OWNER_EMAIL = "owner-contact@example.jp"


@pytest.fixture
def people(live_server):
    """A producer with an inquiry to the Kagawa FC, another producer, Kagawa FC staff, Sapporo FC staff and two
    published Kagawa places."""
    with live_server.app.app_context():
        kagawa = commission("kagawa-film-commission")
        producer, other, staff = make_user("producer"), make_user("producer"), make_user("fc_staff")
        outsider = make_user("fc_staff", commission=commission("sapporo-film-commission"))
        places = db.session.scalars(select(Location.slug).where(
            Location.commission_id == kagawa.id, Location.status == "published", Location.hidden_stale.is_(False))
            .order_by(Location.id).limit(2)).all()
        inquiry = make_inquiry(kagawa, producer, subject="Harbour night shoot")
        production = make_production(producer, title="Harbour Lights digest")
        db.session.commit()
        made = {"producer": producer.email, "other": other.email, "staff": staff.email, "outsider": outsider.email,
                "staff_id": staff.id, "producer_id": producer.id, "places": places, "inquiry": inquiry.id,
                "production": production.id}
    return made


def signed_in_page(new_page, email: str | None, lang: str, viewport: dict = DESKTOP) -> Page:
    page = new_page("ja-JP" if lang == "ja" else "en-GB")
    page.set_viewport_size(viewport)
    if email:
        sign_in(page, email, lang)
        page.wait_for_load_state("networkidle")
    return page


def go(page: Page, path: str, lang: str):
    response = page.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}")
    page.wait_for_load_state("networkidle")
    return response


def add_to_shortlist(page: Page, slug: str, shortlist_id: int, note: str, lang: str) -> None:
    go(page, f"/locations/{slug}", lang)
    form = page.locator("#add-to-shortlist")
    form.locator("#shortlist").select_option(str(shortlist_id))
    form.locator("#shortlist-note").fill(note)
    submit(page, form.locator("button[type=submit]"))
    page.wait_for_load_state("networkidle")


def new_shortlist(page: Page, name: str, lang: str) -> int:
    go(page, "/shortlists", lang)
    form = page.locator("main form[action='/shortlists']")
    form.locator("#name").fill(name)
    submit(page, form.locator("button[type=submit]"))
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text(name)
    return int(re.search(r"/shortlists/(\d+)", page.url).group(1))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_producer_shares_a_shortlist_revokes_the_link_and_prints_it(new_page, browser_log, live_server, people,
                                                                        lang):
    first, second = people["places"]
    me = signed_in_page(new_page, people["producer"], lang)
    list_id = new_shortlist(me, f"Scouting {lang}", lang)
    add_to_shortlist(me, first, list_id, "Night scene by the water", lang)
    add_to_shortlist(me, second, list_id, "Wide shot at dawn", lang)
    go(me, f"/shortlists/{list_id}", lang)
    items = me.locator("#items li.card")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_have_attribute("data-location", first)
    expect(items.nth(0).locator("textarea")).to_have_value("Night scene by the water")
    expect(items.nth(1).locator("textarea")).to_have_value("Wide shot at dawn")

    submit(me, me.locator("#sharing button[type=submit]"))
    link = me.locator("#share-link").input_value()
    path = link.split(live_server.url, 1)[1]
    assert path.startswith("/s/")
    # Signed out, on a phone: the read-only sheet with both notes and no editing.
    team = signed_in_page(new_page, None, lang, PHONE)
    assert go(team, path, lang).status == 200
    sheet = team.locator("main")
    expect(sheet).to_contain_text("Night scene by the water")
    expect(sheet).to_contain_text("Wide shot at dawn")
    expect(sheet.locator("textarea, form")).to_have_count(0)
    expect(sheet.locator(".map-frame")).to_be_visible()
    assert overflow_width(team) == 0

    go(me, f"/shortlists/{list_id}", lang)
    submit(me, me.locator("#sharing button[name=revoke]"))
    expect(me.locator("#share-link")).to_have_count(0)
    assert go(team, path, lang).status == 404
    # That refusal is the point; the console's note of it is not a fault of the page.
    browser_log.console_errors[:] = [e for e in browser_log.console_errors if path not in e]

    # The printable sheet: the map, both places in order, and the print button.
    go(me, f"/shortlists/{list_id}", lang)
    submit(me, me.locator(f"main a[href='/shortlists/{list_id}/sheet']"))
    me.wait_for_load_state("networkidle")
    expect(me.locator("#print-sheet")).to_be_visible()
    expect(me.locator(".folium-map")).to_be_visible()
    places = me.locator("ol.shortlist-sheet > li")
    expect(places).to_have_count(2)
    expect(places.nth(0).locator(f"a[href$='/locations/{first}']")).to_have_count(1)
    expect(places.nth(1)).to_contain_text("Wide shot at dawn")
    browser_log.assert_clean()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_fc_staff_answer_an_inquiry_with_a_shortlist_and_the_producer_sees_it(new_page, browser_log, people, lang):
    staff = signed_in_page(new_page, people["staff"], lang)
    list_id = new_shortlist(staff, f"For the harbour inquiry {lang}", lang)
    add_to_shortlist(staff, people["places"][0], list_id, "Quiet after 22:00", lang)
    go(staff, f"/shortlists/{list_id}", lang)
    send = staff.locator("#send form")
    send.locator("#inquiry").select_option(str(people["inquiry"]))
    submit(staff, send.locator("button[type=submit]"))
    staff.wait_for_load_state("networkidle")
    assert f"/commission/inquiries/{people['inquiry']}" in staff.url
    expect(staff.locator("#messages .inquiry-reply").last).to_contain_text("Quiet after 22:00")

    producer = signed_in_page(new_page, people["producer"], lang, PHONE)
    go(producer, f"/inquiries/{people['inquiry']}", lang)
    reply = producer.locator("#messages .inquiry-reply").last
    expect(reply).to_contain_text("Quiet after 22:00")
    expect(reply).to_contain_text("/s/")
    assert overflow_width(producer) == 0
    browser_log.assert_clean()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_contact_field_shared_by_the_fc_is_all_a_producer_sees(new_page, browser_log, people, lang):
    slug = people["places"][1]
    staff = signed_in_page(new_page, people["staff"], lang)
    go(staff, f"/commission/locations/{slug}/contact", lang)
    form = staff.locator("main form")
    form.locator("#name").fill(OWNER_NAME)
    form.locator("#phone").fill(OWNER_PHONE)
    form.locator("#email").fill(OWNER_EMAIL)
    form.locator("#share_phone").check()
    submit(staff, form.locator("button[type=submit]"))
    expect(staff.locator("#share_phone")).to_be_checked()
    expect(staff.locator("#share_name")).not_to_be_checked()

    producer = signed_in_page(new_page, people["other"], lang, PHONE)
    go(producer, f"/locations/{slug}", lang)
    contact = producer.locator("#location-contact")
    expect(contact).to_contain_text(OWNER_PHONE)
    expect(contact.locator(f"a[href='tel:{OWNER_PHONE}']")).to_be_visible()
    expect(producer.locator("main")).not_to_contain_text(OWNER_NAME)
    expect(producer.locator("main")).not_to_contain_text(OWNER_EMAIL)
    assert overflow_width(producer) == 0
    for reader in (people["outsider"], None):
        page = signed_in_page(new_page, reader, lang)
        go(page, f"/locations/{slug}", lang)
        expect(page.locator("#location-contact")).to_have_count(0)
        expect(page.locator("main")).not_to_contain_text(OWNER_PHONE)
    browser_log.assert_clean()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_one_save_and_one_reminder_run_are_one_notification_each(new_page, browser_log, live_server, people, lang):
    producer = signed_in_page(new_page, people["producer"], lang)
    go(producer, f"/productions/{people['production']}/shoots/new", lang)
    form = producer.locator("main form")
    form.locator("#name").fill("Harbour chase")
    start = today_jst() + timedelta(days=70)
    form.locator("#start_date").fill(start.isoformat())
    form.locator("#end_date").fill(start.isoformat())
    form.locator("input[name=where][value=point]").check()
    form.locator("input[data-pick=lat]").fill("34.342800")
    form.locator("input[data-pick=lon]").fill("134.046500")
    form.locator("input[name=activities][value=road_filming]").check()
    form.locator("input[name=activities][value=drone]").check()
    submit(producer, form.locator("button[type=submit]").last)
    producer.wait_for_load_state("networkidle")

    staff = signed_in_page(new_page, people["staff"], lang, PHONE)
    go(staff, "/notifications", lang)
    notes = staff.locator("li.notification")
    expect(notes).to_have_count(1)
    expect(notes.first).to_have_attribute("data-kind", "steps_created")
    expect(notes.first).to_contain_text("Harbour chase")
    expect(notes.first).to_contain_text("2")
    assert overflow_width(staff) == 0

    # The daily run: the producer's steps due soon are one notification that lists them, one on the badge.
    with live_server.app.app_context():
        shoot = make_shoot(db.session.get(Production, people["production"]), name="Ferry scene",
                           start=today_jst() + timedelta(days=20))
        for days, code in ((1, "PARK_USE"), (2, "RIVER_USE"), (-1, "ROAD_OCCUPANCY")):
            make_step(shoot, code, None, today_jst() + timedelta(days=days))
        queue_reminders(today_jst(), 3)
        db.session.commit()
        # The planned shoot may have a step due within the days too (the planner sets its due dates).
        due = len([s for s in db.session.get(Production, people["production"]).steps
                   if s.status in ("not_started", "consulted") and s.due_date <= today_jst() + timedelta(days=3)])
    assert due >= 3
    go(producer, "/notifications", lang)
    expect(producer.locator("#nav-notifications .badge")).to_have_text("1")
    digest = producer.locator("li.notification[data-kind=step_reminders]")
    expect(digest).to_have_count(1)
    expect(digest.locator(".digest-items li")).to_have_count(due)
    expect(digest.locator(".digest-items a[href*='/steps/']")).to_have_count(due)
    expect(digest.locator(".digest-items")).to_contain_text("Ferry scene")
    browser_log.assert_clean()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_turning_an_email_kind_off_is_kept(new_page, browser_log, live_server, people, lang):
    staff = signed_in_page(new_page, people["staff"], lang, PHONE)
    go(staff, "/account", lang)
    reminders = staff.locator("input[name=email_group][value=reminders]")
    expect(reminders).to_be_checked()
    reminders.uncheck()
    submit(staff, staff.locator("form[action='/account/email'] button[type=submit]"))
    go(staff, "/account", lang)
    expect(staff.locator("input[name=email_group][value=reminders]")).not_to_be_checked()
    expect(staff.locator("input[name=email_group][value=new_steps]")).to_be_checked()
    with live_server.app.app_context():
        assert db.session.get(User, people["staff_id"]).muted_email_groups == {"reminders"}
    assert overflow_width(staff) == 0
    browser_log.assert_clean()
