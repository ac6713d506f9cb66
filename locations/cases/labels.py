"""The permit case's vocabularies, named once: production types and origins, and permit step statuses."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

PRODUCTION_TYPE_LABELS = {
    "feature_film": _l("Feature film"),
    "tv_drama": _l("TV drama"),
    "tv_program": _l("TV programme"),
    "commercial": _l("Commercial"),
    "music_video": _l("Music video"),
    "documentary": _l("Documentary"),
    "streaming_series": _l("Streaming series"),
    "animation_reference": _l("Animation (reference shooting)"),
    "other": _l("Other"),
}
ORIGIN_LABELS = {"domestic": _l("Domestic"), "foreign": _l("Foreign"), "co_production": _l("Co-production")}
STEP_STATUS_LABELS = {
    "not_started": _l("Not started"),
    "consulted": _l("Consulted"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "approved_with_conditions": _l("Approved with conditions"),
    "rejected": _l("Rejected"),
    "not_needed": _l("Not needed"),
    "withdrawn": _l("Withdrawn"),
}
