"""Builders for productions, shoots and permit steps; they add and flush, the test commits.

``clear_cases`` removes what they (and the views under test) made: every production owned by an
@example.com account, with its shoots, steps, notes, documents, ticks, and the users' notifications.
"""
from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest
from sqlalchemy import delete, select

from locations.accounts.models import Notification, User
from locations.cases.calendar import new_calendar_token
from locations.cases.models import PermitStep, Production, Shoot
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.directory.models import FilmCommission
from locations.permits.models import PermitAuthority, PermitType
from tests.builders import login, make_user

_serial = count(1)
TAKAMATSU = (34.3428, 134.0465)


def commission(slug: str = "kagawa-film-commission") -> FilmCommission:
    return db.session.scalar(select(FilmCommission).where(FilmCommission.slug == slug))


def authority(code: str = "police-hq-37") -> PermitAuthority:
    return db.session.scalar(select(PermitAuthority).where(PermitAuthority.code == code))


def make_production(owner: User, commissions=None, **overrides) -> Production:
    n = next(_serial)
    values = {"title": f"Test production {n}", "company": "Example Films", "contact_name": "Ada Example",
              "contact_email": "ada@example.com", "calendar_token": new_calendar_token()}
    values.update(overrides)
    production = Production(owner_id=owner.id, **values)
    production.commissions = list(commissions if commissions is not None else [commission()])
    db.session.add(production)
    db.session.flush()
    return production


def make_shoot(production: Production, start: date | None = None, **overrides) -> Shoot:
    start = start or today_jst() + timedelta(days=60)
    values = {"name": "Harbour scene", "lat": TAKAMATSU[0], "lon": TAKAMATSU[1], "start_date": start,
              "end_date": start + timedelta(days=1)}
    values.update(overrides)
    shoot = Shoot(production=production, **values)
    db.session.add(shoot)
    db.session.flush()
    return shoot


def make_step(shoot: Shoot, permit_code: str = "ROAD_USE", authority_code: str | None = "police-hq-37",
              **overrides) -> PermitStep:
    permit = db.session.scalar(select(PermitType).where(PermitType.code == permit_code))
    values = {"status": "not_started", "due_date": shoot.start_date - timedelta(days=14), "lead_business_days": 10,
              "reasons": '[{"ja": "テスト", "en": "test"}]'}
    values.update(overrides)
    step = PermitStep(production=shoot.production, shoot=shoot, permit_type_id=permit.id,
                      authority_id=authority(authority_code).id if authority_code else None, **values)
    db.session.add(step)
    db.session.flush()
    return step


def clear_cases() -> None:
    """Delete test productions (cascading to their case) and the test users' notifications and audit rows."""
    from locations.cases.documents import remove_files

    users = select(User.id).where(User.email.like("%@example.com"))
    files = []
    for production in db.session.scalars(select(Production).where(Production.owner_id.in_(users))):
        files += [d.filename for step in production.steps for d in step.documents]
        db.session.delete(production)
    db.session.flush()
    db.session.execute(delete(Notification).where(Notification.user_id.in_(users)))
    db.session.execute(delete(AuditEvent).where(AuditEvent.user_id.in_(users)))
    db.session.commit()
    remove_files(files)


@pytest.fixture
def people(app):
    """A producer, a Kagawa FC staff member and a Kagawa police officer, each with a signed-in client."""
    with app.app_context():
        users = {role: make_user(role) for role in ("producer", "fc_staff", "authority")}
        users["other_producer"] = make_user("producer")
        db.session.commit()
        made = {key: (u.id, u.email) for key, u in users.items()}
    clients = {}
    for key, (_, email) in made.items():
        clients[key] = app.test_client()
        assert login(clients[key], email).status_code == 302
    yield {"ids": {k: v[0] for k, v in made.items()}, "clients": clients}
    with app.app_context():
        clear_cases()
        db.session.execute(delete(User).where(User.id.in_([v[0] for v in made.values()])))
        db.session.commit()
