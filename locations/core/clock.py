"""One clock for the app: UTC instants for storage, the calendar day and the wall time in Japan for people.

Japan keeps no daylight saving time, so a fixed +09:00 offset is exact. The server's own time zone never
matters: on a UTC host ``date.today()`` is still yesterday in Japan until 09:00 JST.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Optional

from flask import Flask

JST = timezone(timedelta(hours=9), "JST")


def now() -> datetime:
    """The current instant, timezone-aware in UTC (what the database stores)."""
    return datetime.now(timezone.utc)


def today_jst() -> date:
    """Today's date in Japan: deadlines, freshness, reminders, reports and imports follow it."""
    return now().astimezone(JST).date()


def as_utc(value: Optional[datetime]) -> Optional[datetime]:
    """A stored instant with its zone: SQLite hands timezone-aware columns back naive (they hold UTC)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def jst_time(value: Optional[datetime], seconds: bool = False) -> str:
    """An instant as people in Japan read it, e.g. "2026-12-02 08:30 JST" (empty for none)."""
    if value is None:
        return ""
    return as_utc(value).astimezone(JST).strftime("%Y-%m-%d %H:%M:%S JST" if seconds else "%Y-%m-%d %H:%M JST")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["jst_time"] = jst_time
