"""The permit case of a production: who may see it, how its steps move, and how a shoot's plan becomes steps.

The status machine at the top is pure (no app, no database); the functions below it add and flush rows
and leave the commit to the view. It is long because the status machine, the notification texts of each
step change and the sync from plan to steps share one step vocabulary; split, one rule would sit in three files.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Optional

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, select

from ..accounts.models import User
from ..accounts.notifications import notify, register_kinds
from ..accounts.users import acting_authority_ids, officers_of, staff_of
from ..core import audit, clock
from ..core.extensions import db
from ..permits import engine as permits
from ..permits.models import PermitType
from ..permits.places import ground_facts, place_fields
from .labels import STEP_STATUS_LABELS
from .models import ChecklistTick, PermitStep, Production, StepNote, production_commission

# ------------------------------------------------------------------------------------------ status machine

def N_(message: str) -> str:
    """Marks a message id for extraction; the view translates it (these functions run without an app)."""
    return message


DECISIONS = frozenset({"approved", "approved_with_conditions", "rejected"})
# Withdrawn is final: it closes every step of a withdrawn shoot, and nobody moves such a step again.
CLOSED = DECISIONS | {"not_needed", "withdrawn"}
# The due date is the latest safe day to *file*: once the application is submitted it cannot be late any more.
AWAITING_FILING = frozenset({"not_started", "consulted"})
# not_started < consulted < submitted < decided; closing a step as not needed ranks with the decisions.
RANK = {"not_started": 0, "consulted": 1, "submitted": 2, "approved": 3, "approved_with_conditions": 3,
        "rejected": 3, "not_needed": 3, "withdrawn": 3}


def is_backwards(from_status: str, to_status: str) -> bool:
    """Down the order, or from one decision to another (a revised decision undoes the first)."""
    return RANK[to_status] < RANK[from_status] or (from_status in CLOSED and to_status in CLOSED)


def allowed_targets(role: str, from_status: str) -> set[str]:
    """The statuses ``role`` may move a step to from ``from_status`` (notes and conditions aside)."""
    if from_status not in RANK or from_status == "withdrawn":
        return set()
    rank = RANK[from_status]
    targets: set[str] = set()
    if role == "producer":
        if rank > 0:
            targets.add("not_started")  # reopening, with a note
        if from_status == "not_started" or rank > 1:
            targets.add("consulted")
        if from_status in ("not_started", "consulted") or rank > 2:
            targets.add("submitted")  # also a resubmission after a decision
        if rank < 3:
            targets.add("not_needed")
    elif role == "authority":
        if from_status == "not_started" or rank > 1:
            targets.add("consulted")
        for decision in DECISIONS:
            if from_status in ("consulted", "submitted") or (from_status in DECISIONS and from_status != decision):
                targets.add(decision)
    return targets


def check_transition(role: str, from_status: str, to_status: str, note: Optional[str],
                     conditions: Optional[str] = None) -> list[str]:
    """Why ``role`` may not move a step from ``from_status`` to ``to_status`` (empty: it may).

    The problems are English message ids; the view translates them with ``gettext``.
    """
    note, conditions = (note or "").strip(), (conditions or "").strip()
    if to_status not in RANK or from_status not in RANK:
        return [N_("Unknown status.")]
    if to_status == from_status:
        return [N_("The step already has this status.")]
    if to_status not in allowed_targets(role, from_status):
        return [N_("Your role cannot make this change.")]
    problems = []
    if to_status == "not_needed" and not note:
        problems.append(N_("Say why this permit is not needed."))
    elif to_status == "rejected" and not note:
        problems.append(N_("A rejection needs a note with the reasons."))
    elif is_backwards(from_status, to_status) and not note:
        problems.append(N_("Moving a step back needs a note saying why."))
    if to_status == "approved_with_conditions" and not conditions:
        problems.append(N_("Give the conditions of the approval."))
    return problems


def is_overdue(step: PermitStep, today: date) -> bool:
    """The filing date has passed and the application is still not submitted."""
    return step.due_date < today and step.status in AWAITING_FILING


def is_due_soon(step: PermitStep, today: date, days: int = 7) -> bool:
    return today <= step.due_date <= today + timedelta(days=days) and step.status in AWAITING_FILING


# -------------------------------------------------------------------------------------------------- access

def viewable_productions(user: User) -> Select:
    """Productions ``user`` may see: a producer's own, those involving an FC's commission, those with a
    step addressed to an officer's authority, all for admins."""
    query = select(Production)
    if user.role == "admin":
        return query
    if user.role == "producer":
        return query.where(Production.owner_id == user.id)
    if user.role == "fc_staff" and user.commission_id is not None:
        return query.where(exists().where(production_commission.c.production_id == Production.id,
                                          production_commission.c.commission_id == user.commission_id))
    if user.role == "authority" and user.authority_id is not None:
        return query.where(exists().where(PermitStep.production_id == Production.id,
                                          PermitStep.authority_id.in_(acting_authority_ids(user))))
    return query.where(Production.id.is_(None))


