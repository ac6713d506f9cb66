"""One clock for the app: UTC instants for storage, the calendar day in Japan for everything dated."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


def now() -> datetime:
    """The current instant, timezone-aware in UTC (what the database stores)."""
    return datetime.now(timezone.utc)


def today_jst() -> date:
    """Today's date in Japan, whatever the server's own time zone: deadlines and reports follow Japan."""
    return datetime.now(JST).date()
