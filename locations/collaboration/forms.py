"""Forms for inquiries and the block know-how board."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from ..core.forms import LONG_TEXT, VersionedForm, choices
from .inquiries import STATUS_LABELS


class AskForm(FlaskForm):
    """Anyone asking a film commission for help; a signed-in producer finds the contact fields filled in."""

    contact_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    contact_email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False),
                                                        Length(max=254)])
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), Regexp(r"^[0-9+()\- ]*$")])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("What do you need?"), validators=[DataRequired(), Length(max=LONG_TEXT)])
    where_text = StringField(_l("Where"), validators=[Optional(), Length(max=300)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    locations = TextAreaField(_l("Locations you are interested in (their addresses on this site, optional)"),
                              validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Send the inquiry"))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The last day comes before the first day."))


class ProducerMessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Send"))


class HandlingForm(VersionedForm):
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS.items()))
    assigned_to = SelectField(_l("Assigned to"), validate_choice=False)
    submit = SubmitField(_l("Save"))


class FcMessageForm(FlaskForm):
    """One text, two buttons: a reply the producer reads, or a note only FC staff read."""

    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=LONG_TEXT)])
    send_reply = SubmitField(_l("Reply to the asker"))
    add_note = SubmitField(_l("Add an internal note"))


class ProposeForm(FlaskForm):
    locations = TextAreaField(_l("Locations to propose (their addresses on this site)"),
                              validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Propose"))


class ReferForm(FlaskForm):
    to_commission = SelectField(_l("Film commission"), validators=[DataRequired()])
    mode = RadioField(_l("How"), choices=choices([("refer", _l("Refer: the other FC takes the inquiry over")),
                                                  ("copy", _l("Copy: both FCs work on it"))]),
                      default="refer", validators=[DataRequired()])
    note = TextAreaField(_l("Note to the other FC"), validators=[Optional(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Send"))

    def validate_note(self, field):
        if self.mode.data == "refer" and not (field.data or "").strip():
            raise ValidationError(_l("A note is required when you refer an inquiry."))


class KnowhowForm(VersionedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=LONG_TEXT)])
    permit_types = SelectMultipleField(_l("Permit types"), validators=[Optional()])
    prefectures = SelectMultipleField(_l("Prefectures"), validators=[Optional()])
    shared_with_all_blocks = BooleanField(_l("Share with all blocks"))
    submit = SubmitField(_l("Save"))

