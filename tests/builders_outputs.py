"""Builders for permit-case outputs and notifications: a production with shoots and steps made directly
with the models, and a local SMTP sink."""
from __future__ import annotations

import json
import socket
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from itertools import count

from aiosmtpd.controller import Controller
from sqlalchemy import delete, select

from locations.calendar_feed import new_calendar_token
from locations.extensions import db
from locations.models import (
    FilmCommission,
    Notification,
    PermitAuthority,
    PermitStep,
    PermitType,
    Production,
    Shoot,
    User,
)

_serial = count(1)
TAKAMATSU = (34.3428, 134.0466)


def authority(code: str) -> PermitAuthority:
    return db.session.scalar(select(PermitAuthority).where(PermitAuthority.code == code))


def permit_type(code: str) -> PermitType:
    return db.session.scalar(select(PermitType).where(PermitType.code == code))


def kagawa_fc() -> FilmCommission:
    return db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "kagawa-film-commission"))


def make_production(owner: User, title: str | None = None, commissions=None, **overrides) -> Production:
    n = next(_serial)
    values = {"title": title or f"Output test film {n}", "company": "Test Pictures", "contact_name": "Sato",
              "contact_email": f"contact{n}@example.com", "calendar_token": new_calendar_token()}
    values.update(overrides)
    production = Production(owner_id=owner.id, **values)
    production.commissions = list(commissions if commissions is not None else [kagawa_fc()])
    db.session.add(production)
    db.session.flush()
    return production


def make_shoot(production: Production, name: str = "Harbour scene", start: date | None = None, days: int = 2,
               lat: float = TAKAMATSU[0], lon: float = TAKAMATSU[1], **overrides) -> Shoot:
    start = start or date.today() + timedelta(days=30)
    shoot = Shoot(production_id=production.id, name=name, lat=lat, lon=lon, start_date=start,
                  end_date=start + timedelta(days=days - 1), address="香川県高松市サンポート", crew_size=25, **overrides)
    db.session.add(shoot)
    db.session.flush()
    return shoot


def make_step(shoot: Shoot, permit_code: str, authority_code: str | None, due: date, status: str = "not_started",
              **overrides) -> PermitStep:
    permit = permit_type(permit_code)
    step = PermitStep(production_id=shoot.production_id, shoot_id=shoot.id, permit_type_id=permit.id,
                      authority_id=authority(authority_code).id if authority_code else None, status=status,
                      due_date=due, lead_business_days=permit.lead_business_days,
                      reasons=json.dumps([{"ja": "道路で撮影するため", "en": "Because the shoot uses a road"}],
                                         ensure_ascii=False), **overrides)
    db.session.add(step)
    db.session.flush()
    return step


def make_case(owner: User, title: str | None = None, today: date | None = None) -> Production:
    """A production with one Takamatsu shoot and two steps: road use (Kagawa police) and drone (Osaka CAB)."""
    today = today or date.today()
    production = make_production(owner, title=title)
    shoot = make_shoot(production, start=today + timedelta(days=20))
    make_step(shoot, "ROAD_USE", "police-hq-37", today + timedelta(days=10))
    make_step(shoot, "DRONE_FLIGHT", "cab-osaka", today + timedelta(days=5))
    db.session.refresh(production)
    return production


def clear_outputs() -> None:
    """Remove what these builders and the tests made (test users all have @example.com emails)."""
    users = select(User.id).where(User.email.like("%@example.com"))
    db.session.execute(delete(Notification).where(Notification.user_id.in_(users)))
    for production in db.session.scalars(select(Production).where(Production.owner_id.in_(users))):
        db.session.delete(production)
    db.session.flush()
    db.session.execute(delete(User).where(User.email.like("%@example.com")))
    db.session.commit()


# A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for the email tests.

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SmtpSink:
    """Start with ``start()``, read ``messages``, stop with ``stop()``; ``port`` is free and local."""

    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.sink.messages

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class mail_settings:
    """Point the app's mail settings at ``port`` on 127.0.0.1 for a test, then put them back."""

    KEYS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME")

    def __init__(self, app, port: int) -> None:
        self.app, self.port = app, port

    def __enter__(self):
        self.saved = {key: self.app.config.get(key) for key in self.KEYS}
        self.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port, MAIL_USE_TLS=False, MAIL_USERNAME="")
        return self

    def __exit__(self, *exc) -> None:
        self.app.config.update(self.saved)
