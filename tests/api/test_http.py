"""How answers travel: UTF-8 JSON, compressed bodies and year-long caching of versioned outlines."""
import gc
import gzip
import json
import re

import brotli

from locations.core import versions
from locations.core.extensions import db
from locations.directory import layers
from locations.directory.models import Prefecture
from tests.builders import committed_change, login, make_user


def outlines_url(html: str) -> str:
    return re.search(r'"url": "(/api/prefectures\?v=\d+)"', html).group(1)


def test_json_is_utf8_not_escaped(client):
    body = client.get("/api/activities").get_data()
    assert "公道での撮影".encode() in body and b"\\u" not in body
    assert client.get("/api/activities").content_type == "application/json"


def test_json_answers_are_written_as_flask_wrote_them(app, client):
    """Keys sorted, no spaces, a final newline, dates as HTTP dates: what json.dumps wrote before orjson."""
    from datetime import date
    from decimal import Decimal

    from flask import jsonify

    for path in ("/api/locations?bbox=133.4,34.0,134.5,34.6&zoom=12&q=" + "公園", "/api/activities",
                 "/api/locations?q=" + "高松", "/api/nope"):
        body = client.get(path).get_data()
        again = json.dumps(json.loads(body), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        assert body == again.encode(), path
    with app.test_request_context():
        body = jsonify(b=date(2027, 5, 10), a=Decimal("1.50"), c={2: "two"}).get_data()
    assert body == b'{"a":"1.50","b":"Mon, 10 May 2027 00:00:00 GMT","c":{"2":"two"}}\n'


def test_security_headers_are_sent_once_and_the_page_nonce_matches(client):
    names = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Permissions-Policy",
             "Cross-Origin-Opener-Policy", "Content-Security-Policy")
    for path in ("/api/activities", "/locations?lang=en"):
        response = client.get(path)
        assert all(len(response.headers.getlist(name)) == 1 for name in names), path
        assert response.headers.getlist("Vary")[0].startswith("Accept-Language, Cookie"), path
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)


def test_api_and_pages_are_compressed_when_asked(client):
    plain = client.get("/api/prefectures?block=SKK")
    assert "Content-Encoding" not in plain.headers
    zipped = client.get("/api/prefectures?block=SKK", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert len(zipped.get_data()) < len(plain.get_data()) / 2
    br = client.get("/map?lang=en", headers={"Accept-Encoding": "br, gzip"})
    assert br.headers["Content-Encoding"] == "br" and b"<html" in brotli.decompress(br.get_data())
    # Static files too (read whole: a streamed one would leave its file open), and 304s still work.
    for url in ("/vendor/leaflet/leaflet.js", "/static/js/maps.js"):
        script = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
        assert script.status_code == 200 and script.headers["Content-Encoding"] == "gzip"
        raw = client.get(url)
        assert gzip.decompress(script.get_data()) == raw.get_data()
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": script.headers["ETag"]})
        assert again.status_code == 304
        for response in (script, raw, again):
            response.close()  # as the WSGI server does: that closes the file


def test_signed_in_pages_are_not_compressed(app, client):
    # A CSRF token beside reflected text, compressed together, is what BREACH reads.
    with app.app_context():
        user = make_user("producer")
        db.session.commit()
        email = user.email
    login(client, email)
    page = client.get("/account", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    assert client.get("/api/activities", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"


def test_outlines_are_versioned_and_kept_a_year(app, client):
    url = outlines_url(client.get("/map?lang=en").get_data(as_text=True))
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.cache_control.public and answer.cache_control.max_age == 365 * 24 * 3600
    assert answer.cache_control.immutable
    unversioned = client.get("/api/prefectures")
    assert unversioned.cache_control.max_age == 300 and not unversioned.cache_control.immutable
    assert json.loads(unversioned.get_data()) == json.loads(answer.get_data())


def test_a_changed_outline_gets_a_new_url(app, client):
    url = outlines_url(client.get("/map?lang=en").get_data(as_text=True))
    with committed_change(app, Prefecture, {"code": "37"}, name_en="Kagawa (renamed)"):
        new_url = outlines_url(client.get("/map?lang=en").get_data(as_text=True))
        assert new_url != url
        assert client.get(url).cache_control.max_age == 300  # the old version is no longer pinned
        assert "Kagawa (renamed)" in client.get(new_url).get_data(as_text=True)
    with app.app_context():
        assert versions.current(db.session, layers.OUTLINES) >= 2


def test_a_compressed_static_file_is_read_once_and_closed(client):
    # Flask-Compress read the open file of a static response and never closed it (a ResourceWarning,
    # an error under this suite's filters, on every static file the browser tests loaded).
    response = client.get("/static/js/maps.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert b"function" in gzip.decompress(response.data)
    response.close()
    gc.collect()


def test_a_compressed_static_file_is_closed_before_the_server_closes_the_response(app):
    # A browser that drops the connection may leave the response unclosed; the file it was read from must
    # not wait for the garbage collector (the browser tests' "unclosed file" warning on favicon.svg).
    with app.test_request_context("/static/img/favicon.svg", headers={"Accept-Encoding": "gzip"}):
        response = app.send_static_file("img/favicon.svg")
        opened = response.response.file
        response = app.process_response(response)
        assert opened.closed
        response.close()
