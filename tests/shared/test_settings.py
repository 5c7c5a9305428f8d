import pytest
from pydantic import ValidationError

from store.settings import StoreSettings


def test_development_admin_key_default_only_in_development():
    assert StoreSettings(COUNCILWATCH_ENV="development", COUNCILWATCH_ADMIN_KEY="").COUNCILWATCH_ADMIN_KEY
    with pytest.raises(ValidationError):
        StoreSettings(COUNCILWATCH_ENV="production", COUNCILWATCH_ADMIN_KEY="")
    with pytest.raises(ValidationError):
        StoreSettings(COUNCILWATCH_ENV="production", COUNCILWATCH_ADMIN_KEY="dev-admin-key")
    with pytest.raises(ValidationError):
        StoreSettings(COUNCILWATCH_ENV="production", COUNCILWATCH_ADMIN_KEY="x" * 40, WEBHOOK_ALLOW_PRIVATE=True)


def test_sqlite_under_var_by_default(tmp_path):
    settings = StoreSettings(COUNCILWATCH_ENV="development", VAR_DIR=tmp_path, DATABASE_URL="")
    assert settings.DATABASE_URL == f"sqlite:///{tmp_path / 'councilwatch.db'}"
