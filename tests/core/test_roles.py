"""The one role table: every role has a name in each language and a home page that exists."""
from flask_babel import force_locale

from locations.core import roles


def test_every_role_has_a_label_and_a_home(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    with app.test_request_context("/"):
        for role in roles.ROLES:
            assert roles.home_endpoint(role) in endpoints
            with force_locale("ja"):
                ja = roles.role_label(role)
            with force_locale("en"):
                en = roles.role_label(role)
            assert ja and en and ja != en and ja != role
    assert set(roles.ROLE_LABELS) == set(roles.HOME_ENDPOINTS) == set(roles.ROLES)
    assert set(roles.CASE_ACTORS) <= set(roles.ROLES) and set(roles.CASE_VIEWERS) <= set(roles.ROLES)


def test_the_command_line_and_the_admin_offer_the_same_roles(app, runner):
    help_text = runner.invoke(args=["create-user", "--help"]).output
    assert all(role in help_text for role in roles.ROLES)
