"""A place's name for the reader: Japanese pages show the Japanese name; other pages the English name, else the
romanised one (h-12's ``name_romaji``, when the column exists) marked as such, else the Japanese name marked
``lang="ja"`` so that screen readers and the script checks know it is Japanese."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..core.i18n import current_language, localized_value


def place_name_text(location) -> str:
    """The name as plain text (titles, map labels)."""
    if current_language() == "ja" or location.name_en:
        return localized_value(location.name_ja, location.name_en)
    return getattr(location, "name_romaji", None) or location.name_ja


def place_name(location) -> Markup:
    """The name as HTML, the romanised or Japanese fallback marked."""
    if current_language() == "ja" or location.name_en:
        return escape(localized_value(location.name_ja, location.name_en))
    romaji = getattr(location, "name_romaji", None)
    if romaji:
        return Markup('{} <span class="muted small">({}, <span lang="ja">{}</span>)</span>').format(
            romaji, _("romanised"), location.name_ja
        )
    return Markup('<span lang="ja">{}</span>').format(location.name_ja)
