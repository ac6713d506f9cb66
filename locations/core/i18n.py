"""Language choice: ?lang= switches and is remembered in a cookie; otherwise Accept-Language decides."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, request
from flask_babel import get_locale

from .extensions import babel

LANG_COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        return chosen
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in languages:
        return remembered
    # Programs calling the API rarely say which language they want; English serves them best.
    fallback = "en" if request.path.startswith("/api/") else current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.accept_languages.best_match(languages) or fallback


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def localized(obj: Any, field: str) -> str:
    """The ``field_en``/``field_ja`` value in the current language, falling back to the other one."""
    lang = current_language()
    other = "ja" if lang == "en" else "en"
    value = getattr(obj, f"{field}_{lang}", None)
    return value if value else (getattr(obj, f"{field}_{other}", None) or "")


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
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_language)
    app.jinja_env.globals.update(
        localized=localized, localized_lang=localized_lang, current_language=current_language,
        url_in_language=url_in_language
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
