"""Edits made from a stale page: one exception for domain code, one way to show values, one 409 page."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Optional

from flask import render_template
from flask_babel import gettext as _

from .extensions import db


class Conflict(Exception):
    """The entity changed since the editor loaded it; ``current`` may hold what is stored now."""

    def __init__(self, current: Optional[dict[str, Any]] = None):
        super().__init__("edit conflict")
        self.current = current or {}


def shown(value: Any) -> Optional[str]:
    """How a stored or submitted value is shown and compared, so only real differences count:
    empty is None, booleans are yes/no, coordinates compare to 6 decimals, lists join with "; "."""
    if value is None or value == "" or value == [] or value == ():
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (float, Decimal)):
        return f"{float(value):.6f}"
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value) or None
    return str(value)


@dataclass(frozen=True)
class ConflictRow:
    label: str
    saved: Optional[str]
    yours: Optional[str]

    @property
    def differs(self) -> bool:
        return self.saved != self.yours


def conflict_rows(fields: Iterable[tuple[str, Any, Any]]) -> list[ConflictRow]:
    """(label, saved value, submitted value) per field, shown the one way."""
    return [ConflictRow(str(label), shown(saved), shown(yours)) for label, saved, yours in fields]


def conflict_page(fields: Iterable[tuple[str, Any, Any]], retry_url: str):
    """409 with the saved values next to the submitted ones (only the fields that differ); nothing was changed."""
    return render_template("conflict.html", rows=conflict_rows(fields), retry_url=retry_url), 409


def form_conflict(entity: Any, fields: Iterable[str], form: Any, retry_url: str,
                  submitted: Optional[dict[str, Any]] = None, labels: Optional[dict[str, str]] = None,
                  display: Optional[dict[str, Callable[[Any], Any]]] = None):
    """409 for a form whose fields are named like the model's: the stored values (reloaded) next to the
    submitted ones. ``submitted`` holds converted values by field, ``labels`` labels for fields the form
    names otherwise, ``display`` turns a field's value (an id, say) into what people recognise."""
    db.session.refresh(entity)
    submitted, labels, display = submitted or {}, labels or {}, display or {}
    rows = []
    for name in fields:
        label = labels.get(name) or (form[name].label.text if name in form else None)
        if label is None:
            continue
        theirs = getattr(entity, name)
        mine = submitted[name] if name in submitted else form[name].data
        if name in display:
            theirs, mine = display[name](theirs), display[name](mine)
        rows.append((label, theirs, mine))
    return conflict_page(rows, retry_url)
