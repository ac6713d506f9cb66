"""The block know-how board: who sees which notes, search and tag filters, posting, editing one's own
notes only, and the edit conflict page."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from locations.accounts.models import User
from locations.collaboration.board import BoardFilter, board_notes, tag_choices
from locations.collaboration.models import KnowhowNote
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.directory.models import Prefecture
from locations.permits.models import PermitType
from tests.builders import EHIME, KAGAWA, SAPPORO, block, commission, make_note, make_user, signed_in


@pytest.fixture
def board(app):
    """Staff of Kagawa and Ehime (Shikoku block) and Sapporo (Hokkaido block), an admin, and notes:
    one by Kagawa, one by Ehime, a Hokkaido note kept in its block and a Hokkaido note shared with all."""
    with app.app_context():
        kagawa = make_user("fc_staff", commission=commission(KAGAWA))
        ehime = make_user("fc_staff", commission=commission(EHIME))
        sapporo = make_user("fc_staff", commission=commission(SAPPORO))
        admin = make_user("admin")
        road = db.session.scalar(select(PermitType).where(PermitType.code == "ROAD_USE"))
        kagawa_pref = db.session.scalar(select(Prefecture).where(Prefecture.code == "37"))
        notes = {
            "kagawa": make_note(kagawa, title="高松港の夜間撮影", body="港湾管理者への届出は10日前。Drone OK at dawn.",
                                permit_types=[road], prefectures=[kagawa_pref]),
            "ehime": make_note(ehime, title="道後温泉周辺", body="商店街の合意を先に取る"),
            "hokkaido": make_note(sapporo, title="雪まつり期間", body="大通公園は使えない"),
            "shared": make_note(sapporo, title="ドローン飛行の全国共通メモ", body="DID地区は国交省の許可", shared=True),
        }
        made = {"kagawa": kagawa.email, "ehime": ehime.email, "sapporo": sapporo.email, "admin": admin.email,
                "notes": {key: note.id for key, note in notes.items()}}
        db.session.commit()
    yield made


def shown(html: str, board: dict) -> set[str]:
    return {key for key, note_id in board["notes"].items() if f'data-note="{note_id}"' in html}


def test_each_block_sees_its_notes_and_the_shared_ones(app, board):
    kagawa = signed_in(app, board["kagawa"])
    html = kagawa.get("/commission/board").get_data(as_text=True)
    assert shown(html, board) == {"kagawa", "ehime", "shared"}
    assert "shared-badge" in html
    sapporo = signed_in(app, board["sapporo"])
    assert shown(sapporo.get("/commission/board").get_data(as_text=True), board) == {"hokkaido", "shared"}
    # A note of another block that is not shared is not found; a shared one is.
    assert kagawa.get(f"/commission/board/{board['notes']['hokkaido']}").status_code == 404
    assert kagawa.get(f"/commission/board/{board['notes']['shared']}").status_code == 200
    assert sapporo.get(f"/commission/board/{board['notes']['kagawa']}").status_code == 404
    # FC staff cannot switch to another block's board.
    assert shown(kagawa.get("/commission/board?block=HKD").get_data(as_text=True), board) == {
        "kagawa", "ehime", "shared"}


def test_admins_read_any_block(app, board):
    admin = signed_in(app, board["admin"])
    assert shown(admin.get("/commission/board?block=SKK").get_data(as_text=True), board) == {
        "kagawa", "ehime", "shared"}
    assert shown(admin.get("/commission/board?block=HKD").get_data(as_text=True), board) == {"hokkaido", "shared"}
    assert admin.get("/commission/board?block=NOPE").status_code == 404
    assert admin.get(f"/commission/board/{board['notes']['hokkaido']}").status_code == 200
    assert admin.post("/commission/board/new", data={"title": "x", "body": "y", "version": "0"}).status_code == 403


@pytest.mark.parametrize("role, status", [("producer", 403), ("authority", 403)])
def test_other_roles_are_refused(app, board, role, status):
    with app.app_context():
        email = make_user(role).email
        db.session.commit()
    assert signed_in(app, email).get("/commission/board").status_code == status
    anonymous = app.test_client().get("/commission/board")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


@pytest.mark.parametrize("query, expected", [
    ("q=高松港", {"kagawa"}),
    ("q=drone", {"kagawa"}),  # case-insensitive: the note says "Drone"
    ("q=DRONE+dawn", {"kagawa"}),  # every word must appear
    ("q=drone+snow", set()),
    ("q=ドローン", {"shared"}),
    ("q=100%25", set()),  # LIKE wildcards are taken literally
    ("q=_", set()),
    ("permit_type=ROAD_USE", {"kagawa"}),
    ("prefecture=37", {"kagawa"}),
    ("prefecture=38", set()),
    ("q=合意&prefecture=", {"ehime"}),
])
def test_search_and_tag_filters(app, board, query, expected):
    html = signed_in(app, board["kagawa"]).get(f"/commission/board?{query}").get_data(as_text=True)
    assert shown(html, board) == expected


def test_board_query_directly(app_context, board):
    shikoku = block("SKK")
    notes = board_notes(shikoku, BoardFilter(text="温泉"))
    assert [n.id for n in notes] == [board["notes"]["ehime"]]
    _permit_types, prefectures = tag_choices(shikoku)
    assert [p.code for p in prefectures[:4]] == ["36", "37", "38", "39"]
    assert len(prefectures) == 47


def test_post_a_note_with_tags(app, board):
    kagawa = signed_in(app, board["kagawa"])
    form = kagawa.get("/commission/board/new").get_data(as_text=True)
    assert form.index('value="36"') < form.index('value="01"')  # the block's prefectures come first
    response = kagawa.post("/commission/board/new", data={
        "title": "小豆島のフェリー", "body": "フェリー会社の広報に先に連絡", "permit_types": ["ROAD_USE", "PARK_USE"],
        "prefectures": ["37"], "shared_with_all_blocks": "y", "version": "0"})
    assert response.status_code == 302
    with app.app_context():
        note = db.session.scalar(select(KnowhowNote).where(KnowhowNote.title == "小豆島のフェリー"))
        assert note.block.code == "SKK" and note.shared_with_all_blocks and note.commission.slug == KAGAWA
        assert [p.code for p in note.permit_types] == ["PARK_USE", "ROAD_USE"]
        assert [p.code for p in note.prefectures] == ["37"]
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "knowhow_note",
                                                          AuditEvent.entity_id == note.id)
                                  .order_by(AuditEvent.id)).action == "create"
        note_id = note.id
    # Shared with all blocks: Hokkaido reads it too.
    assert signed_in(app, board["sapporo"]).get(f"/commission/board/{note_id}").status_code == 200


@pytest.mark.parametrize("data", [
    {"title": "", "body": "x"},
    {"title": "x", "body": ""},
    {"title": "x", "body": "y", "permit_types": ["NO_SUCH"]},
    {"title": "x", "body": "y", "prefectures": ["99"]},
    {"title": "x" * 201, "body": "y"},
])
def test_bad_notes_come_back_with_errors(app, board, data):
    response = signed_in(app, board["kagawa"]).post("/commission/board/new", data=dict(data, version="0"))
    assert response.status_code == 400 and 'class="field-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(KnowhowNote).where(KnowhowNote.title == "x")) is None


def test_only_the_author_edits_or_deletes(app, board):
    kagawa, ehime = signed_in(app, board["kagawa"]), signed_in(app, board["ehime"])
    note_id = board["notes"]["kagawa"]
    page = ehime.get(f"/commission/board/{note_id}").get_data(as_text=True)
    assert 'id="edit-note"' not in page
    assert ehime.get(f"/commission/board/{note_id}/edit").status_code == 404
    assert ehime.post(f"/commission/board/{note_id}/edit", data={"title": "乗っ取り", "body": "x",
                                                                 "version": "1"}).status_code == 404
    assert ehime.post(f"/commission/board/{note_id}/delete").status_code == 404
    assert 'id="edit-note"' in kagawa.get(f"/commission/board/{note_id}").get_data(as_text=True)
    edit = kagawa.get(f"/commission/board/{note_id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in edit and "selected" in edit
    response = kagawa.post(f"/commission/board/{note_id}/edit", data={
        "title": "高松港の夜間撮影(改訂)", "body": "届出は14日前", "prefectures": ["37", "36"], "version": "1"})
    assert response.status_code == 302
    with app.app_context():
        note = db.session.get(KnowhowNote, note_id)
        assert (note.title, note.version, note.permit_types) == ("高松港の夜間撮影(改訂)", 2, [])
        assert [p.code for p in note.prefectures] == ["36", "37"]
    assert kagawa.post(f"/commission/board/{note_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(KnowhowNote, note_id) is None


def test_a_stale_edit_gets_the_conflict_page(app, board):
    kagawa = signed_in(app, board["kagawa"])
    note_id = board["notes"]["kagawa"]
    url = f"/commission/board/{note_id}/edit"
    assert kagawa.post(url, data={"title": "一回目", "body": "b", "version": "1"}).status_code == 302
    # A tags-only change also moves the version on.
    assert kagawa.post(url, data={"title": "一回目", "body": "b", "prefectures": ["37"], "version": "2"}
                       ).status_code == 302
    stale = kagawa.post(url, data={"title": "古い版から", "body": "b", "version": "2"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "一回目" in html and "古い版から" in html
    with app.app_context():
        assert db.session.get(KnowhowNote, note_id).title == "一回目"


def test_staff_without_a_commission_are_refused(app, board):
    with app.app_context():
        user = User(email="lost-staff@example.com", display_name="lost", role="fc_staff",
                    password_hash=db.session.scalar(select(User.password_hash).where(User.email == board["kagawa"])))
        db.session.add(user)
        db.session.commit()
    client = signed_in(app, "lost-staff@example.com")
    assert client.get("/commission/board").status_code == 403
    assert client.get("/commission/inquiries").status_code == 403


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60))
def test_any_search_text_finds_only_notes_containing_every_word(app_context, board, text):
    notes = board_notes(block("SKK"), BoardFilter(text=text))
    words = text.replace("\x00", "").split()[:8]
    for note in notes:
        haystack = (note.title + " " + note.body).lower()
        assert all(word.lower() in haystack for word in words)
    if not words:
        assert {n.id for n in notes} >= {board["notes"][k] for k in ("kagawa", "ehime", "shared")}
