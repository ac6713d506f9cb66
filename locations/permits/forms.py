"""The authority form: what an admin or the office's own officer keeps up to date (jurisdiction, parent body,
whether it takes applications, contacts). Name, kind, prefectures and sources stay with the sourced seed and
the admin import."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, Length, Optional, Regexp

from ..core.forms import MultiCheckboxField, VersionedForm, choices

JURISDICTION_LABELS = {
    "municipalities": _l("The municipalities ticked below"),
    "prefecture": _l("The whole prefecture"),
    "unknown": _l("Not known yet"),
}


class AuthorityForm(VersionedForm):
    jurisdiction = RadioField(_l("Jurisdiction"), choices=choices(JURISDICTION_LABELS.items()))
    served = MultiCheckboxField(_l("Municipalities served"), validators=[Optional()])
    parent = SelectField(_l("Parent body"), validators=[Optional()])
    takes_applications = BooleanField(_l("Takes applications from film crews"))
    confirmed = BooleanField(_l("Confirmed: this office exists and its record has been checked"))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), Regexp(
        r"^[0-9+()\- ]*$", message=_l("Digits, spaces, +, ( ) and - only."))])
    email = EmailField(_l("Application email"), validators=[Optional(), Email(check_deliverability=False),
                                                             Length(max=200)])
    # It becomes a link: only http(s), never a javascript: URL.
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300), Regexp(
        r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", message=_l("Give a web address: http://… or https://…"))])
    contact_note = TextAreaField(_l("How to apply (hours, section, phone first…)"),
                                 validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.jurisdiction.data == "municipalities" and not self.served.data:
            self.served.errors = [*self.served.errors, _l("Tick the municipalities this office serves, or choose "
                                                          "another jurisdiction.")]
            valid = False
        if self.jurisdiction.data != "municipalities" and self.served.data:
            self.jurisdiction.errors = [*self.jurisdiction.errors, _l(
                "You ticked municipalities: choose “The municipalities ticked below”, or untick them.")]
            valid = False
        return valid
