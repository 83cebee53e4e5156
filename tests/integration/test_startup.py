"""The app refuses to serve a database whose schema is behind, and says what to run."""

import pytest
from sqlalchemy import create_engine, text

from interviews.app import create_app
from interviews.config import ConfigError
from interviews.db import SchemaBehindError


def test_start_is_refused_on_an_unmigrated_database(tmp_path, base_config):
    config = {
        **base_config,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "SCHEMA_CHECK": True,
    }

    with pytest.raises(SchemaBehindError, match="Run `interviews db upgrade`"):
        create_app(config)


def test_start_is_refused_when_a_migration_is_missing(tmp_path, base_config):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        )
        connection.execute(text("INSERT INTO alembic_version VALUES ('0000')"))
    engine.dispose()
    config = {**base_config, "DATABASE_URL": url, "SCHEMA_CHECK": True}

    with pytest.raises(SchemaBehindError, match="at 0000"):
        create_app(config)


def test_start_goes_ahead_on_a_migrated_database(migrated):
    app = create_app({**migrated, "SCHEMA_CHECK": True})
    assert app.config["SCHEMA_CHECK"] is True


def test_production_will_not_start_without_a_secret_key(base_config):
    config = {**base_config, "INTERVIEWS_ENV": "production", "SECRET_KEY": None}
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        create_app(config)
