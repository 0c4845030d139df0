"""Shared fixtures: real databases (SQLite files, and PostgreSQL when ROYALEY_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from royaley_pipeline.storage.database import dispose_engine, engine_for, normalise_url

POSTGRES_URL = os.environ.get("ROYALEY_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


def fresh_postgres_database() -> str:
    """A new, empty database on the test server; the caller drops it with drop_postgres_database."""
    if not POSTGRES_URL:
        pytest.skip("ROYALEY_TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"royaley_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return normalise_url(POSTGRES_URL).rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(url: str) -> None:
    dispose_engine(url)
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """An empty database of each backend; every test that takes it runs on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'royaley.db'}"
        return
    url = fresh_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
def engine(database_url):
    return engine_for(database_url)
