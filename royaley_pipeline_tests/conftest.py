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


class SharedH2OCluster:
    """At most one small real H2O cluster (1 thread, 1 GB) at a time for the test session."""

    def __init__(self, ice_root: str) -> None:
        self.ice_root = ice_root
        self.cluster = None

    def running(self):
        from royaley_pipeline.h2o_cluster import start_local_cluster

        if self.cluster is None or self.cluster.stopped:
            self.cluster = start_local_cluster(nthreads=1, max_mem_size="1G", ice_root=self.ice_root)
        os.environ["ROYALEY_H2O_URL"] = self.cluster.url
        return self.cluster


@pytest.fixture(scope="session")
def shared_h2o(tmp_path_factory):
    from royaley_pipeline.frameworks import unavailable_reason

    reason = unavailable_reason("h2o")
    if reason is not None:
        pytest.fail(f"H2O tests need H2O and Java: {reason}")
    previous = os.environ.get("ROYALEY_H2O_URL")
    shared = SharedH2OCluster(str(tmp_path_factory.mktemp("h2o_ice")))
    try:
        yield shared
    finally:
        if previous is None:
            os.environ.pop("ROYALEY_H2O_URL", None)
        else:
            os.environ["ROYALEY_H2O_URL"] = previous
        if shared.cluster is not None and not shared.cluster.stopped:
            shared.cluster.shutdown()


@pytest.fixture(scope="module")
def h2o_cluster(shared_h2o):
    """The session's H2O cluster, running, reached like a shared cluster (``ROYALEY_H2O_URL``).

    Started once and reused; a test may shut it down (``h2o_cluster.shutdown()``) to prove that
    scoring needs no cluster, and the next module that asks gets a fresh one.
    """
    return shared_h2o.running()
