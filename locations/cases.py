"""The permit case of a production: who may see it, and (below) how its steps move."""
from __future__ import annotations

from sqlalchemy import Select, exists, select

from .models import PermitStep, Production, User
from .models.productions import production_commission


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
                                          PermitStep.authority_id == user.authority_id))
    return query.where(Production.id.is_(None))


def can_view(user: User, production: Production) -> bool:
    if user.role == "admin":
        return True
    if user.role == "producer":
        return production.owner_id == user.id
    if user.role == "fc_staff":
        return user.commission_id is not None and any(c.id == user.commission_id for c in production.commissions)
    if user.role == "authority":
        return user.authority_id is not None and any(s.authority_id == user.authority_id for s in production.steps)
    return False
