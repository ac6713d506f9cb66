"""The one role table: codes, names in each language, where each role lands after sign-in, and the named
groups that pages allow. Adding a role starts here (and in the domain policies that should admit it)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLES = ("admin", "fc_staff", "authority", "producer")

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "fc_staff": _l("Film-commission staff"),
    "authority": _l("Authority officer"),
    "producer": _l("Producer"),
}

# The page each role starts from after signing in (an endpoint name).
HOME_ENDPOINTS = {
    "admin": "admin.index",
    "fc_staff": "library.workspace",
    "authority": "directory.index",
    "producer": "directory.index",
}

# Named groups, for the access decorators (core/access.py) and the navigation.
SIGNED_IN = ROLES
CASE_ACTORS = ("producer", "fc_staff", "authority")  # admins read permit cases but do not act in them
CASE_VIEWERS = ("producer", "fc_staff", "admin")  # who has a list of productions


def role_label(role: str) -> str:
    """The role's name in the current language (the code itself for an unknown role)."""
    return str(ROLE_LABELS.get(role, role))


def home_endpoint(role: str) -> str:
    return HOME_ENDPOINTS.get(role, "directory.index")
