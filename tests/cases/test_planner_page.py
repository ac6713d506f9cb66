import pytest


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_planner_lists_permits_authorities_and_dates(client, lang):
    html = client.get(f"/plan?lang={lang}&near=34.3428,134.0465&start=2030-05-10&end=2030-05-11"
                      "&activity=smoke_flame&activity=drone&activity=road_filming").get_data(as_text=True)
    assert "高松市" in html  # a Takamatsu fire station handles the smoke notice
    assert "大阪航空局" in html or "Osaka Regional Civil Aviation Bureau" in html
    assert "高松北警察署" in html  # the local station (an OpenStreetMap candidate), not the prefectural HQ
    assert "2030-04-" in html  # deadlines counted back across Golden Week


def test_planner_form_and_errors(client):
    assert client.get("/plan?lang=en").status_code == 200
    response = client.get("/plan?lang=en&near=Atlantis&start=2030-01-10&end=2030-01-05")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "No place called “Atlantis” was found." in html and "The last shooting day is before the first." in html
    assert client.get("/plan?near=Takamatsu&start=soon&end=").status_code == 400


def test_planner_from_a_location_page(client):
    slug = client.get("/api/locations?q=栗林公園").get_json()["features"][0]["properties"]["slug"]
    assert f"/plan?slug={slug}" in client.get(f"/locations/{slug}").get_data(as_text=True)
    html = client.get(f"/plan?slug={slug}&start=2030-06-03&end=2030-06-03&lang=en").get_data(as_text=True)
    assert "Urban park filming permit" in html


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_location_page_link_opens_an_empty_form_for_that_place(client, lang):
    """Bug: the link answered 400 with two errors (no dates yet) before the producer typed anything."""
    slug = client.get("/api/locations?q=栗林公園").get_json()["features"][0]["properties"]["slug"]
    response = client.get(f"/plan?slug={slug}&lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'role="alert"' not in html and "栗林公園" in html
    assert f'name="slug" value="{slug}"' in html and 'name="start"' in html


def test_answers_move_permits_between_needed_not_needed_and_to_confirm(client):
    base = ("/plan?lang=en&near=34.3428,134.0465&start=2030-05-10&end=2030-05-11&activity=generator_fuel"
            "&activity=crowd_extras")
    html = client.get(base).get_data(as_text=True)
    assert 'data-permit="FUEL_SMALL_QTY" data-status="to_confirm"' in html
    assert 'data-question="fuel_gasoline_l"' in html and "How many litres of gasoline" in html
    html = client.get(base + "&q_fuel_gasoline_l=100&q_fuel_diesel_l=0").get_data(as_text=True)
    assert 'data-permit="FUEL_SMALL_QTY" data-status="needed"' in html  # 40–199 L: the small-quantity notice
    assert 'data-permit="HAZMAT_TEMP" data-status="not_needed"' in html
    html = client.get(base + "&q_fuel_gasoline_l=250&q_fuel_diesel_l=0&q_public_audience=no").get_data(as_text=True)
    assert 'data-permit="HAZMAT_TEMP" data-status="needed"' in html
    assert 'data-permit="FIRE_EVENT_NOTICE" data-status="not_needed"' in html
    assert "Clear my answers" in html
