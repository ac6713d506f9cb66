"""Forms, one per role and purpose: a form lists exactly the fields that role may set."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from .limits import LONG_TEXT  # noqa: F401 (the forms' field limit)


class WholeNumberField(IntegerField):
    """An integer field that refuses numbers too long to mean anything: Python's ints are unbounded, and
    WTForms' range check turns a 400-digit number into a float and fails with OverflowError."""

    MAX_DIGITS = 15

    def process_formdata(self, valuelist):
        if valuelist and len(str(valuelist[0]).strip().lstrip("+-")) > self.MAX_DIGITS:
            self.data = None
            raise ValueError(_l("Not a valid integer value."))
        super().process_formdata(valuelist)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class SignupForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField(_l("Create account"))


class VersionedForm(FlaskForm):
    # The version the editor started from; a save based on an older one is a conflict (409).
    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


TRI_STATE = choices([("", _l("not known")), ("1", _l("yes")), ("0", _l("no"))])


class LocationForm(VersionedForm):
    name_ja = StringField(_l("Name (Japanese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    category = SelectField(_l("Category"), validators=[DataRequired()])
    description_ja = TextAreaField(_l("Description (Japanese)"), validators=[Optional(), Length(max=LONG_TEXT)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=LONG_TEXT)])
    tags = StringField(_l("Tags (comma-separated)"), validators=[Optional(), Length(max=300)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    lat = DecimalField(_l("Latitude"), places=6, validators=[Optional(), NumberRange(20, 46)])
    lon = DecimalField(_l("Longitude"), places=6, validators=[Optional(), NumberRange(122, 154)])
    has_parking = SelectField(_l("Parking"), choices=TRI_STATE, default="", validate_choice=False)
    has_power = SelectField(_l("Power supply"), choices=TRI_STATE, default="", validate_choice=False)
    has_toilets = SelectField(_l("Toilets"), choices=TRI_STATE, default="", validate_choice=False)
    has_green_room = SelectField(_l("Green room"), choices=TRI_STATE, default="", validate_choice=False)
    has_wifi = SelectField(_l("Wi-Fi"), choices=TRI_STATE, default="", validate_choice=False)
    has_large_vehicles = SelectField(_l("Large vehicles"), choices=TRI_STATE, default="", validate_choice=False)
    parking_note = StringField(_l("Parking note"), validators=[Optional(), Length(max=300)])
    access_ja = TextAreaField(_l("Access (Japanese)"), validators=[Optional(), Length(max=LONG_TEXT)])
    access_en = TextAreaField(_l("Access (English)"), validators=[Optional(), Length(max=LONG_TEXT)])
    typical_permits = SelectMultipleField(_l("Permits usually needed"), validators=[Optional()])
    source = TextAreaField(_l("Source of this information"), validators=[DataRequired(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Save"))


class PhotoUploadForm(FlaskForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"), validators=[FileRequired()])
    caption_ja = StringField(_l("Caption (Japanese)"), validators=[Optional(), Length(max=300)])
    caption_en = StringField(_l("Caption (English)"), validators=[Optional(), Length(max=300)])
    credit = StringField(_l("Credit"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Upload"))


class PhotoEditForm(FlaskForm):
    caption_ja = StringField(_l("Caption (Japanese)"), validators=[Optional(), Length(max=300)])
    caption_en = StringField(_l("Caption (English)"), validators=[Optional(), Length(max=300)])
    credit = StringField(_l("Credit"), validators=[Optional(), Length(max=200)])
    position = WholeNumberField(_l("Order"), validators=[Optional(), NumberRange(0, 999)])
    submit = SubmitField(_l("Save"))


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""

    submit = SubmitField()


class UserForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    commission = SelectField(_l("Film commission (for FC staff)"), validators=[Optional()])
    authority = SelectField(_l("Permit authority (for authority officers)"), validators=[Optional()])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField(_l("Create user"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or GeoJSON file"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Check only (dry run)"), default=True)
    submit = SubmitField(_l("Check file"))


class CategoryForm(FlaskForm):
    name_ja = StringField(_l("Name (Japanese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=100)])
    typical_permits = StringField(_l("Permits usually needed (codes, separated by ;)"),
                                  validators=[Optional(), Length(max=300), Regexp(r"^[A-Z_;\s]*$")])
    submit = SubmitField(_l("Save"))
