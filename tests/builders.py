"""One builder per entity, lookups of seeded rows, and the one way to sign a test client in.

Builders add and flush; the test decides about committing. Nothing here cleans up: the autouse
``no_rows_left_behind`` fixture deletes whatever a test made (tests/cleanup.py).
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from contextlib import contextmanager
from itertools import count

from sqlalchemy import select

from locations.accounts.models import User
from locations.cases.calendar import new_calendar_token
from locations.cases.models import PermitStep, Production, Shoot
from locations.collaboration.models import Inquiry, KnowhowNote
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.directory.models import FilmCommission, Municipality, Prefecture, RegionalBlock
from locations.library.models import Location
from locations.permits.models import AuthorityKind, PermitAuthority, PermitType
from locations.reports.models import ShootReport

_serial = count(1)

KAGAWA = "kagawa-film-commission"
EHIME = "ehime-film-commission"  # Shikoku block, like Kagawa
SAPPORO = "sapporo-film-commission"  # Hokkaido block
TAKAMATSU = (34.3428, 134.0466)  # the waterfront at Sunport
TITLE_PREFIX = "試験報告"  # shoot-report titles, so a test can tell its reports from the seeded ones
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# Seeded rows, by their natural key.

def _seeded(model, **where):
    found = db.session.scalar(select(model).filter_by(**where))
    assert found is not None, (model.__name__, where)
    return found


def commission(slug: str = KAGAWA) -> FilmCommission:
    return _seeded(FilmCommission, slug=slug)


def authority(code: str = "police-hq-37") -> PermitAuthority:
    return _seeded(PermitAuthority, code=code)


def permit_type(code: str) -> PermitType:
    return _seeded(PermitType, code=code)


def prefecture(code: str) -> Prefecture:
    return _seeded(Prefecture, code=code)


def block(code: str) -> RegionalBlock:
    return _seeded(RegionalBlock, code=code)


def municipality(name_ja: str, prefecture_code: str) -> Municipality:
    return db.session.scalar(select(Municipality).join(Prefecture).where(
        Municipality.name_ja == name_ja, Prefecture.code == prefecture_code))


def published_location(fc: FilmCommission) -> Location:
    location = db.session.scalar(select(Location).where(
        Location.commission_id == fc.id, Location.status == "published", Location.hidden_stale.is_(False))
        .order_by(Location.id).limit(1))
    assert location is not None, f"{fc.slug} has no published location in the seeds"
    return location


# Builders.

def make_commission(**overrides) -> FilmCommission:
    n = next(_serial)
    tokyo = overrides.pop("prefecture", None) or prefecture("13")
    values = {"slug": f"test-fc-{n}", "name_ja": f"テストFC{n}", "name_en": f"Test FC {n}", "prefecture_id": tokyo.id,
              "lat": tokyo.office_lat, "lon": tokyo.office_lon, "source": "test builder"}
    values.update(overrides)
    fc = FilmCommission(**values)
    db.session.add(fc)
    db.session.flush()
    return fc


def make_authority(kind: str = "police_station", prefecture_code: str = "37", parent: str | None = "police-hq-37",
                   candidate: bool = True, **overrides) -> PermitAuthority:
    """An office in one prefecture; by default an unconfirmed candidate police station (as the OpenStreetMap
    layer loads them) under the Kagawa police HQ, with no position and no jurisdiction."""
    n = next(_serial)
    values = {"code": f"test-office-{n}", "kind_id": _seeded(AuthorityKind, code=kind).id,
              "name_ja": f"試験{n}号署", "name_en": f"Test office {n}", "source": "test builder",
              "is_candidate": candidate, "layer": "osm" if candidate else "seed",
              "parent_id": authority(parent).id if parent else None}
    values.update(overrides)
    office = PermitAuthority(**values)
    office.prefectures = [prefecture(prefecture_code)]
    db.session.add(office)
    db.session.flush()
    return office


def make_user(role: str, commission=None, authority=None, email=None, active=True, verified=True) -> User:
    """An account with the test password and (unless ``verified=False``) a confirmed email address;
    FC staff default to the Kagawa FC, officers to the Kagawa police."""
    n = next(_serial)
    if role == "fc_staff" and commission is None:
        commission = _seeded(FilmCommission, slug=KAGAWA)
    if role == "authority" and authority is None:
        authority = _seeded(PermitAuthority, code="police-hq-37")
    user = User(email=email or f"{role}{n}@example.com", display_name=f"{role} {n}", role=role,
                commission_id=commission.id if commission is not None and role == "fc_staff" else None,
                authority_id=authority.id if authority is not None and role == "authority" else None,
                password_hash=_hash_once(), active=active,
                email_verified_at=datetime.now(timezone.utc) if verified else None)
    db.session.add(user)
    db.session.flush()
    return user


def make_production(owner: User | int, title: str | None = None, commissions=None, **overrides) -> Production:
    """A production of ``owner`` (a user or a user id), asking the Kagawa FC unless told otherwise."""
    n = next(_serial)
    values = {"title": title or f"Test production {n}", "company": "Example Films", "contact_name": "Ada Example",
              "contact_email": "ada@example.com", "calendar_token": new_calendar_token()}
    values.update(overrides)
    production = Production(owner_id=getattr(owner, "id", owner), **values)
    production.commissions = list(commissions if commissions is not None else [commission()])
    db.session.add(production)
    db.session.flush()
    return production


def make_shoot(production: Production, start: date | None = None, days: int = 2, town: Municipality | None = None,
               **overrides) -> Shoot:
    """A shoot of ``days`` days at Takamatsu's waterfront address with a crew, or at ``town``'s office."""
    start = start or today_jst() + timedelta(days=60)
    values = {"name": "Harbour scene", "lat": TAKAMATSU[0], "lon": TAKAMATSU[1], "address": "香川県高松市サンポート",
              "crew_size": 25, "start_date": start, "end_date": start + timedelta(days=days - 1)}
    if town is not None:
        values.update(lat=town.office_lat, lon=town.office_lon, prefecture_id=town.prefecture_id,
                      municipality_id=town.id, address=None)
    values.update(overrides)
    shoot = Shoot(production=production, **values)
    db.session.add(shoot)
    db.session.flush()
    return shoot


def make_step(shoot: Shoot, permit_code: str = "ROAD_USE", authority_code: str | None = "police-hq-37",
              due: date | None = None, **overrides) -> PermitStep:
    """A step for ``permit_code`` with the permit's lead time, due two weeks before the shoot by default."""
    permit = permit_type(permit_code)
    reasons = [{"ja": "道路で撮影するため", "en": "Because the shoot uses a road"}]
    values = {"status": "not_started", "due_date": due or shoot.start_date - timedelta(days=14),
              "lead_business_days": permit.lead_business_days, "reasons": json.dumps(reasons, ensure_ascii=False)}
    values.update(overrides)
    step = PermitStep(production=shoot.production, shoot=shoot, permit_type_id=permit.id,
                      authority_id=authority(authority_code).id if authority_code else None, **values)
    db.session.add(step)
    db.session.flush()
    return step


