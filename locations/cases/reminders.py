"""flask reminders: the daily run that warns of filing deadlines coming up or missed (the worker runs it too)."""
from __future__ import annotations

from datetime import date, timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.notifications import notify
from ..core.clock import today_jst
from ..core.extensions import db
from .models import PermitStep, Production
from .workflow import AWAITING_FILING, fc_staff_of


def step_link(step: PermitStep) -> str:
    # The step page's URL (producer.step); written out because the command has no request to build it from.
    return f"/productions/{step.production_id}/steps/{step.id}"


def step_params(step: PermitStep) -> dict[str, str]:
    return {"production": step.production.title, "shoot": step.shoot.name,
            "permit_ja": step.permit_type.name_ja, "permit_en": step.permit_type.name_en,
            "due": step.due_date.isoformat()}


def reminder_recipients(production: Production) -> list[User]:
    """The producer who owns the production and the staff of its film commissions."""
    return [production.owner, *fc_staff_of(production)]


def reminder_item(step: PermitStep, today: date) -> dict[str, str]:
    return {**step_params(step), "state": "overdue" if step.due_date < today else "due_soon", "link": step_link(step)}


def queue_reminders(today: date, days_before: int) -> int:
    """One ``step_reminders`` digest per person and day listing the steps not filed yet that are due within
    ``days_before`` days or already overdue (overdue first), so the badge and the inbox count one reminder,
    not one per step. A second run the same day adds nothing. Returns how many notifications were added."""
    horizon = today + timedelta(days=days_before)
    steps = db.session.scalars(
        select(PermitStep).where(PermitStep.status.in_(AWAITING_FILING), PermitStep.due_date <= horizon)
        .options(selectinload(PermitStep.production).selectinload(Production.commissions),
                 selectinload(PermitStep.shoot), selectinload(PermitStep.permit_type))
        .order_by(PermitStep.due_date, PermitStep.id)).all()
    recipients: dict[int, list[User]] = {}  # per production: one staff query each, not one per step
    per_user: dict[int, tuple[User, list[PermitStep]]] = {}
    for step in steps:
        if step.production_id not in recipients:
            recipients[step.production_id] = reminder_recipients(step.production)
        for user in recipients[step.production_id]:
            if user is not None:
                own = per_user.setdefault(user.id, (user, []))[1]
                if step not in own:
                    own.append(step)
    added = 0
    for user, own in per_user.values():
        items = [reminder_item(step, today) for step in own]
        productions = {step.production_id for step in own}
        # One production: its case page; several: the inbox, where each line links to its step.
        link = f"/productions/{own[0].production_id}" if len(productions) == 1 else "/notifications"
        overdue = sum(item["state"] == "overdue" for item in items)
        made = notify([user], "step_reminders", {"count": len(items), "overdue": overdue,
                                                 "due_soon": len(items) - overdue, "days": days_before,
                                                 "items": items},
                      link, dedupe_key=f"step_reminders:{today.isoformat()}")
        added += len(made)
    return added


@click.command("reminders")
@with_appcontext
@click.option("--today", "today_text", metavar="YYYY-MM-DD", help="Run as if it were this day (default: today in Japan).")
def reminders_command(today_text: str | None) -> None:
    """Add deadline reminders for permit steps (their emails go out through the worker)."""
    try:
        today = date.fromisoformat(today_text) if today_text else today_jst()
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD", param_hint="--today") from None
    added = queue_reminders(today, int(current_app.config["REMINDER_DAYS_BEFORE"]))
    db.session.commit()
    click.echo(f"reminders: {added} notification(s) added for {today.isoformat()}")


def init_app(app: Flask) -> None:
    app.cli.add_command(reminders_command)
