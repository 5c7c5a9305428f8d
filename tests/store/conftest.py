import pytest

from store.db import make_engine, migrate


@pytest.fixture
def engine(database_url):
    """The store's schema, migrated, on SQLite and on PostgreSQL."""
    migrate(database_url)
    eng = make_engine(database_url)
    yield eng
    eng.dispose()
