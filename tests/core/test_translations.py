"""Every UI string has a translation in every catalogue language, keeps its placeholders, and the compiled
catalogues match their sources."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from locations.core.config import DefaultConfig

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "locations" / "translations"
# English is the source language: its text is the msgid, so it has no catalogue.
CATALOGUE_LANGUAGES = [lang for lang in DefaultConfig.LANGUAGES if lang != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdgf]")


def ui_messages() -> set:
    """What pybabel extracts with the project's own babel.cfg (so both see the same files)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        methods, options = parse_mapping_cfg(handle)
    found, templates = set(), set()
    # _l is lazy_gettext, used for form labels; N_ marks seeded vocabularies and import problems.
    for path, _, message, _, _ in extract_from_dir(str(ROOT), methods, options,
                                                 keywords={**DEFAULT_KEYWORDS, "_l": None}):
        found.add(message[0] if isinstance(message, tuple) else message)
        if path.endswith(".html"):
            templates.add(path)
    assert len(templates) > 40, "the templates were not found: check babel.cfg"
    return found


def catalogue(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def test_every_language_has_a_catalogue():
    assert set(CATALOGUE_LANGUAGES) >= {"ja", "zh_Hans", "zh_Hant", "ko"}
    for lang in CATALOGUE_LANGUAGES:
        assert (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").exists(), f"pybabel init -l {lang}"


@pytest.mark.parametrize("lang", CATALOGUE_LANGUAGES)
def test_every_ui_string_is_translated(lang):
    catalog = catalogue(lang)
    missing = []
    for msgid in ui_messages():
        entry = catalog.get(msgid)
        strings = entry.string if entry else None
        if not entry or not all(strings if isinstance(strings, tuple) else [strings]) or entry.fuzzy:
            missing.append(msgid)
    assert missing == [], f"run pybabel extract/update and translate these into {lang}"


@pytest.mark.parametrize("lang", CATALOGUE_LANGUAGES)
def test_translations_keep_their_placeholders(lang):
    """A dropped or renamed %(name)s raises KeyError at render time, in that language only."""
    wrong = []
    for entry in catalogue(lang):
        if not entry.id:
            continue
        source = entry.id[0] if isinstance(entry.id, tuple) else entry.id
        for text in entry.string if isinstance(entry.string, tuple) else (entry.string,):
            if text and sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                wrong.append((source, text))
    assert wrong == []


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


@pytest.mark.parametrize("lang", CATALOGUE_LANGUAGES)
def test_compiled_catalogue_matches_po(lang):
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as handle:
        po = {_as_tuple(m.id): _as_tuple(m.string) for m in read_po(handle) if m.id}
    with open(folder / "messages.mo", "rb") as handle:
        mo = {_as_tuple(m.id): _as_tuple(m.string) for m in read_mo(handle) if m.id}
    assert mo == po, "run: pybabel compile -d locations/translations"
