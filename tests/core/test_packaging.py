"""A non-editable install works: the wheel carries the templates, static files, migrations and translations.

The wheel is built from this checkout and installed into a fresh virtual environment, which borrows the
test environment's dependencies (so nothing is downloaded) but not its editable install of this project.
"""
from __future__ import annotations

import os
import site
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

# The installed wheel sets itself up on its own SQLite file, whichever database the suite runs on.
pytestmark = pytest.mark.database_free
ROOT = Path(__file__).resolve().parents[2]

SMOKE = textwrap.dedent("""
    import os, sys
    import locations
    assert not locations.__file__.startswith(os.environ["CHECKOUT"]), locations.__file__
    from locations import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.environ["DB"], "SECRET_KEY": "w" * 40,
                      "SEEDS_DIR": os.environ["SEEDS"], "TILE_URL": "", "SESSION_COOKIE_SECURE": False})
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    for path in ("/?lang=en", "/map?lang=en", "/static/css/site.css", "/static/js/maps.js", "/?lang=ja"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    page = client.get("/map?lang=en").get_data(as_text=True)
    assert "folium-map" in page and "/static/js/maps.js" in page
    assert "映画" in client.get("/?lang=ja").get_data(as_text=True) or "フィルム" in client.get("/?lang=ja").get_data(as_text=True)
    print("rendered")
""")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True)
    (built,) = out.glob("locations-*.whl")
    return built


def test_the_wheel_carries_templates_static_files_migrations_and_translations(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert sum(name.endswith(".html") for name in names) > 40
    assert "locations/core/templates/base.html" in names
    assert "locations/core/static/js/maps.js" in names and "locations/core/static/css/site.css" in names
    assert any(name.startswith("locations/migrations/versions/") for name in names)
    assert "locations/translations/ja/LC_MESSAGES/messages.mo" in names


def test_an_installed_wheel_serves_pages(wheel, tmp_path):
    fresh = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    target = next(fresh.glob("lib/python*/site-packages"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    # The dependencies come from the test environment; its own .pth files (the editable install) are not read.
    (target / "borrowed-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "SECRET_KEY", "DATABASE_URL")}
    env.update(CHECKOUT=str(ROOT), DB=str(tmp_path / "wheel.db"), SEEDS=str(ROOT / "seeds"))
    result = subprocess.run([str(fresh / "bin" / "python"), "-c", SMOKE], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "rendered" in result.stdout
