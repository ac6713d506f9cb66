"""Planner, case and guideline pages in Chinese and Korean (issue 14, point 4): the permit reasons, the planner's
questions and the guideline's steps come in the reader's language, not as the English the records fall back to.
Each test renders the page in English first, takes the English texts it shows, and fails when any of them appears
in the main content of the page in zh_Hans, zh_Hant or ko."""
from __future__ import annotations

import csv
import html as htmllib
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from locations.cases.models import PermitStep
from locations.core.extensions import db
from locations.permits import vocabulary
from tests.builders import make_production, make_shoot, make_step
from tests.cases.test_case_views import create_production, shoot_form

READERS = ["zh_Hans", "zh_Hant", "ko"]
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PLAN = ("/plan?near=34.3428,134.0465&start=2030-05-10&end=2030-05-11"
        "&activity=smoke_flame&activity=drone&activity=road_filming&activity=vehicles_stopped")
REASONS = re.compile(r'<td class="small"><ul class="plain">(.*?)</ul>', re.DOTALL)
ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)


def main(page: str) -> str:
    return htmllib.unescape(page.split("<main", 1)[1].split("</main>", 1)[0])


def reasons(page: str) -> list[str]:
    return [htmllib.unescape(item) for block in REASONS.findall(page) for item in ITEM.findall(block)]


def seed_texts(name: str, *fields: str) -> list[str]:
    with open(SEEDS / name, encoding="utf-8") as handle:
        return [row[f] for row in csv.DictReader(handle) for f in fields if row[f]]


def test_the_seeded_texts_readers_see_are_in_the_catalogue():
    assert set(seed_texts("permit_questions.csv", "text_en")) <= set(vocabulary.QUESTION_TEXTS)
    assert set(seed_texts("guideline_steps.csv", "title_en", "description_en")) <= set(vocabulary.GUIDELINE_TEXTS)


@pytest.mark.parametrize("lang", READERS)
def test_the_guideline_steps_are_in_the_readers_language(client, lang):
    english = main(client.get("/guideline?lang=en").get_data(as_text=True))
    shown = [text for text in seed_texts("guideline_steps.csv", "title_en", "description_en") if text in english]
    assert len(shown) > 20
    page = main(client.get(f"/guideline?lang={lang}").get_data(as_text=True))
    assert [text for text in shown if text in page] == []


@pytest.mark.parametrize("lang", READERS)
def test_the_planners_reasons_and_questions_are_in_the_readers_language(client, lang):
    english_page = client.get(f"{PLAN}&lang=en").get_data(as_text=True)
    english = reasons(english_page)
    questions = [q for q in seed_texts("permit_questions.csv", "text_en") if q in main(english_page)]
    assert len(english) >= 5 and len(questions) >= 3
    page = client.get(f"{PLAN}&lang={lang}").get_data(as_text=True)
    content = main(page)
    assert [text for text in english if text in content] == []
    assert [text for text in questions if text in content] == []
    # The engine's own English words, and what the map layers say, do not slip through either.
    for fragment in ("only if:", "needed:", "to confirm:", "routing:", "you answered", "ask the local",
                     "inside the DID", "DID edge", "outside every DID", "nearest airport", "nearest heliport",
                     "cultural propert"):
        assert fragment not in content, fragment
    assert len(reasons(page)) == len(english)


@pytest.mark.parametrize("lang", READERS)
def test_the_case_pages_show_step_reasons_in_the_readers_language(app, people, lang):
    producer = people["clients"]["producer"]
    production_id = create_production(app, producer)
    assert producer.post(f"/productions/{production_id}/shoots/new", data=shoot_form()).status_code == 302
    with app.app_context():
        step = db.session.scalars(select(PermitStep).where(PermitStep.production_id == production_id)).first()
        stored = json.loads(step.reasons)
        step_url = f"/productions/{production_id}/steps/{step.id}"
    assert stored and all(entry.get(lang) for entry in stored)
    for url in (f"/productions/{production_id}", step_url):
        english = reasons(producer.get(f"{url}?lang=en").get_data(as_text=True)) or [e["en"] for e in stored]
        content = main(producer.get(f"{url}?lang={lang}").get_data(as_text=True))
        assert [text for text in english if text in content] == [], url
        assert stored[0][lang] in content


def test_a_step_stored_before_the_other_languages_shows_its_english_reason_marked(app, people):
    with app.app_context():
        production = make_production(people["ids"]["producer"])
        make_step(make_shoot(production))  # the builder stores {"ja", "en"} only, as older rows have
        db.session.commit()
        production_id = production.id
    page = people["clients"]["producer"].get(f"/productions/{production_id}?lang=ko").get_data(as_text=True)
    assert '<span lang="en">Because the shoot uses a road</span>' in page
