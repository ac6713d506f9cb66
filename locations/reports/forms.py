"""The shoot report form FC staff fill in after a shoot (effect verification)."""
from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..cases.labels import ORIGIN_LABELS, PRODUCTION_TYPE_LABELS
from ..core.forms import LONG_TEXT, VersionedForm, WholeNumberField, choices
from ..core.limits import MAX_YEN
from .models import SPEND_CATEGORIES

SPEND_LABELS = {
    "lodging": _l("Lodging"),
    "catering": _l("Catering"),
    "transport": _l("Transport"),
    "local_staff": _l("Local staff"),
    "location_fees": _l("Location fees"),
    "other": _l("Other spend"),
}


class YenField(StringField):
    """A whole number of yen, 0 or more, as people type it: "1,200,000", "１２０００" or "12000円"."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        # NFKC turns full-width digits and commas (common in Japanese input) into ASCII ones.
        text = unicodedata.normalize("NFKC", valuelist[0]).strip()
        text = re.sub(r"[,\s]", "", text).removesuffix("円").removeprefix("¥")
        if text == "":
            self.data = 0
            return
        if not re.fullmatch(r"\d{1,14}", text) or int(text) > MAX_YEN:
            self.data = None
            raise ValueError(_l("Enter a whole number of yen, 0 or more (commas are fine)."))
        self.data = int(text)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}" if isinstance(self.data, int) else ""


class ShootReportForm(VersionedForm):
    production_title = StringField(_l("Production title"), validators=[DataRequired(), Length(max=200)])
    production_type = SelectField(_l("Type of production"), choices=choices(PRODUCTION_TYPE_LABELS.items()))
    origin = SelectField(_l("Origin"), choices=choices(ORIGIN_LABELS.items()))
    origin_country = StringField(_l("Country (for foreign productions)"), validators=[Optional(), Length(max=80)])
    # The view checks it is the FC's own prefecture, with a message saying why.
    prefecture_id = SelectField(_l("Prefecture"), coerce=int, validate_choice=False)
    # Choices are the chosen prefecture's municipalities; the view checks the pair.
    municipality_id = SelectField(_l("Municipality"), validate_choice=False)
    first_day = DateField(_l("First day"), validators=[InputRequired()])
    last_day = DateField(_l("Last day"), validators=[InputRequired()])
    shoot_days = WholeNumberField(_l("Shooting days"), validators=[InputRequired(), NumberRange(1, 3660)])
    crew_size = WholeNumberField(_l("Crew size"), validators=[InputRequired(), NumberRange(1, 100_000)])
    spend_lodging_jpy = YenField(SPEND_LABELS["lodging"], default=0)
    spend_catering_jpy = YenField(SPEND_LABELS["catering"], default=0)
    spend_transport_jpy = YenField(SPEND_LABELS["transport"], default=0)
    spend_local_staff_jpy = YenField(SPEND_LABELS["local_staff"], default=0)
    spend_location_fees_jpy = YenField(SPEND_LABELS["location_fees"], default=0)
    spend_other_jpy = YenField(SPEND_LABELS["other"], default=0)
    spend_is_estimate = BooleanField(_l("The spend figures are estimates"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=LONG_TEXT)])
    submit = SubmitField(_l("Save"))

    SPEND_FIELDS = tuple(f"spend_{c}_jpy" for c in SPEND_CATEGORIES)
