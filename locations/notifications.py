"""In-app notifications: domain code calls ``notify`` inside its transaction; the view commits."""
from __future__ import annotations

import json
from typing import Any, Iterable, Optional

from .extensions import db
from .models import Notification, User


def notify(users: Iterable[User], kind: str, params: dict[str, Any], link: Optional[str] = None,
           dedupe_key: Optional[str] = None) -> list[Notification]:
    """Add one notification per distinct active user; ``params`` must be JSON-serialisable."""
    made = []
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        key = f"{dedupe_key}:{user.id}" if dedupe_key else None
        note = Notification(user_id=user.id, kind=kind, params=json.dumps(params, ensure_ascii=False),
                            link=link, dedupe_key=key)
        db.session.add(note)
        made.append(note)
    db.session.flush()
    return made
