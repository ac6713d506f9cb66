"""The OpenAPI description matches the API: every /api/ route is described, the description is valid
OpenAPI 3.1, and schemathesis (bounded examples, deterministic) finds no 5xx and no answer outside it."""
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from locations.api.openapi import spec

# Per operation; the suite runs it on SQLite and on PostgreSQL, so this bounds CI time (~10 operations).
MAX_EXAMPLES = 30


def described(path: str) -> str:
    return path.replace("<slug>", "{slug}").replace("<path:filename>", "{filename}")


def api_routes(app) -> set[tuple[str, str]]:
    return {(described(rule.rule), method.lower()) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/") for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_api_route_is_described_and_nothing_else(app):
    documented = {(path, method) for path, item in spec()["paths"].items() for method in item}
    assert api_routes(app) == documented


def test_served_as_json_and_as_a_page(client):
    served = client.get("/api/openapi.json")
    assert served.status_code == 200 and served.get_json() == spec() and served.get_json()["openapi"] == "3.1.0"
    for lang, title in (("en", "API reference"), ("ja", "API リファレンス")):
        page = client.get(f"/api/docs?lang={lang}").get_data(as_text=True)
        assert title in page and "/api/docs/assets/swagger-ui-bundle.js" in page and "//cdn" not in page
    asset = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and b"SwaggerUIBundle" in asset.get_data()
    asset.close()
    assert client.get("/api/docs/assets/../../etc/passwd").status_code == 404


def test_the_api_keeps_to_its_description(app):
    # Driven by hand rather than by schemathesis' pytest plugin, which does not run on this pytest.
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {f"{m.upper()} {p}" for p, m in api_routes(app)} - {"GET /api/openapi.json"}, [op.label for op in operations]
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def keeps_to_it(case):
            # The WSGI transport does not undo compression (tests/api/test_http.py checks that part).
            case.call_and_validate(checks=checks, headers={"Accept-Encoding": "identity"})

        keeps_to_it()