def can_view(user: User, production: Production) -> bool:
    if user.role == "admin":
        return True
    if user.role == "producer":
        return production.owner_id == user.id
    if user.role == "fc_staff":
        return user.commission_id is not None and any(c.id == user.commission_id for c in production.commissions)
    if user.role == "authority":
        acting = acting_authority_ids(user)
        return any(s.authority_id in acting for s in production.steps)
    return False


def can_view_step(user: User, step: PermitStep) -> bool:
    """An officer sees only the steps addressed to their authority; the others see all of a visible case."""
    if user.role == "authority":
        return step.authority_id is not None and step.authority_id in acting_authority_ids(user)
    return can_view(user, step.production)


def can_tick(user: User, production: Production, actor: str, has_role: bool) -> bool:
    """Owner and the production's FC staff tick any guideline cell; an officer only the authority column."""
    if not has_role or user.role == "admin" or not can_view(user, production):
        return False
    return user.role in ("producer", "fc_staff") or (user.role == "authority" and actor == "authority")


def fc_staff_of(production: Production) -> list[User]:
    """The active staff of the film commissions involved in the production."""
    return staff_of(c.id for c in production.commissions)


def concerned(step: PermitStep, except_user: Optional[User] = None) -> list[User]:
    """Everyone who follows a step: the producer, the production's FC staff, the addressed officers."""
    people = [step.production.owner, *fc_staff_of(step.production), *officers_of(step.authority_id)]
    return [u for u in people if except_user is None or u.id != except_user.id]


def step_params(step: PermitStep) -> dict[str, str]:
    """The notification params every step kind shares."""
    return {"production": step.production.title, "shoot": step.shoot.name,
            "permit_ja": step.permit_type.name_ja, "permit_en": step.permit_type.name_en}


# -------------------------------------------------------------------------------------------- plan → steps

# System notes are stored as these keys and translated when shown, so each reader sees their language.
NOTE_SHOOT_CHANGED = "system:shoot_changed"
NOTE_NO_LONGER_REQUIRED = "system:no_longer_required"


@dataclass
class SyncResult:
    created: list[PermitStep] = field(default_factory=list)
    updated: list[PermitStep] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # permit codes of deleted not-started steps
    kept: list[PermitStep] = field(default_factory=list)  # steps under way, left as they are
    warnings: dict[str, list[str]] = field(default_factory=dict)  # by language


def engine_shoot(shoot) -> permits.Shoot:
    """The rules engine's view of a saved shoot, with the library location's category and usual permits."""

    location = shoot.location
    category = location.category.code if location is not None else None
    typical: tuple[str, ...] = ()
    if location is not None:
        typical = tuple(location.permit_codes or [c.strip() for c in (location.category.typical_permits or "")
                                                  .split(";") if c.strip()])
    place = place_fields(shoot.municipality) if shoot.municipality else {
        "prefecture_code": shoot.prefecture.code if shoot.prefecture else None, "municipality_code": None}
    return permits.Shoot(
        lat=shoot.lat, lon=shoot.lon, **place,
        start_date=shoot.start_date, end_date=shoot.end_date,
        activities=tuple(a.code for a in shoot.activities), category_code=category, typical_permits=typical,
        category=category_label(location.category) if location is not None else None,
        answers=shoot_answers(shoot), facts=ground_facts(shoot.lat, shoot.lon))


