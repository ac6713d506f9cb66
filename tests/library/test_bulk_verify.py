"""Bulk re-verify of stale listings: the count is not capped, ticked or all stale listings are confirmed at once,
only the commission's own."""
from __future__ import annotations

from sqlalchemy import delete, select

from locations.accounts.models import User
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.directory.models import FilmCommission
from locations.library.importing import apply_plan
from locations.library.intake import plan_file
from locations.library.models import Location
from locations.library.cells import rebuild_cells
from tests.builders import login, make_commission, make_user

ROWS = "".join(f"一括確認{i},34.3{i:02d},134.05\n" for i in range(60))


def _import(commission) -> None:
    plan = plan_file(("名称,緯度,経度\n" + ROWS).encode(), "s.csv", commission, {
        "columns": {"name_ja": "名称", "lat": "緯度", "lon": "経度"},
        "defaults": {"category": "park", "source": "bulk verify test", "status": "published"}})
    apply_plan(plan, commission)


def test_all_stale_listings_are_confirmed_at_once_and_only_ones_own(app):
    client = app.test_client()
    with app.app_context():
        own, other = make_commission(), make_commission()  # not a seeded FC: its listings must stay as seeded
        db.session.flush()
        user = make_user("fc_staff", commission=own)
        _import(other)
        plan_own = plan_file(("名称,緯度,経度\n" + ROWS.replace("一括確認", "自組織の確認")).encode(), "s.csv", own, {
            "columns": {"name_ja": "名称", "lat": "緯度", "lon": "経度"},
            "defaults": {"category": "park", "source": "bulk verify test"}})
        apply_plan(plan_own, own)
        db.session.commit()
        email, own_id, other_id = user.email, own.id, other.id
    try:
        login(client, email)
        page = client.get("/commission/?lang=en").get_data(as_text=True)
        assert "<strong>60</strong> need re-verifying" in page and "Mark all 60" in page  # not capped at 50
        with app.app_context():
            foreign = db.session.scalar(select(Location.id).where(Location.commission_id == other_id))
        assert client.post("/commission/locations/verify", data={"ids": [str(foreign)]}).status_code == 302
        assert client.post("/commission/locations/verify", data={"all": "1"}).status_code == 302
        with app.app_context():
            mine = db.session.scalars(select(Location).where(Location.commission_id == own_id)).all()
            assert len(mine) == 60 and all(m.last_verified is not None for m in mine)
            theirs = db.session.scalars(select(Location).where(Location.commission_id == other_id)).all()
            assert all(t.last_verified is None for t in theirs)
    finally:
        with app.app_context():
            db.session.execute(delete(Location).where(Location.commission_id.in_([own_id, other_id])))
            db.session.execute(delete(AuditEvent).where(AuditEvent.actor == email))
            db.session.execute(delete(User).where(User.email == email))
            db.session.execute(delete(FilmCommission).where(FilmCommission.id.in_([own_id, other_id])))
            rebuild_cells()
            db.session.commit()
