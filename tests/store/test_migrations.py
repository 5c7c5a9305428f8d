"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import store.models  # noqa: F401
from store.db import make_engine, migrate


def test_migrations_match_models(database_url):
    migrate(database_url)
    migrate(database_url)  # idempotent on every start
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == []
