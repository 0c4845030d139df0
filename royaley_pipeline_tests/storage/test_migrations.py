"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from royaley_pipeline.storage.database import make_engine, upgrade_to_head
from royaley_pipeline.storage.models import Base

EXPECTED_TABLES = {
    "sports",
    "teams",
    "team_aliases",
    "players",
    "venues",
    "games",
    "odds_snapshots",
    "weather",
    "injuries",
    "features",
    "predictions",
    "settlements",
    "model_artifact_digests",
    "alembic_version",
}


def test_upgrade_head_builds_the_declared_schema(database_url):
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert tables == EXPECTED_TABLES
    engine.dispose()


def test_upgrade_is_repeatable(database_url):
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    upgrade_to_head(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is not None
    engine.dispose()


def test_natural_keys_are_unique_constraints(database_url):
    engine = make_engine(database_url)
    upgrade_to_head(engine)
    inspector = inspect(engine)
    unique = {
        table: {tuple(c["column_names"]) for c in inspector.get_unique_constraints(table)}
        for table in ("games", "odds_snapshots", "teams", "team_aliases", "features", "predictions", "settlements")
    }
    assert ("sport_id", "source_game_id") in unique["games"]
    assert ("game_id", "book", "market", "side", "captured_at") in unique["odds_snapshots"]
    assert ("sport_id", "alias") in unique["team_aliases"]
    assert ("game_id", "feature_set_version") in unique["features"]
    assert ("game_id", "bet_type", "predicted_at") in unique["predictions"]
    assert ("game_id", "bet_type", "predicted_at") in unique["settlements"]
    engine.dispose()


def test_alembic_upgrade_head_from_the_repository_root(database_url):
    """The documented command: `alembic upgrade head` migrates ROYALEY_DATABASE_URL."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repository = Path(__file__).resolve().parents[2]
    alembic = Path(sys.executable).parent / "alembic"
    env = {**os.environ, "ROYALEY_DATABASE_URL": database_url}
    result = subprocess.run([str(alembic), "upgrade", "head"], cwd=repository, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    engine = make_engine(database_url)
    assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()
