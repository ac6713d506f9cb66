"""In-app notifications: domain code calls ``notify`` inside its transaction; the view commits.

With email on, each notification also gets an outbox row in that same transaction, which the worker sends.

A notification stores a ``kind`` and JSON ``params``, never finished text: ``message`` renders it in the
reader's language when it is shown (and in both languages when it is emailed). One change a person makes is one
notification per reader (a digest when it touches several things, e.g. ``steps_created``), so the unread badge
counts changes, not rows they touched. A digest may list what it concerns as ``params["items"]``, each rendered
by its ``state``'s text (``register_kinds(items=…)``) and shown under the notification and in its email. Each kind belongs to an email group that users can mute on their
account page (``EMAIL_GROUPS``); the notification itself is always kept.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Optional

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..core.extensions import db
from ..core.i18n import localized_value
from .models import Notification, OutboxMessage, User

# kind → text with %(name)s placeholders, registered by the part of the app that sends that kind (the permit
# case, inquiries), so each keeps its own texts; "permit", "fc" and "from_fc" are chosen from their _ja/_en pair.
KINDS: dict[str, Any] = {}
# Which params hold status codes, per kind, and which labels translate them.
STATUS_PARAMS: dict[str, dict[str, Mapping[str, Any]]] = {}
BILINGUAL_PARAMS = ("permit", "fc", "from_fc")
# Email groups a user can mute: code → label, and kind → group code (kinds without one are always emailed).
EMAIL_GROUPS: dict[str, Any] = {}
KIND_GROUPS: dict[str, str] = {}
# Digest kinds: kind → {item state → text with %(name)s placeholders} for the lines of ``params["items"]``.
ITEM_TEXTS: dict[str, dict[str, Any]] = {}


def register_kinds(texts: Mapping[str, Any], status_params: Optional[Mapping[str, dict]] = None,
                   groups: Optional[Mapping[str, tuple[str, Any]]] = None,
                   items: Mapping[str, dict[str, Any]] | None = None) -> None:
    """Add notification kinds: their texts (lazy gettext strings), the params that hold status codes,
    each kind's email group as (code, label), and the item texts of digest kinds."""
    KINDS.update(texts)
    ITEM_TEXTS.update(items or {})
    STATUS_PARAMS.update(status_params or {})
    for kind, (code, label) in (groups or {}).items():
        EMAIL_GROUPS.setdefault(code, label)
        KIND_GROUPS[kind] = code


def email_wanted(user: User, kind: str) -> bool:
    """Whether ``user`` wants emails of ``kind`` (every group is on until they mute it)."""
    return KIND_GROUPS.get(kind) not in user.muted_email_groups


class _Blank(dict):
    """Missing params render as nothing rather than raising: old rows may lack a newer param."""

    def __missing__(self, key: str) -> str:
        return ""


def _values(kind: str, params: dict[str, Any], lang: str) -> _Blank:
    values = _Blank({key: str(value) for key, value in params.items()
                     if isinstance(value, (str, int, float)) and not isinstance(value, bool)})
    for name in BILINGUAL_PARAMS:
        values[name] = localized_value(values.get(f"{name}_ja"), values.get(f"{name}_en"), lang)
    # A list of {"ja": …, "en": …} names (a digest's permits) reads as one list in the reader's language.
    for name, value in params.items():
        if isinstance(value, list):
            names = [localized_value(v.get("ja"), v.get("en"), lang) for v in value if isinstance(v, dict)]
            values[name] = ("、" if lang in ("ja", "zh_Hans", "zh_Hant") else ", ").join(n for n in names if n)
    for name, labels in STATUS_PARAMS.get(kind, {}).items():
        code = values.get(name)
        if code in labels:
            values[name] = str(labels[code])
    return values


def message(kind: str, params: Any, lang: str) -> str:
    """The text of one notification in ``lang``; unknown kinds or broken params give a generic line."""
    with force_locale(lang):
        if isinstance(params, str):
            try:
                params = json.loads(params)
            except ValueError:
                params = {}
        template = KINDS.get(kind)
        if template is None or not isinstance(params, dict):
            return str(_l("You have a new notification."))
        try:
            return str(template) % _values(kind, params, lang)
        except (TypeError, ValueError):
            return str(_l("You have a new notification."))


def message_items(kind: str, params: Any, lang: str) -> list[tuple[str, str | None]]:
    """The lines a digest lists, as (text in ``lang``, app-relative link or None); [] for other kinds."""
    texts = ITEM_TEXTS.get(kind)
    if not texts:
        return []
    if isinstance(params, str):
        try:
            params = json.loads(params)
        except ValueError:
            return []
    items = params.get("items") if isinstance(params, dict) else None
    lines = []
    with force_locale(lang):
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or item.get("state") not in texts:
                continue
            try:
                text = str(texts[item["state"]]) % _values(kind, item, lang)
            except (TypeError, ValueError):
                continue
            link = item.get("link")
            # App-relative links only ("//host" would leave the site).
            safe = isinstance(link, str) and link.startswith("/") and not link.startswith("//")
            lines.append((text, link if safe else None))
    return lines


def notify(users: Iterable[User], kind: str, params: dict[str, Any], link: Optional[str] = None,
           dedupe_key: Optional[str] = None) -> list[Notification]:
    """Add one notification per distinct active user; ``params`` must be JSON-serialisable.

    With ``dedupe_key`` (completed with the user id) a user who already has that key gets nothing,
    so a repeated run adds no duplicates."""
    made = []
    seen: set[int] = set()
    candidates = [u for u in users if u is not None and u.active]
    existing: set[str] = set()
    if dedupe_key and candidates:
        keys = [f"{dedupe_key}:{u.id}" for u in candidates]
        existing = set(db.session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys))))
    for user in candidates:
        if user.id in seen:
            continue
        seen.add(user.id)
        key = f"{dedupe_key}:{user.id}" if dedupe_key else None
        if key in existing:
            continue
        note = Notification(user_id=user.id, kind=kind, params=json.dumps(params, ensure_ascii=False),
                            link=link, dedupe_key=key)
        db.session.add(note)
        made.append(note)
    db.session.flush()
    queue_notification_emails(made)
    return made


def queue_notification_emails(notes: Iterable[Notification]) -> list[OutboxMessage]:
    """Email copies of new notifications for the worker to send, when email is on (``MAIL_SERVER`` set)."""
    if not current_app.config.get("MAIL_SERVER"):
        return []
    rows = [OutboxMessage(kind="notification", to_address=note.user.email, notification=note)
            for note in notes if note.user is not None and note.user.email and email_wanted(note.user, note.kind)]
    db.session.add_all(rows)
    return rows


def unread_count(user: User) -> int:
    """How many of ``user``'s notifications are unread (for the badge in the navigation)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0
