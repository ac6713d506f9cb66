"""Referral within the Shikoku block, in Chromium and in Japanese: Kagawa FC staff sign in with ?lang=ja,
open an inquiry addressed to them and refer it with a note to the Tokushima FC; Tokushima's staff sign in,
find the inquiry (and their notification) and reply to the producer.

The forms are the real ones with their CSRF tokens. Elements are found by ids, classes and form actions;
the text checked is data (Japanese names, the note, the reply), since the catalogue is translated last.
Like the other browser tests, the test ends with ``browser_log.assert_clean()``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from locations.accounts.models import Notification
from locations.core.extensions import db
from locations.directory.models import FilmCommission
from tests.browser.forms import sign_in, submit
from tests.builders import make_inquiry, make_user

KAGAWA_FC = "kagawa-film-commission"
TOKUSHIMA_FC = "tokushima-location-service"  # 徳島ロケーションサービス, Shikoku block like Kagawa
SUBJECT = "鳴門海峡での船上撮影の相談"
NOTE = "撮影地が鳴門なので徳島にお願いします"
REPLY = "徳島ロケーションサービスです。鳴門の漁協をご紹介できます"


@dataclass(frozen=True)
class Cast:
    kagawa_email: str
    tokushima_email: str
    tokushima_user_id: int
    producer_id: int
    inquiry_id: int
    kagawa_name: str
    tokushima_name: str


@pytest.fixture
def cast(live_server):
    """Staff of both FCs, a producer, and the producer's inquiry held by Kagawa."""
    app = live_server.app
    with app.app_context():
        kagawa = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == KAGAWA_FC))
        tokushima = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == TOKUSHIMA_FC))
        assert kagawa.prefecture.block_id == tokushima.prefecture.block_id
        users = [make_user("fc_staff", commission=kagawa), make_user("fc_staff", commission=tokushima),
                 make_user("producer")]
        inquiry = make_inquiry(kagawa, users[2], subject=SUBJECT, where_text="鳴門市")
        db.session.commit()
        cast = Cast(users[0].email, users[1].email, users[1].id, users[2].id, inquiry.id, kagawa.name_ja,
                    tokushima.name_ja)
        db.session.remove()
    yield cast


def open_inquiry_from_the_list(page: Page, inquiry_id: int) -> None:
    page.locator("nav.subnav a[href='/commission/inquiries']").click()
    page.wait_for_url(re.compile(r"/commission/inquiries$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.locator(f"#inquiries a[href='/commission/inquiries/{inquiry_id}']").click()
    page.wait_for_url(re.compile(rf"/commission/inquiries/{inquiry_id}$"))
    expect(page.locator("#inquiry-subject")).to_have_text(SUBJECT)


def test_kagawa_refers_an_inquiry_to_tokushima_who_replies(new_page, browser_log, live_server, cast):
    # Kagawa's staff member opens the inquiry and refers it to a neighbour in the Shikoku block.
    page = new_page()
    sign_in(page, cast.kagawa_email)
    page.wait_for_url(re.compile(r"/commission/$"))
    expect(page.locator("main h1")).to_have_text(cast.kagawa_name)
    open_inquiry_from_the_list(page, cast.inquiry_id)
    refer = page.locator("#refer-form")
    # Same block first, labelled with the block's Japanese name; Tokushima is in that group.
    first_group = refer.locator("#to_commission optgroup").first
    expect(first_group).to_have_attribute("label", re.compile("四国ブロック"))
    expect(first_group.locator(f"option[value='{TOKUSHIMA_FC}']")).to_have_count(1)
    expect(first_group.locator(f"option[value='{TOKUSHIMA_FC}']")).to_contain_text(cast.tokushima_name)
    refer.locator("#to_commission").select_option(TOKUSHIMA_FC)
    refer.locator("input[name=mode][value=refer]").check()
    # Without a note a referral is refused, and the form says why next to the field.
    assert submit(page, refer.locator("button[type=submit]")).status == 400
    # Chromium reports any 4xx document in the console; this 400 is the expected answer.
    refused = [e for e in browser_log.console_errors if "status of 400" in e and "/referrals" in e]
    assert len(refused) <= 1, refused
    for error in refused:
        browser_log.console_errors.remove(error)
    expect(page.locator("#refer-form .field-error")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    refer = page.locator("#refer-form")
    refer.locator("#to_commission").select_option(TOKUSHIMA_FC)
    refer.locator("input[name=mode][value=refer]").check()
    refer.locator("#note").fill(NOTE)
    assert submit(page, refer.locator("button[type=submit]")).status == 200
    # Kagawa now reads it only, with the referral in the history.
    expect(page.locator("#read-only")).to_be_visible()
    expect(page.locator("#refer-form")).to_have_count(0)
    history = page.locator(f"#referrals li.referral[data-mode=refer][data-to='{TOKUSHIMA_FC}']")
    expect(history).to_contain_text(f"{cast.kagawa_name} → {cast.tokushima_name}")
    expect(history.locator(".referral-note")).to_have_text(NOTE)
    expect(page.locator(".inquiry-holder")).to_have_text(cast.tokushima_name)

    with live_server.app.app_context():
        [note] = db.session.scalars(select(Notification).where(
            Notification.user_id == cast.tokushima_user_id, Notification.kind == "inquiry_referred")).all()
        assert json.loads(note.params)["note"] == NOTE and json.loads(note.params)["from_fc_ja"] == cast.kagawa_name
        assert note.link == f"/commission/inquiries/{cast.inquiry_id}"
        db.session.remove()

    # Tokushima's staff member, in another browser, finds it in their list and replies.
    other = new_page()
    sign_in(other, cast.tokushima_email)
    other.wait_for_url(re.compile(r"/commission/$"))
    expect(other.locator("main h1")).to_have_text(cast.tokushima_name)
    open_inquiry_from_the_list(other, cast.inquiry_id)
    expect(other.locator("#read-only")).to_have_count(0)
    expect(other.locator("#referrals li.referral .referral-note")).to_have_text(NOTE)
    message = other.locator("#message-form")
    message.locator("#body").fill(REPLY)
    assert submit(other, message.locator("#send-reply")).status == 200
    expect(other.locator("#messages .inquiry-reply .message-body")).to_have_text(REPLY)
    expect(other.locator("#messages .inquiry-reply")).to_contain_text(cast.tokushima_name)

    with live_server.app.app_context():
        replies = db.session.scalars(select(Notification).where(
            Notification.user_id == cast.producer_id, Notification.kind == "inquiry_reply")).all()
        assert [json.loads(n.params)["fc_ja"] for n in replies] == [cast.tokushima_name]
        db.session.remove()
    browser_log.assert_clean()
