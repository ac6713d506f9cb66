"""Builders for permit-case outputs and notifications: the case builders with the defaults the packet,
calendar and reminder tests read (waterfront address, crew, due dates), and a local SMTP sink."""
from __future__ import annotations

import json
import socket
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from sqlalchemy import delete, select

from locations.accounts.models import Notification, User
from locations.cases.models import PermitStep, Production, Shoot
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.permits.models import PermitType
from tests import builders_cases as cases_builders
from tests.builders_cases import authority  # noqa: F401 — the outputs tests look authorities up here too

TAKAMATSU = (34.3428, 134.0466)


def permit_type(code: str) -> PermitType:
    return db.session.scalar(select(PermitType).where(PermitType.code == code))


def make_production(owner: User, title: str | None = None, commissions=None, **overrides) -> Production:
    if title is not None:
        overrides["title"] = title
    return cases_builders.make_production(owner, commissions=commissions, **overrides)


def make_shoot(production: Production, name: str = "Harbour scene", start: date | None = None, days: int = 2,
               lat: float = TAKAMATSU[0], lon: float = TAKAMATSU[1], **overrides) -> Shoot:
    """A shoot at Takamatsu's waterfront address with a crew, as the packet and calendar show them."""
    start = start or today_jst() + timedelta(days=30)
    return cases_builders.make_shoot(production, start=start, name=name, lat=lat, lon=lon,
                                     end_date=start + timedelta(days=days - 1), address="香川県高松市サンポート",
                                     crew_size=25, **overrides)


def make_step(shoot: Shoot, permit_code: str, authority_code: str | None, due: date, status: str = "not_started",
              **overrides) -> PermitStep:
    lead = permit_type(permit_code).lead_business_days
    reasons = json.dumps([{"ja": "道路で撮影するため", "en": "Because the shoot uses a road"}], ensure_ascii=False)
    return cases_builders.make_step(shoot, permit_code, authority_code, due_date=due, status=status,
                                    lead_business_days=lead, reasons=reasons, **overrides)


def make_case(owner: User, title: str | None = None, today: date | None = None) -> Production:
    """A production with one Takamatsu shoot and two steps: road use (Kagawa police) and drone (Osaka CAB)."""
    today = today or today_jst()
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
