"""The film commission profile forms: what FC staff may change, and what admins add to it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, Length, Optional, Regexp

from ..core.forms import VersionedForm
from ..core.limits import LONG_TEXT


class CommissionProfileForm(VersionedForm):
    """What film-commission staff may change about their own commission."""

    name_ja = StringField(_l("Name (Japanese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), Regexp(r"^[0-9+()\- ]*$")])
    email = EmailField(_l("Email"), validators=[Optional(), Email(check_deliverability=False), Length(max=200)])
    website = StringField(_l("Website"), validators=[Optional(), URL(require_tld=True), Length(max=300)])
    languages = StringField(_l("Languages (e.g. ja, en)"), validators=[Optional(), Length(max=100),
                                                                      Regexp(r"^[a-z]{2}(\s*,\s*[a-z]{2})*$")])
    services_ja = TextAreaField(_l("Services (Japanese)"), validators=[Optional(), Length(max=LONG_TEXT)])
    services_en = TextAreaField(_l("Services (English)"), validators=[Optional(), Length(max=LONG_TEXT)])
    description_ja = TextAreaField(_l("Description (Japanese)"), validators=[Optional(), Length(max=LONG_TEXT)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Save"))


class AdminCommissionForm(CommissionProfileForm):
    """Admins also decide what only they may vouch for: sources and verification flags."""

    source = TextAreaField(_l("Source"), validators=[DataRequired(), Length(max=LONG_TEXT)])
    website_unverified = BooleanField(_l("Website unverified"))
    coords_approximate = BooleanField(_l("Position approximate (municipality office)"))
