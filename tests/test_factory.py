import os

from locations import create_app
from locations.config import from_environment, normalise_database_url


def test_config_mapping_overrides_defaults(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.testing
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")


def test_create_app_does_no_io(tmp_path):
    db_file = tmp_path / "never-created.db"
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}"})
    assert not db_file.exists()


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/app")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("TILE_URL", "http://tiles.local/{z}/{x}/{y}.png")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/app"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["TILE_URL"] == "http://tiles.local/{z}/{x}/{y}.png"


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-instance'\n")
    import flask

    original = flask.Flask.__init__

    def with_instance_path(self, *args, **kwargs):
        kwargs["instance_path"] = str(tmp_path)
        original(self, *args, **kwargs)

    monkeypatch.setattr(flask.Flask, "__init__", with_instance_path)
    assert create_app().config["SECRET_KEY"] == "from-instance"


def test_database_url_normalisation():
    assert normalise_database_url("postgresql://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("postgresql+psycopg://a@b/c") == "postgresql+psycopg://a@b/c"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_from_environment_ignores_unrelated_variables():
    assert from_environment({"PATH": "/bin", "HOME": "/root"}) == {}


def test_wsgi_exposes_an_app():
    import wsgi

    assert wsgi.app.name == "locations"
    assert os.path.isdir(wsgi.app.template_folder)


def test_default_secret_key_is_warned_about(caplog, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with caplog.at_level("WARNING"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "SECRET_KEY is the development default" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32})
    assert "SECRET_KEY" not in caplog.text
