"""Which library location a producer means in the shoot form: typed by name (Japanese or English, or the label
the suggestions show), or picked from the suggestions (their slug rides along in a hidden field)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import or_, select

from ..core.extensions import db
from ..core.i18n import localized
from ..library import queries as library
from ..library.models import Location
from ..library.queries import LocationFilter

LABEL_SEPARATOR = " · "


def visible() -> tuple:
    return (Location.status == "published", Location.hidden_stale.is_(False))


def label(location: Location) -> str:
    """What a suggestion says and puts in the field: the name in the reader's language, the other-language name
    when there is one, and the town, so two places of one name can be told apart."""
    shown = localized(location, "name")
    parts = [shown]
    other = location.name_ja if shown != location.name_ja else location.name_en
    if other and other != shown:
        parts.append(other)
    if location.municipality is not None:
        parts.append(localized(location.municipality, "name") or location.municipality.name_ja)
    return LABEL_SEPARATOR.join(parts)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


@dataclass
class Choice:
    location: Optional[Location] = None
    candidates: list[Location] = field(default_factory=list)  # when the text names several places


def resolve(text: str, slug: str, commission_ids: list[int]) -> Choice:
    """The location meant by ``text`` (or by the picked ``slug``, when it still matches the text)."""
    text = (text or "").strip()[:300]
    if slug:
        picked = db.session.scalar(select(Location).where(Location.slug == slug[:120], *visible()))
        if picked is not None and (not text or _norm(text) in (_norm(label(picked)), _norm(picked.slug))
                                   or _norm(text) in (_norm(picked.name_ja), _norm(picked.name_en or ""))):
            return Choice(picked)
    if not text:
        return Choice()
    by_slug = db.session.scalar(select(Location).where(Location.slug == text[:120], *visible()))
    if by_slug is not None:
        return Choice(by_slug)
    # The name part of a suggestion's label, or a name typed in full.
    name = text.split(LABEL_SEPARATOR)[0].strip()
    wanted = _norm(name)
    named = [loc for loc in db.session.scalars(select(Location).where(
        or_(Location.name_ja == name, Location.name_en == name, Location.name_ja.ilike(name),
            Location.name_en.ilike(name)), *visible()).limit(50))]
    named = [loc for loc in named if wanted in (_norm(loc.name_ja), _norm(loc.name_en or ""))] or named
    full = [loc for loc in named if _norm(label(loc)) == _norm(text)]
    if len(full) == 1:
        return Choice(full[0])
    if len(named) > 1:
        ours = [loc for loc in named if loc.commission_id in commission_ids]
        return Choice(ours[0]) if len(ours) == 1 else Choice(candidates=named[:8])
    if len(named) == 1:
        return Choice(named[0])
    # Part of a name: the library's own search, the production's film commissions first.
    found = [loc for loc, _distance in library.search_locations(LocationFilter(text=name), per_page=8).results]
    ours = [loc for loc in found if loc.commission_id in commission_ids]
    pool = ours or found
    if len(pool) == 1:
        return Choice(pool[0])
    return Choice(candidates=pool[:8])
