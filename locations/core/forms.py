"""Forms, one per role and purpose: a form lists exactly the fields that role may set."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

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


class VersionedForm(FlaskForm):
    # The version the editor started from; a save based on an older one is a conflict (409).
    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice as a list of checkboxes: usable without JavaScript, unlike a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


TRI_STATE = choices([("", _l("not known")), ("1", _l("yes")), ("0", _l("no"))])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""

    submit = SubmitField()
