"""Recording the audit trail: helpers add events to the current transaction, never commit."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Iterable, Optional

from flask import has_request_context, request
from flask_login import current_user

from .extensions import db
from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(action: str, entity: Any = None, changes: Optional[dict] = None, detail: Optional[str] = None,
           user: Any = None, entity_type: Optional[str] = None, entity_id: Optional[int] = None,
           commission_id: Optional[int] = None) -> AuditEvent:
    """Add one audit event for ``entity`` (or the given type/id) done by ``user`` (default: the signed-in one)."""
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    if entity is not None:
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id if entity_id is not None else entity.id
        commission_id = commission_id or getattr(entity, "commission_id", None) or (
            entity.id if entity_type == "film_commission" else None)
    label = None
    if entity is not None:
        label = (getattr(entity, "name_ja", None) or getattr(entity, "email", None) or getattr(entity, "code", None))
    event = AuditEvent(
        user_id=getattr(user, "id", None),
        actor=getattr(user, "email", None),
        role=getattr(user, "role", None),
        commission_id=commission_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        entity_label=str(label)[:200] if label else None,
        changes=json.dumps(changes, ensure_ascii=False, default=str) if changes else None,
        detail=detail[:500] if detail else None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
