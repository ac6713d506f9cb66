"""The location library's forms: a location, its photos, a file to import, and a category (for admins)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from ..core.forms import TRI_STATE, VersionedForm, WholeNumberField
from ..core.limits import LONG_TEXT


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


class ContactForm(FlaskForm):
    """The owner or manager of a place, and which of these details producers may see."""

    name = StringField(_l("Contact name"), validators=[Optional(), Length(max=200)])
    organisation = StringField(_l("Owner or manager (organisation)"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40),
                                                 Regexp(r"^[0-9０-９+()（）\-‐ー－ ]+$",
                                                        message=_l("Use digits, spaces, +, - and brackets only."))])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254), Email(check_deliverability=False)])
    note = TextAreaField(_l("How to reach them (hours, who to ask for)"), validators=[Optional(), Length(max=2000)])
    share_name = BooleanField(_l("Share the contact name with producers"))
    share_organisation = BooleanField(_l("Share the owner or manager with producers"))
    share_phone = BooleanField(_l("Share the phone number with producers"))
    share_email = BooleanField(_l("Share the email address with producers"))
    share_note = BooleanField(_l("Share how to reach them with producers"))