def make_case(owner: User, title: str | None = None, today: date | None = None) -> Production:
    """A production with one Takamatsu shoot and two steps: road use (Kagawa police) and drone (Osaka CAB)."""
    today = today or today_jst()
    production = make_production(owner, title=title)
    shoot = make_shoot(production, start=today + timedelta(days=20))
    make_step(shoot, "ROAD_USE", "police-hq-37", today + timedelta(days=10))
    make_step(shoot, "DRONE_FLIGHT", "cab-osaka", today + timedelta(days=5))
    db.session.refresh(production)
    return production


def make_inquiry(fc: FilmCommission, producer: User | None = None, **overrides) -> Inquiry:
    n = next(_serial)
    values = {"commission_id": fc.id, "producer_id": producer.id if producer else None,
              "contact_name": producer.display_name if producer else f"問い合わせ者{n}",
              "contact_email": producer.email if producer else f"asker{n}@example.com",
              "subject": f"テスト問い合わせ{n}", "body": "港での夜間撮影について相談したい", "status": "new"}
    values.update(overrides)
    inquiry = Inquiry(**values)
    db.session.add(inquiry)
    db.session.flush()
    return inquiry


def make_note(author: User, block_id: int | None = None, shared: bool = False, **overrides) -> KnowhowNote:
    n = next(_serial)
    if block_id is None:
        block_id = author.commission.prefecture.block_id
    values = {"block_id": block_id, "author_id": author.id, "commission_id": author.commission_id,
              "title": f"ノート{n}", "body": f"警察署との事前相談は二週間前に {n}", "shared_with_all_blocks": shared}
    values.update(overrides)
    note = KnowhowNote(**values)
    db.session.add(note)
    db.session.flush()
    return note


