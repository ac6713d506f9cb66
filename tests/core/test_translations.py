"""Every UI string has a Japanese translation, and the compiled catalogue matches its source."""
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "locations" / "translations" / "ja" / "LC_MESSAGES"


def ui_messages() -> set[str]:
    """What pybabel extracts with the project's own babel.cfg (so both see the same files)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        methods, options = parse_mapping_cfg(handle)
    found, templates = set(), set()
    # _l is lazy_gettext, used for form labels.
    for path, _, message, _, _ in extract_from_dir(str(ROOT), methods, options,
                                                 keywords={**DEFAULT_KEYWORDS, "_l": None}):
        found.add(message[0] if isinstance(message, tuple) else message)
        if path.endswith(".html"):
            templates.add(path)
    assert len(templates) > 40, "the templates were not found: check babel.cfg"
    return found


def test_every_ui_string_is_translated_into_japanese():
    with open(CATALOG / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing = []
    for msgid in ui_messages():
        entry = catalog.get(msgid)
        strings = entry.string if entry else None
        if not entry or not any(strings if isinstance(strings, tuple) else [strings]) or entry.fuzzy:
            missing.append(msgid)
    assert missing == [], "run pybabel extract/update and translate these"


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def test_compiled_catalogue_matches_po():
    with open(CATALOG / "messages.po", "rb") as handle:
        po = {_as_tuple(m.id): _as_tuple(m.string) for m in read_po(handle) if m.id}
    with open(CATALOG / "messages.mo", "rb") as handle:
        mo = {_as_tuple(m.id): _as_tuple(m.string) for m in read_mo(handle) if m.id}
    assert mo == po, "run: pybabel compile -d locations/translations"
