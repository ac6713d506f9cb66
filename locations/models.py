"""Models, one module per domain; imported here so Alembic and the app see every table."""
from .accounts.models import ROLES, LoginThrottle, Notification, OutboxMessage, RecoveryCode, User, UserSession
from .cases.models import (
    ORIGINS,
    PRODUCTION_TYPES,
    STEP_STATUSES,
    ChecklistTick,
    PermitStep,
    Production,
    Shoot,
    StepDocument,
    StepNote,
)
from .collaboration.models import (
    INQUIRY_SOURCES,
    INQUIRY_STATUSES,
    Inquiry,
    InquiryMessage,
    InquiryReferral,
    KnowhowNote,
    Shortlist,
    ShortlistItem,
)
from .core.models import AuditEvent, JobRun
from .directory.models import FilmCommission, Municipality, Prefecture, RegionalBlock
from .incentives.models import IncentiveProgram
from .library.models import FACILITIES, Location, LocationCategory, LocationCell, LocationContact, Photo
from .permits.models import Activity, ActivityPermit, AuthorityKind, GuidelineStep, PermitAuthority, PermitType
from .reports.models import SPEND_CATEGORIES, ShootReport

__all__ = [
    "INQUIRY_SOURCES",
    "INQUIRY_STATUSES",
    "SPEND_CATEGORIES",
    "Inquiry",
    "InquiryMessage",
    "InquiryReferral",
    "KnowhowNote",
    "LocationContact",
    "Shortlist",
    "ShortlistItem",
    "ShootReport",
    "ORIGINS",
    "PRODUCTION_TYPES",
    "STEP_STATUSES",
    "ChecklistTick",
    "Notification",
    "JobRun",
    "OutboxMessage",
    "PermitStep",
    "Production",
    "Shoot",
    "StepDocument",
    "StepNote",
    "ROLES",
    "AuditEvent",
    "User",
    "UserSession",
    "RecoveryCode",
    "LoginThrottle",
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
