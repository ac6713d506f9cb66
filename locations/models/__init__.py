"""Models, one module per domain; imported here so Alembic and the app see every table."""
from .accounts import ROLES, User
from .audit import AuditEvent
from .directory import FilmCommission, Municipality, Prefecture, RegionalBlock
from .incentives import IncentiveProgram
from .library import FACILITIES, Location, LocationCategory, LocationCell, Photo
from .permits import (
    Activity,
    ActivityPermit,
    AuthorityKind,
    GuidelineStep,
    PermitAuthority,
    PermitType,
)

__all__ = [
    "ROLES",
    "AuditEvent",
    "User",
    "FACILITIES",
    "Location",
    "LocationCategory",
    "LocationCell",
    "Photo",
    "Activity",
    "ActivityPermit",
    "AuthorityKind",
    "FilmCommission",
    "GuidelineStep",
    "IncentiveProgram",
    "Municipality",
    "PermitAuthority",
    "PermitType",
    "Prefecture",
    "RegionalBlock",
]
