"""The spatial layers (issue 13 §1): known points per layer, unknown said as unknown, and the speed target."""
from __future__ import annotations

import os

import pytest

from locations.core.config import DEFAULT_SEEDS_DIR
from locations.permits import spatial

HERE = os.path.dirname(__file__)
SAMPLES = (os.path.join(HERE, "..", "data", "layers", "airports_c28_sample.geojson"),
           os.path.join(HERE, "..", "data", "layers", "cultural_registered_sample.geojson"))
TOKYO_STATION = (35.6812, 139.7671)
FUJI_SUMMIT = (35.3606, 138.7274)
HANEDA = (35.5494, 139.7798)
RURAL = (39.33, 141.53)  # farmland east of Tōno, Iwate
NAMBA = (34.6660, 135.5010)


@pytest.fixture(scope="module")
def layers():
    return spatial.load_layers(os.path.join(DEFAULT_SEEDS_DIR, "layers"), tuple(os.path.abspath(p) for p in SAMPLES))


def test_tokyo_station_is_inside_a_did(layers):
    fact = spatial.did_fact(layers, *TOKYO_STATION)
    assert fact.value == "yes" and "千代田区" in fact.note_en and "2020" in fact.note_en


def test_osaka_says_its_did_is_from_2010(layers):
    fact = spatial.did_fact(layers, *NAMBA)
    assert fact.value == "yes" and "2010" in fact.note_en and "平成22年" in fact.note_ja


def test_fuji_summit_is_in_the_special_protection_zone(layers):
    fact, found = spatial.park_fact(layers, *FUJI_SUMMIT)
    assert fact.value == "yes" and found["park"] == "富士箱根伊豆" and found["grade"] == "special_protection"
    assert "特別保護地区" in fact.note_ja and spatial.did_fact(layers, *FUJI_SUMMIT).value == "no"


def test_haneda_is_an_airport(layers):
    fact, nearest = spatial.airport_fact(layers, *HANEDA)
    assert fact.value == "yes" and nearest["km"] < 1 and "東京国際空港" in nearest["name"]


def test_a_rural_point_is_outside_all_but_a_park_is_still_unknown(layers):
    facts = spatial.facts_at(layers, *RURAL)
    assert facts["did"].value == "no" and facts["airport"].value == "no"
    # No quasi-national or prefectural park layer: outside the national parks is not "no park".
    assert facts["national_park"].value is None and "not mapped" in facts["national_park"].note_en
    assert facts["cultural"].value is None


def test_a_registered_cultural_property_nearby_is_named_not_assumed(layers):
    first = layers.cultural.geometries[0]
    fact, near = spatial.cultural_fact(layers, first.y, first.x)
    assert fact.value is None and near["m"] < 1 and near["name"] in fact.note_ja


def test_without_the_unconfirmed_layers_the_planner_says_they_are_not_mapped():
    shipped = spatial.load_layers(os.path.join(DEFAULT_SEEDS_DIR, "layers"))
    assert shipped.cultural is None and shipped.premises is None
    fact, _ = spatial.cultural_fact(shipped, *TOKYO_STATION)
    assert fact.value is None and "not mapped" in fact.note_en
    assert spatial.airport_fact(shipped, *HANEDA)[0].value == "yes"  # OSM aerodromes still answer
