import os
import stat

import click
import pytest

from locations import MissingSecretKey, create_app
from locations.core.config import from_environment, normalise_database_url


def test_config_mapping_overrides_defaults(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")


def test_create_app_does_no_io(tmp_path):
    db_file = tmp_path / "never-created.db"
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "SECRET_KEY": "k" * 32})
    assert not db_file.exists()


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/app")
    monkeypatch.setenv("SECRET_KEY", "from-env-0123456789")
    monkeypatch.setenv("TILE_URL", "http://tiles.local/{z}/{x}/{y}.png")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/app"
    assert app.config["SECRET_KEY"] == "from-env-0123456789"
    assert app.config["TILE_URL"] == "http://tiles.local/{z}/{x}/{y}.png"


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-instance-config-file'\n")
    in_instance(monkeypatch, tmp_path)
    assert create_app().config["SECRET_KEY"] == "from-instance-config-file"


def test_database_url_normalisation():
    assert normalise_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("postgresql+psycopg://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_from_environment_ignores_unrelated_variables():
    assert from_environment({"PATH": "/bin", "HOME": "/root"}) == {}


def test_wsgi_exposes_an_app(monkeypatch):
    import sys

    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.delitem(sys.modules, "wsgi", raising=False)
    import wsgi

    assert wsgi.app.name == "locations"
    assert os.path.isfile(os.path.join(wsgi.app.root_path, wsgi.app.template_folder, "base.html"))


def in_instance(monkeypatch, path):
    """Make every app built in this test use ``path`` as its instance folder."""
    import flask

    original = flask.Flask.__init__

    def with_instance_path(self, *args, **kwargs):
        kwargs["instance_path"] = str(path)
        original(self, *args, **kwargs)

    monkeypatch.setattr(flask.Flask, "__init__", with_instance_path)


@pytest.mark.parametrize("key", [None, "", "dev-only-change-me", "short"])
def test_the_app_refuses_to_start_without_a_real_secret_key(tmp_path, monkeypatch, key):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    in_instance(monkeypatch, tmp_path)
    settings = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
    if key is not None:
        settings["SECRET_KEY"] = key
    with pytest.raises(MissingSecretKey, match="flask --app wsgi setup"):
        create_app(settings)
    # Tests and the debugger get a throwaway key of their own instead.
    assert len(create_app({**settings, "TESTING": True}).config["SECRET_KEY"]) == 64


def test_flask_run_refuses_but_other_commands_may_go_on(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    in_instance(monkeypatch, tmp_path)
    settings = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with click.Context(click.Command("setup")):
        assert create_app(settings).config["SECRET_KEY"] is None
    with click.Context(click.Command("run")), pytest.raises(MissingSecretKey):
        create_app(settings)


def test_setup_writes_a_private_random_key_that_the_next_start_reads(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    in_instance(monkeypatch, tmp_path / "instance")
    from locations.cli import ensure_secret_key

    with click.Context(click.Command("setup")):
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": None})
    with app.app_context():
        ensure_secret_key()
        written = app.config["SECRET_KEY"]
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(written) == 64 and key_file.read_text().strip() == written
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"] == written
    with app.app_context():
        ensure_secret_key()  # a second setup keeps the key
    assert key_file.read_text().strip() == written
    # Another instance folder gets another key.
    in_instance(monkeypatch, tmp_path / "other")
    with click.Context(click.Command("setup")):
        other = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": None})
    with other.app_context():
        ensure_secret_key()
    assert other.config["SECRET_KEY"] != written


def test_rotating_the_key_keeps_the_old_one_as_a_fallback(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    in_instance(monkeypatch, tmp_path)
    from locations.core.config import write_secret_key_file

    old = write_secret_key_file(str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        signed = app.session_interface.get_signing_serializer(app).dumps({"n": 1})
    result = app.test_cli_runner().invoke(args=["rotate-secret-key"])
    assert result.exit_code == 0, result.output
    rotated = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert rotated.config["SECRET_KEY"] != old and rotated.config["SECRET_KEY_FALLBACKS"] == [old]
    with rotated.test_request_context():
        assert rotated.session_interface.get_signing_serializer(rotated).loads(signed) == {"n": 1}


def test_rate_limits_and_the_seed_folder_are_real_settings(tmp_path):
    settings = from_environment({"PERMIT_PLAN_RATE_LIMIT": "5 per minute", "INCENTIVE_ESTIMATE_RATE_LIMIT": "7 per hour",
                                 "SEEDS_DIR": str(tmp_path)})
    assert settings == {"PERMIT_PLAN_RATE_LIMIT": "5 per minute", "INCENTIVE_ESTIMATE_RATE_LIMIT": "7 per hour",
                        "SEEDS_DIR": str(tmp_path)}
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["PERMIT_PLAN_RATE_LIMIT"] == app.config["INCENTIVE_ESTIMATE_RATE_LIMIT"] == "60 per minute"
    assert os.path.isfile(os.path.join(app.config["SEEDS_DIR"], "prefectures.csv"))
