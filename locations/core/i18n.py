"""Language choice: ?lang= switches and is remembered in a cookie; otherwise Accept-Language decides.

The interface speaks five languages (its catalogues); stored records carry Japanese and English only, so a
reader of any language but Japanese gets a record's English text, and seeded vocabularies (categories, permit
names, triggers) reach the other languages through the catalogue (see ``localized_value``)."""
from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

from .extensions import babel
from .fileformats import reason_text

LANG_COOKIE = "lang"

# Each language in its own name, for the switch.
LANGUAGE_NAMES = {"ja": "日本語", "en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文", "ko": "한국어"}
# BCP 47 tags for lang= and hreflang= (Babel's identifiers use an underscore).
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant"}
# Chinese regions whose readers use traditional characters; other regions (CN, SG) and a bare "zh" get simplified.
TRADITIONAL_REGIONS = {"tw", "hk", "mo"}


def language_for_tag(tag: str, languages: Iterable[str]) -> str | None:
    """The catalogue language an Accept-Language tag asks for (zh-TW → zh_Hant, zh-CN → zh_Hans), if offered."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    if parts[0] == "zh":
        subtags = set(parts[1:])
        if "hant" in subtags or (subtags & TRADITIONAL_REGIONS and "hans" not in subtags):
            wanted = "zh_Hant"
        else:
            wanted = "zh_Hans"
    else:
        wanted = parts[0]
    return wanted if wanted in languages else None


def accepted_language(languages: Iterable[str]) -> str | None:
    """The best offered language in the request's Accept-Language header, in the header's order of quality."""
    languages = tuple(languages)
    for tag, quality in request.accept_languages:
        if quality <= 0 or tag == "*":
            continue
        found = language_for_tag(tag, languages)
        if found:
            return found
    return None


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands (import-locations) speak the shell's language: LANG=ja_JP.UTF-8
        lang = (os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or "en")[:2]
        return lang if lang in languages else "en"
    chosen = request.args.get("lang")
    if chosen in languages:
        return chosen
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in languages:
        return remembered
    # Programs calling the API rarely say which language they want; English serves them best.
    fallback = "en" if request.path.startswith("/api/") else current_app.config["BABEL_DEFAULT_LOCALE"]
    return accepted_language(languages) or fallback


def current_language() -> str:
    locale = get_locale()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return f"{locale.language}_{locale.script}" if locale.script else locale.language


def data_language(lang: str | None = None) -> str:
    """The language of stored texts for this reader: "ja" for Japanese readers, "en" for everyone else."""
    return "ja" if (lang or current_language()) == "ja" else "en"


def html_lang(lang: str | None = None) -> str:
    """The BCP 47 tag for a lang attribute (zh-Hans, zh-Hant, ko, …)."""
    lang = lang or current_language()
    return HTML_LANG.get(lang, lang)


def localized_value(ja: str | None, en: str | None, lang: str | None = None) -> str:
    """A record's text in the reader's language: its Japanese or English value, the English one through the
    catalogue for other readers (seeded vocabularies are in it; other English text comes back unchanged)."""
    lang = lang or current_language()
    if lang == "ja":
        return ja or en or ""
    if lang == "en" or not en:
        return en or ja or ""
    return gettext(en)


def vocabulary(text: str | None) -> str:
    """Seeded English text (a permit's triggers) in the reader's language, from the catalogue."""
    return gettext(text) if text else ""


def localized_html(obj: Any, field: str) -> Markup:
    """``localized`` for page text: a Japanese fallback on a non-Japanese page is marked ``lang="ja"``, after
    the record's romanised form (``field_romaji``) when it has one."""
    ja, en = getattr(obj, f"{field}_ja", None), getattr(obj, f"{field}_en", None)
    if current_language() == "ja" or en or not ja:
        return escape(localized_value(ja, en))
    romaji = getattr(obj, f"{field}_romaji", None)
    if romaji:
        return Markup('{} (<span lang="ja">{}</span>)').format(romaji, ja)
    return Markup('<span lang="ja">{}</span>').format(ja)


def localized_entry(entry: Any) -> Markup:
    """One stored {"ja": …, "en": …, and maybe "zh_Hans"/"zh_Hant"/"ko": …} text (a permit step's reasons) in
    the reader's language; where it has none (rows older than those languages), the English one marked
    lang="en"."""
    if not isinstance(entry, dict):
        return escape(entry or "")
    lang = current_language()
    if entry.get(lang):
        return escape(entry[lang])
    if lang == "ja":
        return escape(entry.get("en") or "")
    if lang == "en" or not entry.get("en"):
        return escape(entry.get("en") or entry.get("ja") or "")
    return Markup('<span lang="en">{}</span>').format(entry["en"])


def localized(obj: Any, field: str) -> str:
    """The ``field_ja``/``field_en`` value in the current language (see ``localized_value``)."""
    return localized_value(getattr(obj, f"{field}_ja", None), getattr(obj, f"{field}_en", None))


def localized_lang(obj: Any, field: str) -> str:
    """The language of what ``localized`` shows, for a ``lang`` attribute: a Japanese fallback on an English page
    must be read by a Japanese voice."""
    lang = current_language()
    other = "ja" if lang == "en" else "en"
    return lang if getattr(obj, f"{field}_{lang}", None) else other


def url_in_language(lang: str) -> str:
    """This page's URL with ?lang= set, keeping the other query arguments."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return request.path + "?" + urlencode(args, doseq=True)


def _remember_language(response):
    chosen = request.args.get("lang")
    if chosen in current_app.config["LANGUAGES"] and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=current_app.config["LANG_COOKIE_MAX_AGE"],
            samesite="Lax",
            httponly=True,
        )
    # Pages differ by language, so caches must key on what chooses it.
    if "Vary" in response.headers:
        response.vary.update(("Accept-Language", "Cookie"))
    else:  # the usual case, without parsing an empty header set twice
        response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_language)
    app.jinja_env.globals.update(
        localized=localized, localized_html=localized_html, localized_entry=localized_entry, localized_value=localized_value, localized_lang=localized_lang, current_language=current_language,
        data_language=data_language, html_lang=html_lang, vocabulary=vocabulary, reason_text=reason_text, url_in_language=url_in_language,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
