"""Engines and schema: every entry point migrates to Alembic head before it touches data."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from pathlib import Path

from alembic import command
from alembic.config import Config
from filelock import FileLock
from sqlalchemy import Engine, create_engine, event, text

MIGRATIONS = Path(__file__).parent / "migrations"
_migrate_lock = threading.Lock()


def normalise_url(url: str) -> str:
    """Pin PostgreSQL to psycopg2: SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # UTF-8 on the wire whatever the server's default (a cluster initialised without a locale is
    # SQL_ASCII, and team names such as "Montréal" would not encode).
    return create_engine(url, pool_pre_ping=True, client_encoding="utf8")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the UI read while a run writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


# Any constant shared by every process: the key of the PostgreSQL advisory lock around migrations.
_MIGRATION_LOCK_KEY = 0x526F79616C6579  # "Royaley"


def upgrade_to_head(engine: Engine) -> None:
    """Run the Alembic migrations on this engine's database (a no-op when already at head).

    Several processes (code server, run workers, the CLI) may meet a fresh database at once; one
    migrates while the others wait and then find it at head, instead of failing on "relation
    already exists": on PostgreSQL through a transaction-scoped advisory lock, on an SQLite file
    through a lock file next to it.
    """
    with _migrate_lock, _sqlite_file_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _sqlite_file_lock(engine: Engine):
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return nullcontext()
    return FileLock(f"{database}.migrate.lock", timeout=600)


_engines: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One migrated and seeded engine per URL and process."""
    from royaley_pipeline.storage.reference import seed_reference_data

    with _migrate_lock:
        engine = _engines.get(url)
    if engine is None:
        engine = make_engine(url)
        upgrade_to_head(engine)
        seed_reference_data(engine)
        with _migrate_lock:
            kept = _engines.setdefault(url, engine)
        if kept is not engine:  # another thread got there first: keep one pool, close ours
            engine.dispose()
        engine = kept
    return engine


def dispose_engine(url: str) -> None:
    """Close a URL's pooled connections (e.g. before dropping its database)."""
    with _migrate_lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()