def make_report(fc: FilmCommission, first_day: date, shoot_days: int = 1, days_span: int | None = None,
                **overrides) -> ShootReport:
    """A report of ``fc`` for a shoot starting ``first_day``; spend defaults to zero in every category."""
    span = days_span if days_span is not None else shoot_days
    values = {"commission_id": fc.id, "production_title": f"{TITLE_PREFIX}{next(_serial)}",
              "production_type": "feature_film", "origin": "domestic", "prefecture_id": fc.prefecture_id,
              "municipality_id": fc.municipality_id, "first_day": first_day,
              "last_day": first_day + timedelta(days=span - 1), "shoot_days": shoot_days, "crew_size": 10}
    values.update(overrides)
    report = ShootReport(**values)
    db.session.add(report)
    db.session.flush()
    return report


# Signing in.

PASSWORD = "a sturdy test passphrase 2026"
_cached_hash = None


def _hash_once() -> str:
    """Argon2 is slow on purpose; every test user shares one hash of PASSWORD."""
    global _cached_hash
    if _cached_hash is None:
        from locations.accounts.passwords import hash_password

        _cached_hash = hash_password(PASSWORD)
    return _cached_hash


def login(client, email: str, password: str = PASSWORD, next: str | None = None):
    """Sign ``client`` in through the form; returns the answer (a redirect when it worked)."""
    data = {"email": email, "password": password}
    if next is not None:
        data["next"] = next
    return client.post("/login", data=data)


def signed_in(app, email: str | None = None, role: str | None = None):
    """A test client of ``app`` signed in as ``email`` (or as a new user with ``role``); anonymous with neither."""
    client = app.test_client()
    if email is None and role not in (None, "anonymous"):
        with app.app_context():
            email = make_user(role).email
            db.session.commit()
    if email is not None:
        assert login(client, email).status_code == 302
    return client


def enrol_totp(user) -> str:
    """Turn two-step sign-in on for ``user`` (flushed); returns the secret, for computing codes."""
    import pyotp

    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = datetime.now(timezone.utc)
    db.session.flush()
    return user.totp_secret


def totp_code(secret: str, steps_ahead: int = 1) -> str:
    """A code for a time step after any used so far (the app refuses a step twice); the server accepts
    one step either side of now."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    return totp.generate_otp(int(time.time()) // totp.interval + steps_ahead)


@contextmanager
def committed_change(app, model, where: dict, **values):
    """A seeded row changed and committed (as another process would see it), put back afterwards."""
    with app.app_context():
        row = db.session.scalar(select(model).filter_by(**where))
        old = {name: getattr(row, name) for name in values}
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()
    try:
        yield
    finally:
        with app.app_context():
            row = db.session.scalar(select(model).filter_by(**where))
            for name, value in old.items():
                setattr(row, name, value)
            db.session.commit()
