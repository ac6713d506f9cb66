"""Five languages: choosing one (?lang=, cookie, Accept-Language with Chinese regions), the lang attributes,
and the main pages in each language free of UI text in another language's script."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from locations.core.extensions import db
from locations.core.i18n import language_for_tag
from locations.library.models import Location

LANGUAGES = ("ja", "en", "zh_Hans", "zh_Hant", "ko")
HTML_LANG = {"ja": "ja", "en": "en", "zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "ko": "ko"}

KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\uff66-\uff9f]")
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
# What UI text of each language must not contain (text marked lang="…" for another language is skipped).
FORBIDDEN = {
    "ja": {"Hangul": HANGUL},
    "en": {"kana": KANA, "Hangul": HANGUL, "Han": HAN},
    "zh_Hans": {"kana": KANA, "Hangul": HANGUL},
    "zh_Hant": {"kana": KANA, "Hangul": HANGUL},
    "ko": {"kana": KANA},
}
# Words only one of the two Chinese scripts writes this way: UI text in the other one gives itself away.
SIMPLIFIED_ONLY = re.compile("[们这个说时发为们应图检设验览请选资数录显]")
TRADITIONAL_ONLY = re.compile("[們這個說時發為應圖檢設驗覽請選資數錄顯]")


# A Japanese name quoted in brackets inside other text (a statute, a document title, 特定港) is a name, not UI text.
QUOTED = re.compile(r"\([^()]*\)|（[^（）]*）|「[^「」]*」|《[^《》]*》|『[^『』]*』|“[^“”]*”|'[^']*'")


class TextByLanguage(HTMLParser):
    """The page's text nodes with the language in force for each (the nearest lang attribute); the text of
    <title> (which cannot mark a name's language) and of verbatim records (translate="no": sources) is left out."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str | None, bool]] = []
        self.texts: list[tuple[str | None, str]] = []

    def _lang(self):
        for _, lang, _ in reversed(self.stack):
            if lang:
                return lang
        return None

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        self.stack.append((tag, attrs.get("lang"), attrs.get("translate") == "no"))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if any(tag in ("script", "style", "title") or verbatim for tag, _, verbatim in self.stack):
            return
        if data.strip():
            self.texts.append((self._lang(), data.strip()))


def wrong_script(html: str, lang: str) -> list[str]:
    parser = TextByLanguage()
    parser.feed(html)
    found = []
    for text_lang, text in parser.texts:
        if text_lang != HTML_LANG[lang]:
            continue  # marked as another language (data in Japanese, a language's own name in the switch)
        text = QUOTED.sub("", text)
        for script, pattern in FORBIDDEN[lang].items():
            if pattern.search(text):
                found.append(f"{script}: {text[:80]}")
        if lang == "zh_Hans" and TRADITIONAL_ONLY.search(text):
            found.append(f"traditional: {text[:80]}")
        if lang == "zh_Hant" and SIMPLIFIED_ONLY.search(text):
            found.append(f"simplified: {text[:80]}")
    return found


@pytest.mark.parametrize(
    "tag, expected",
    [
        ("zh-CN", "zh_Hans"),
        ("zh-SG", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh-Hans-HK", "zh_Hans"),
        ("zh-TW", "zh_Hant"),
        ("zh-HK", "zh_Hant"),
        ("zh-MO", "zh_Hant"),
        ("zh-Hant", "zh_Hant"),
        ("ko-KR", "ko"),
        ("ko", "ko"),
        ("ja-JP", "ja"),
        ("en-GB", "en"),
        ("fr-FR", None),
    ],
)
def test_accept_language_tags_map_to_catalogues(tag, expected):
    assert language_for_tag(tag, LANGUAGES) == expected


@pytest.mark.parametrize(
    "header, lang",
    [
        ("zh-TW,zh;q=0.9,en;q=0.5", "zh-Hant"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
        ("fr-FR,zh-HK;q=0.7", "zh-Hant"),
        ("en-US,en;q=0.9", "en"),
        ("de", "ja"),
    ],
)
def test_accept_language_chooses_the_page_language(client, header, lang):
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page


def test_the_switch_offers_every_language_and_remembers_the_choice(app):
    client = app.test_client()
    page = client.get("/?lang=zh_Hant").get_data(as_text=True)
    assert '<html lang="zh-Hant">' in page and "影視委員會" in page
    for code, name in (("ja", "日本語"), ("en", "English"), ("zh_Hans", "简体中文"), ("ko", "한국어")):
        assert f'lang="{HTML_LANG[code]}" hreflang="{HTML_LANG[code]}">{name}</a>' in page
    assert '<strong lang="zh-Hant">繁體中文</strong>' in page
    # The cookie keeps it, whatever the browser asks for.
    again = client.get("/commissions", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert '<html lang="zh-Hant">' in again


def main_pages(app) -> list[str]:
    with app.app_context():
        slug = db.session.scalar(select(Location.slug).where(Location.status == "published").order_by(Location.id))
    return [
        "/",
        "/locations",
        "/locations?q=%E5%85%AC%E5%9C%92",
        f"/locations/{slug}",
        "/map",
        "/commissions",
        "/commissions/kagawa-film-commission",
        "/prefectures/37",
        "/blocks/shikoku",
        "/plan",
        "/plan?near=Takamatsu&start=2027-01-13&end=2027-01-14&activity=drone&activity=road_filming&activity=smoke_flame",
        "/incentives",
        "/permit-types",
        "/permit-types/ROAD_USE",
        "/guideline",
        "/about",
        "/reports",
        "/login",
        "/signup",
        "/no-such-page",
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_main_pages_have_no_ui_text_in_another_script(app, client, lang):
    problems = {}
    for url in main_pages(app):
        response = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
        assert response.status_code in (200, 404), (url, response.status_code)
        page = response.get_data(as_text=True)
        assert f'<html lang="{HTML_LANG[lang]}">' in page, url
        found = wrong_script(page, lang)
        if found:
            problems[url] = found[:8]
    assert problems == {}


@pytest.mark.parametrize(
    "lang, words",
    [
        ("zh_Hans", ("取景地", "许可规划", "影视委员会")),
        ("zh_Hant", ("取景地", "許可規劃", "影視委員會")),
        ("ko", ("촬영지", "허가 플래너", "영상위원회")),
    ],
)
def test_chinese_and_korean_pages_speak_their_language(client, lang, words):
    page = client.get(f"/?lang={lang}").get_data(as_text=True)
    for word in words:
        assert word in page


def test_seeded_vocabularies_come_from_the_catalogue(client):
    """Categories, permit names and triggers are seeded in English (triggers) or ja/en only: other readers
    get them through the catalogue, Japanese readers get the triggers in Japanese too."""
    road = client.get("/permit-types/ROAD_USE?lang=ko").get_data(as_text=True)
    assert "도로 사용 허가(경찰)" in road and "공공 도로·보도에서 촬영" in road
    road_ja = client.get("/permit-types/ROAD_USE?lang=ja").get_data(as_text=True)
    assert "公道・歩道での撮影" in road_ja and "filming on public roads" not in road_ja
    search = client.get("/locations?lang=zh_Hant").get_data(as_text=True)
    assert "寺廟或神社" in search and "觀光設施" in search