def shoot_answers(shoot) -> dict[str, str]:
    try:
        stored = json.loads(shoot.answers or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else {}


def set_answers(shoot, answers: dict[str, str]) -> bool:
    """Store the producer's answers with the shoot; returns whether they changed (then re-sync the steps)."""
    before = shoot_answers(shoot)
    if before == answers:
        return False
    shoot.answers = json.dumps(answers, sort_keys=True)
    audit.record("update", shoot, changes={"answers": [before, answers]}, detail="planner answers")
    return True


def category_label(category) -> permits.Label:
    return permits.Label(category.code, category.name_ja, category.name_en)


def sync_steps(shoot, rules, today: date, link_for: Callable[[PermitStep], str], shoot_changed: bool,
               actor: Optional[User] = None) -> SyncResult:
    """Make the shoot's steps match its permit plan: add new ones, refresh or drop those not started,
    keep those already under way (with a note when ``shoot_changed``: the authority may need to know).
    Tells everyone concerned but ``actor`` about the new steps, one notification each (see notify_new_steps)."""

    target = engine_shoot(shoot)
    plans = {lang: permits.plan_permits(target, rules, today=today, lang=lang) for lang in ("ja", "en")}
    english = {p.code: p for p in plans["en"].permits}
    # The reasons in the other reader languages too, so the case page shows them in each (names via the catalogue).
    readers: dict[str, dict[str, tuple[str, ...]]] = {}
    for lang in current_app.config["LANGUAGES"]:
        if lang not in ("ja", "en"):
            with force_locale(lang):
                plan = permits.plan_permits(target, rules, today=today, lang=lang, translate=gettext)
            readers[lang] = {p.code: p.reasons for p in plan.permits}
    type_ids = dict(db.session.execute(select(PermitType.code, PermitType.id)).all())
    existing = {step.permit_type.code: step for step in shoot.steps}
    # Warnings about one permit ("no office on record", "too late") show on its step; keep the general ones.
    result = SyncResult(warnings={lang: [w for w in plan.warnings
                                         if not any(w.startswith(p.name(lang) + ":") for p in plan.permits)]
                                  for lang, plan in plans.items()})
    for permit in plans["ja"].permits:
        reasons = json.dumps([{"ja": ja, "en": en, **{lang: texts[permit.code][n] for lang, texts in readers.items()
                                                        if n < len(texts.get(permit.code, ()))}}
                              for n, (ja, en) in enumerate(zip(permit.reasons, english[permit.code].reasons))],
                             ensure_ascii=False)
        values = {
            "requirement": permit.status,
            "authority_id": permit.authority.authority.id if permit.authority else None,
            "authority_distance_km": permit.authority.distance_km if permit.authority else None,
            "due_date": permit.latest_filing_date, "lead_business_days": permit.lead_business_days,
            "reasons": reasons, "is_estimate": permit.is_estimate,
        }
        step = existing.pop(permit.code, None)
        if step is None:
            step = PermitStep(production=shoot.production, shoot=shoot, permit_type_id=type_ids[permit.code],
                              **values)
            db.session.add(step)
            result.created.append(step)
        elif step.status == "not_started":
            before = audit.snapshot(step, values)
            for name, value in values.items():
                setattr(step, name, value)
            changes = audit.diff(before, audit.snapshot(step, values))
            if changes:
                audit.record("update", step, changes=changes, detail="permit plan")
                result.updated.append(step)
        else:
            if shoot_changed:
                db.session.add(StepNote(step=step, body=NOTE_SHOOT_CHANGED))
            result.kept.append(step)
    for code, step in existing.items():
        if step.status == "not_started":
            audit.record("delete", step, changes={"permit_type": [code, None]}, detail="permit plan")
            db.session.delete(step)
            result.removed.append(code)
        else:
            if shoot_changed:
                db.session.add(StepNote(step=step, body=NOTE_NO_LONGER_REQUIRED))
            result.kept.append(step)
    db.session.flush()
    if result.removed:
        # The collections still hold the deleted rows until they are loaded again.
        db.session.expire(shoot, ["steps"])
        db.session.expire(shoot.production, ["steps"])
    for step in result.created:
        audit.record("create", step, changes={"permit_type": [None, step.permit_type.code],
                                              "due_date": [None, step.due_date.isoformat()]})
    notify_new_steps(shoot, result.created, link_for, actor)
    return result


def notify_new_steps(shoot, steps: list[PermitStep], link_for: Callable[[PermitStep], str],
                     actor: Optional[User]) -> None:
    """One save is one notification per person: the steps they may see (an officer only their authority's),
    as ``step_created`` for one step and as a ``steps_created`` digest for several; none to the actor."""
    if not steps:
        return
    staff = [shoot.production.owner, *fc_staff_of(shoot.production)]
    seen: dict[int, tuple[User, list[PermitStep]]] = {}
    for step in sorted(steps, key=lambda s: (s.due_date, s.id)):
        for user in (*staff, *officers_of(step.authority_id)):
            if user is None or (actor is not None and user.id == actor.id):
                continue
            seen.setdefault(user.id, (user, []))[1].append(step)
    for user, own in seen.values():
        first = own[0]
        if len(own) == 1:
            notify([user], "step_created", {**step_params(first), "due": first.due_date.isoformat()}, link_for(first))
            continue
        notify([user], "steps_created", {
            "production": shoot.production.title, "shoot": shoot.name, "count": len(own),
            "permits": [{"ja": s.permit_type.name_ja, "en": s.permit_type.name_en} for s in own],
            "due": first.due_date.isoformat()}, f"/productions/{shoot.production_id}#shoot-{shoot.id}")


def change_status(step: PermitStep, actor: User, to_status: str, note: str, conditions: Optional[str],
                  link: str) -> list[str]:
    """Move ``step`` if the rules allow it: records the note, the audit event and the notifications.
    Returns the problems (nothing changed when there are any)."""

    old = step.status
    problems = check_transition(actor.role, old, to_status, note, conditions)
    if problems:
        return problems
    note = (note or "").strip()
    step.status = to_status
    changes = {"status": [old, to_status]}
    if to_status == "approved_with_conditions":
        changes["conditions"] = [step.conditions, conditions.strip()]
        step.conditions = conditions.strip()
    if to_status == "not_needed":
        changes["not_needed_reason"] = [step.not_needed_reason, note]
        step.not_needed_reason = note
    db.session.add(StepNote(step=step, author_id=actor.id, body=note, from_status=old, to_status=to_status))
    audit.record("status", step, changes=changes, user=actor)
    notify(concerned(step, except_user=actor), "step_status",
           {**step_params(step), "from": old, "to": to_status, "by": actor.display_name}, link)
    return []


def under_way(step: PermitStep) -> bool:
    """Whether anyone has acted on the step (a status change, a note, a document): then its shoot can only be
    withdrawn, so the authority's record and decision survive."""
    return step.status != "not_started" or bool(step.notes) or bool(step.documents)


def can_delete_shoot(shoot) -> bool:
    return shoot.withdrawn_at is None and not any(under_way(step) for step in shoot.steps)


def withdraw_shoot(shoot, actor: User, reason: str, link_for: Callable[[PermitStep], str]) -> list[PermitStep]:
    """Withdraw ``shoot``: every step not yet closed becomes "withdrawn" (with a note saying so; decided steps
    keep their decision and conditions, and are marked withdrawn too), and the officers of each authority and
    the production's FC staff are told which of their steps it closes. Returns the steps it touched."""
    reason = (reason or "").strip()
    shoot.withdrawn_at, shoot.withdrawn_reason = clock.now(), reason or None
    touched = []
    for step in shoot.steps:
        if step.status == "withdrawn":
            continue
        old = step.status
        step.status = "withdrawn"
        db.session.add(StepNote(step=step, author_id=actor.id, body=reason, from_status=old, to_status="withdrawn"))
        audit.record("status", step, changes={"status": [old, "withdrawn"]}, user=actor, detail="shoot withdrawn")
        touched.append(step)
    audit.record("withdraw", shoot, changes={"withdrawn": [False, True]}, user=actor, detail=reason[:200] or None)
    params = {"production": shoot.production.title, "shoot": shoot.name, "by": actor.display_name,
              "reason": reason[:200]}
    link = link_for(touched[0]) if touched else None
    by_authority: dict[int, list[PermitStep]] = {}
    for step in touched:
        if step.authority_id is not None:
            by_authority.setdefault(step.authority_id, []).append(step)
    for authority_id, steps in by_authority.items():
        notify(officers_of(authority_id), "shoot_withdrawn", {**params, **_permit_list(steps)}, link_for(steps[0]))
    if touched:
        notify([u for u in fc_staff_of(shoot.production) if u.id != actor.id], "shoot_withdrawn",
               {**params, **_permit_list(touched)}, link)
    return touched


def notify_shoot_deleted(shoot, actor: User) -> None:
    """A shoot deleted before anyone acted on its steps: those who were told of the new steps learn they are gone."""
    params = {"production": shoot.production.title, "shoot": shoot.name, "by": actor.display_name}
    people = [*fc_staff_of(shoot.production)]
    for step in shoot.steps:
        people += officers_of(step.authority_id)
    if shoot.steps:
        notify([u for u in people if u.id != actor.id], "shoot_deleted", {**params, **_permit_list(shoot.steps)})


def _permit_list(steps) -> dict[str, str]:
    return {"permit_ja": "、".join(s.permit_type.name_ja for s in steps),
            "permit_en": ", ".join(s.permit_type.name_en for s in steps)}


def add_comment(step: PermitStep, actor: User, body: str, link: str) -> None:

    db.session.add(StepNote(step=step, author_id=actor.id, body=body.strip()))
    audit.record("comment", step, detail=body.strip()[:200], user=actor)
    notify(concerned(step, except_user=actor), "step_note", {**step_params(step), "by": actor.display_name}, link)


def note_document(step: PermitStep, document, actor: User, link: str) -> None:
    audit.record("upload", step, user=actor, changes={"document": [None, document.original_name]})
    notify(concerned(step, except_user=actor), "step_note", {**step_params(step), "by": actor.display_name}, link)


def toggle_tick(production: Production, guideline_step, actor: User, done: bool) -> bool:
    """Tick or untick one guideline cell; returns whether anything changed."""

    tick = next((t for t in production.checklist if t.guideline_step_id == guideline_step.id), None)
    if done == (tick is not None):
        return False
    if done:
        production.checklist.append(ChecklistTick(guideline_step_id=guideline_step.id, ticked_by_id=actor.id))
    else:
        production.checklist.remove(tick)
        db.session.delete(tick)
    audit.record("tick" if done else "untick", production, user=actor,
                 changes={"checklist": [None, f"{guideline_step.phase}/{guideline_step.actor}"] if done
                          else [f"{guideline_step.phase}/{guideline_step.actor}", None]})
    return True


STEP_GROUPS = {
    "step_created": ("new_steps", _l("New permit steps")),
    "steps_created": ("new_steps", _l("New permit steps")),
    "step_status": ("step_status", _l("Status changes of permit steps")),
    "step_note": ("step_notes", _l("Notes and documents on permit steps")),
    "step_due_soon": ("reminders", _l("Filing deadline reminders")),
    "step_overdue": ("reminders", _l("Filing deadline reminders")),
    "step_reminders": ("reminders", _l("Filing deadline reminders")),
}
DUE_SOON_TEXT = _l("%(production)s · %(shoot)s: “%(permit)s” is due on %(due)s.")
OVERDUE_TEXT = _l("%(production)s · %(shoot)s: “%(permit)s” was due on %(due)s and is overdue.")
register_kinds({
    "step_created": _l("%(production)s · %(shoot)s: new permit step “%(permit)s”, file by %(due)s."),
    "steps_created": _l("%(production)s · %(shoot)s: %(count)s new permit steps (%(permits)s); the first is due by "
                        "%(due)s."),
    "step_status": _l("%(production)s · %(shoot)s: “%(permit)s” changed from %(from)s to %(to)s (by %(by)s)."),
    "step_note": _l("%(production)s · %(shoot)s: %(by)s added a note or document to “%(permit)s”."),
    # Rows from before the daily digest (one per step) still read.
    "step_due_soon": DUE_SOON_TEXT,
    "step_overdue": OVERDUE_TEXT,
    "step_reminders": _l("Filing deadlines: %(overdue)s overdue, %(due_soon)s due within %(days)s days."),
    "shoot_withdrawn": _l("%(production)s · %(shoot)s was withdrawn by %(by)s: “%(permit)s” closed as withdrawn, "
                          "decisions kept on record. %(reason)s"),
    "shoot_deleted": _l("%(production)s · %(shoot)s was deleted by %(by)s before any work on it: "
                        "“%(permit)s” no longer needed."),
}, status_params={"step_status": {"from": STEP_STATUS_LABELS, "to": STEP_STATUS_LABELS}}, groups=STEP_GROUPS,
   items={"step_reminders": {"due_soon": DUE_SOON_TEXT, "overdue": OVERDUE_TEXT}})
