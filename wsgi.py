"""Entry point for `flask --app wsgi` and `gunicorn wsgi:app`."""
from locations import create_app

app = create_app()
