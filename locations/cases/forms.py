"""Forms of the permit case: productions, shoots, step status, comments, documents, checklist ticks."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from ..core.forms import LONG_TEXT, MultiCheckboxField, VersionedForm, WholeNumberField, choices
from .labels import ORIGIN_LABELS, PRODUCTION_TYPE_LABELS


class ProductionForm(VersionedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    company = StringField(_l("Production company"), validators=[DataRequired(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=100)])
    contact_email = EmailField(_l("Contact email"), validators=[DataRequired(), Email(check_deliverability=False),
                                                                Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40),
                                                                 Regexp(r"^[0-9+()\- ]*$")])
    origin = SelectField(_l("Origin"), choices=choices(ORIGIN_LABELS.items()), default="domestic")
    origin_country = StringField(_l("Country (for foreign productions and co-productions)"),
                                 validators=[Optional(), Length(max=80)])
    production_type = SelectField(_l("Type of production"), choices=choices(PRODUCTION_TYPE_LABELS.items()),
                                  default="feature_film")
    languages = StringField(_l("Languages of the crew (e.g. ja, en)"), validators=[Optional(), Length(max=200)])
    commissions = SelectMultipleField(_l("Film commissions involved"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Save"))


WHERE_CHOICES = choices([("library", _l("A location from the library")), ("point", _l("A point on the map")),
                         ("address", _l("An address or place name"))])


class ShootForm(FlaskForm):
    name = StringField(_l("Scene or shoot name"), validators=[DataRequired(), Length(max=200)])
    where = RadioField(_l("Where"), choices=WHERE_CHOICES, default="address", validators=[InputRequired()])
    location = StringField(_l("Library location (type its name to choose)"),
                           validators=[Optional(), Length(max=300)])
    # Set by static/js/library_pick.js when a suggestion is picked; the typed name alone works too.
    location_slug = HiddenField(validators=[Optional(), Length(max=120)])
    lat = DecimalField(_l("Latitude"), places=6, validators=[Optional(), NumberRange(20, 46)])
    lon = DecimalField(_l("Longitude"), places=6, validators=[Optional(), NumberRange(122, 154.5)])
    address = StringField(_l("Address or place name"), validators=[Optional(), Length(max=300)])
    start_date = DateField(_l("First shooting day"), validators=[InputRequired()])
    end_date = DateField(_l("Last shooting day"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[Optional()])
    end_time = TimeField(_l("End time"), validators=[Optional()])
    crew_size = WholeNumberField(_l("Crew size"), validators=[Optional(), NumberRange(1, 10_000)])
    activities = MultiCheckboxField(_l("What the shoot does"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Save shoot"))


class StatusForm(FlaskForm):
    # The step's version when the page was loaded: a change based on an older one is refused (409).
    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])
    status = SelectField(_l("New status"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=LONG_TEXT)])
    conditions = TextAreaField(_l("Conditions (for an approval with conditions)"),
                               validators=[Optional(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Change status"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Add comment"))


class DocumentForm(FlaskForm):
    file = FileField(_l("Document (PDF, PNG, JPEG or Office file, at most 10 MB)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


class TickForm(FlaskForm):
    done = HiddenField(validators=[InputRequired(), Regexp(r"^[01]$")])


class WithdrawShootForm(FlaskForm):
    reason = TextAreaField(_l("Why is the shoot withdrawn? (sent to the authorities and film commission staff)"),
                           validators=[Optional(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Withdraw the shoot"))
