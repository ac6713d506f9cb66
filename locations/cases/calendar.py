"""A production's private iCalendar feed: shoot days and the filing deadlines still open."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, vGeo

from ..core.i18n import localized_value
from .models import Production
from .workflow import AWAITING_FILING

PRODID = "-//locations//permit case//EN"


def new_calendar_token() -> str:
    """The secret part of the feed URL; 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def _name(obj, field: str, lang: str) -> str:
    return localized_value(getattr(obj, f"{field}_ja", None), getattr(obj, f"{field}_en", None), lang)


def _stamp(moment: datetime | None) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    if moment is None:
        return datetime(2026, 1, 1, tzinfo=timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def build_calendar(production: Production, lang: str, case_url: str) -> bytes:
    """One all-day event per shoot (end date inclusive) and one per undecided step on its due date."""
    with force_locale(lang):
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", production.title)
        for shoot in production.shoots:
            if shoot.withdrawn_at is not None:  # gone from the feed, so calendars drop the event
                continue
            event = Event()
            event.add("uid", f"shoot-{shoot.id}@locations")
            event.add("dtstamp", _stamp(shoot.created_at))
            event.add("dtstart", shoot.start_date)
            event.add("dtend", shoot.end_date + timedelta(days=1))
            event.add("summary", _("Shoot: %(name)s", name=shoot.name))
            place = shoot.location.name_ja if shoot.location else None
            where = ", ".join(part for part in (place, shoot.address) if part)
            if where:
                event.add("location", where)
            event.add("geo", vGeo((shoot.lat, shoot.lon)))
            event.add("url", case_url)
            cal.add_component(event)
        for step in production.steps:
            if step.status not in AWAITING_FILING:  # filed or closed: no deadline left to meet
                continue
            permit = _name(step.permit_type, "name", lang)
            authority = _name(step.authority, "name", lang) if step.authority else _("the film commission")
            event = Event()
            event.add("uid", f"step-{step.id}@locations")
            event.add("dtstamp", _stamp(step.updated_at))
            event.add("dtstart", step.due_date)
            event.add("dtend", step.due_date + timedelta(days=1))
            event.add("summary", _("File: %(permit)s → %(authority)s", permit=permit, authority=authority))
            details = [_("Shoot: %(name)s", name=step.shoot.name)]
            if step.is_estimate:
                details.append(_("The lead time is an estimate."))
            event.add("description", "\n".join(details))
            event.add("url", case_url)
            cal.add_component(event)
        return cal.to_ical()
