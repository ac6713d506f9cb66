"""The step status machine, without an app: every role × from × to, notes and conditions."""
from datetime import date, timedelta
from itertools import product
from types import SimpleNamespace

import pytest

from locations.cases.models import STEP_STATUSES
from locations.cases.workflow import (
    CLOSED,
    DECISIONS,
    RANK,
    allowed_targets,
    check_transition,
    is_backwards,
    is_due_soon,
    is_overdue,
)

ROLES = ("producer", "authority", "fc_staff", "admin", "anonymous")
FORWARD_PRODUCER = {("not_started", "consulted"), ("not_started", "submitted"), ("consulted", "submitted"),
                    ("not_started", "not_needed"), ("consulted", "not_needed"), ("submitted", "not_needed")}
FORWARD_AUTHORITY = {("not_started", "consulted"), ("consulted", "approved"), ("submitted", "approved"),
                     ("consulted", "approved_with_conditions"), ("submitted", "approved_with_conditions"),
                     ("consulted", "rejected"), ("submitted", "rejected")}


def expected_allowed(role: str, old: str, new: str) -> bool:
    """The rules written out case by case, independently of how cases.py derives them."""
    if old == new or "withdrawn" in (old, new):
        return False  # only withdrawing the shoot closes a step as withdrawn, and nothing reopens it
    backwards = RANK[new] < RANK[old] or (old in CLOSED and new in CLOSED)
    if role == "producer":
        if new in DECISIONS:
            return False  # producers never decide
        if new == "not_needed":
            return old not in CLOSED
        return (old, new) in FORWARD_PRODUCER or backwards
    if role == "authority":
        if new in ("not_started", "submitted", "not_needed"):
            return False
        if new == "consulted":
            return old == "not_started" or backwards
        return (old, new) in FORWARD_AUTHORITY or (old in DECISIONS and backwards)
    return False


@pytest.mark.parametrize("role, old, new", list(product(ROLES, STEP_STATUSES, STEP_STATUSES)))
def test_every_role_from_and_to(role, old, new):
    # With a note and conditions every allowed move passes; the others are refused whatever is given.
    problems = check_transition(role, old, new, note="because", conditions="no filming after 21:00")
    assert (problems == []) is expected_allowed(role, old, new), problems
    assert (new in allowed_targets(role, old)) is expected_allowed(role, old, new)


@pytest.mark.parametrize("role, old, new", [
    (r, o, n) for r, o, n in product(("producer", "authority"), STEP_STATUSES, STEP_STATUSES)
    if expected_allowed(r, o, n)])
def test_notes_are_required_backwards_for_rejection_and_not_needed(role, old, new):
    problems = check_transition(role, old, new, note="  ", conditions="with conditions")
    needs_note = is_backwards(old, new) or new in ("rejected", "not_needed")
    assert bool(problems) is needs_note


def test_examples_from_the_brief():
    assert check_transition("producer", "rejected", "submitted", "resubmitted with a new route map") == []
    assert check_transition("producer", "rejected", "submitted", "") == ["Moving a step back needs a note saying why."]
    assert check_transition("authority", "approved", "consulted", "") == ["Moving a step back needs a note saying why."]
    assert check_transition("authority", "approved", "consulted", "new date needs a new look") == []
    assert check_transition("producer", "submitted", "approved", "ok") == ["Your role cannot make this change."]
    assert check_transition("fc_staff", "not_started", "consulted", "ok") == ["Your role cannot make this change."]
    assert check_transition("authority", "submitted", "approved", None) == []


def test_conditions_are_required_for_a_conditional_approval():
    assert check_transition("authority", "submitted", "approved_with_conditions", "", "") == [
        "Give the conditions of the approval."]
    assert check_transition("authority", "submitted", "approved_with_conditions", "", "until 18:00") == []


def test_rejection_and_not_needed_need_a_note():
    assert check_transition("authority", "submitted", "rejected", "") == ["A rejection needs a note with the reasons."]
    assert check_transition("producer", "consulted", "not_needed", "") == ["Say why this permit is not needed."]


def test_same_status_and_unknown_status_are_refused():
    assert check_transition("producer", "consulted", "consulted", "again") == ["The step already has this status."]
    assert check_transition("producer", "consulted", "granted", "x") == ["Unknown status."]
    assert allowed_targets("producer", "granted") == set()


def test_due_flags():
    today = date(2030, 5, 1)
    step = SimpleNamespace(due_date=today - timedelta(days=1), status="consulted")
    assert is_overdue(step, today) and not is_due_soon(step, today)
    step.status = "submitted"  # filed, if late: waiting on the authority now, not on the producer
    assert not is_overdue(step, today)
    step.status = "approved"
    assert not is_overdue(step, today)
    step = SimpleNamespace(due_date=today + timedelta(days=7), status="not_started")
    assert is_due_soon(step, today) and not is_overdue(step, today)
    step.due_date = today + timedelta(days=8)
    assert not is_due_soon(step, today)
    step.status, step.due_date = "not_needed", today
    assert not is_due_soon(step, today)
