"""The digests of registered model files, kept in the application database, out of MLflow's reach.

Whoever can write to the MLflow store can edit a version's tags and artifacts; a digest kept there
would be edited along with the file. The application database is written only by the pipeline.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select

from royaley_pipeline.storage.models import ModelArtifactDigestRow
from royaley_pipeline.storage.upsert import upsert_rows


def record_digests(engine: Engine, model_name: str, version: int, digests: dict[str, str]) -> None:
    """Replace the recorded digests of one model version (path relative to the model → SHA-256)."""
    now = datetime.now(UTC)
    rows = [{"model_name": model_name, "model_version": version, "path": path, "sha256": sha256,
             "recorded_at": now} for path, sha256 in sorted(digests.items())]
    table = ModelArtifactDigestRow
    with engine.begin() as connection:
        connection.execute(delete(table).where(table.model_name == model_name, table.model_version == version))
        upsert_rows(connection, table.__table__, rows, ["model_name", "model_version", "path"])


def recorded_digests(engine: Engine, model_name: str, version: int) -> dict[str, str]:
    """Path → SHA-256 as recorded at registration; empty when none were."""
    table = ModelArtifactDigestRow
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.path, table.sha256).where(table.model_name == model_name, table.model_version == version)
        ).all()
    return dict(rows)
