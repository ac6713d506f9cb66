"""The migrations build exactly the schema the models describe (a model change without a migration fails)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from locations.core.extensions import db

# Made by hand in the migrations, per dialect, and unknown to the models.
HAND_MADE = ("location_fts", "location_search", "filter_tokens", "ix_location_search_text", "search_vector",
             "ix_location_search_vector", "ix_location_search_words", "ix_location_search_position",
             "ix_location_point")


def include_object(obj, name, type_, reflected, compare_to):
    return not (name or "").startswith(HAND_MADE)


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        assert compare_metadata(context, db.metadata) == []
