"""What the Dagster catalogue shows about each asset besides its data: column schemas, row counts and
code versions, in Dagster's standard metadata keys so the UI renders them in their places.

Column schemas of stored tables come from the SQLAlchemy models (the one definition of each table);
the features' schema from the feature set. A code version is a short hash of the source files that
decide an asset's values (plus the feature-set version where it applies), so Dagster marks an asset
stale when that code changes and not on every run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from dagster import (
    CodeReferencesMetadataValue,
    LocalFileCodeReference,
    MetadataValue,
    TableColumn,
    TableColumnConstraints,
    TableSchema,
)
from sqlalchemy import Column

from royaley_pipeline.storage.models import (
    FeatureRow,
    GameRow,
    InjuryRow,
    OddsSnapshotRow,
    PredictionRow,
    WeatherRow,
)

ROW_COUNT = "dagster/row_count"
COLUMN_SCHEMA = "dagster/column_schema"

_SQL_TYPES = {"INTEGER": "int", "FLOAT": "float", "VARCHAR": "string", "DATE": "date", "BOOLEAN": "bool",
              "JSON": "json"}


def sql_schema(table_columns: Iterable[Column], descriptions: dict[str, str] | None = None) -> TableSchema:
    """A stored table's columns with their types, nullability and uniqueness."""
    columns = []
    for column in table_columns:
        type_name = column.type.__class__.__name__.upper()
        columns.append(TableColumn(
            column.name,
            _SQL_TYPES.get(type_name, "timestamp (UTC)" if "DATETIME" in type_name else type_name.lower()),
            description=(descriptions or {}).get(column.name),
            constraints=TableColumnConstraints(nullable=bool(column.nullable) and not column.primary_key,
                                               unique=bool(column.primary_key or column.unique)),
        ))
    return TableSchema(columns=columns)


GAMES_SCHEMA = sql_schema(GameRow.__table__.columns, {
    "start_time": "kick-off in UTC", "status": "scheduled, final, …",
    "home_score": "final score (NULL until played)", "source_game_id": "the source's id; unique per sport",
})
ODDS_SCHEMA = sql_schema(OddsSnapshotRow.__table__.columns, {
    "line": "home spread (negative = home favoured) or total", "price": "American odds",
    "captured_at": "when the price was seen (UTC); history is appended",
})
WEATHER_SCHEMA = sql_schema(WeatherRow.__table__.columns)
PREDICTIONS_SCHEMA = sql_schema(PredictionRow.__table__.columns, {
    "probability": "the champion's probability of the side's event", "edge": "probability × decimal odds − 1",
    "kelly_stake": "share of bankroll (fractional Kelly, capped)", "tier": "A ≥ 10 %, B ≥ 5 %, C ≥ 2 % edge, D below",
})
INJURIES_SCHEMA = sql_schema(InjuryRow.__table__.columns, {
    "status": "out, doubtful, questionable, probable", "observed_at": "when the report was published (UTC)",
})
# Live tables by name: events (TheSportsDB) and matches (tennis) are stored as games.
TABLE_SCHEMAS = {"games": GAMES_SCHEMA, "events": GAMES_SCHEMA, "matches": GAMES_SCHEMA, "odds_snapshots": ODDS_SCHEMA,
                 "weather": WEATHER_SCHEMA, "injuries": INJURIES_SCHEMA}


def features_schema(feature_columns: Iterable[str], version: str) -> TableSchema:
    """The features as models read them: the stored row's keys and one float column per feature."""
    keys = [column for column in FeatureRow.__table__.columns if column.name != "values"]
    return TableSchema(columns=[
        *sql_schema(keys).columns,
        *[TableColumn(name, "float", description=f"feature set {version}; NaN when unknown before kick-off")
          for name in feature_columns],
    ])


def schema_metadata(schema: TableSchema) -> dict:
    """Definition metadata: the columns, shown on the asset's page before anything is materialised."""
    return {COLUMN_SCHEMA: MetadataValue.table_schema(schema)}


def row_count(rows: int) -> dict:
    """Materialisation metadata: the rows this materialisation wrote, under Dagster's standard key."""
    return {ROW_COUNT: MetadataValue.int(int(rows))}


def code_version(*modules: ModuleType, extra: str = "") -> str:
    """``extra`` (e.g. the feature-set version) and a 12-digit hash of the modules' source files."""
    digest = hashlib.sha256(extra.encode())
    for module in sorted(modules, key=lambda m: m.__name__):
        digest.update(Path(module.__file__).read_bytes())
    return f"{extra}-{digest.hexdigest()[:12]}" if extra else digest.hexdigest()[:12]


def code_reference(module: ModuleType) -> dict:
    """Definition metadata pointing the UI at the module that defines an asset's behaviour (for assets
    built by a factory, whose function lives elsewhere)."""
    return {"dagster/code_references": CodeReferencesMetadataValue(
        code_references=[LocalFileCodeReference(file_path=str(Path(module.__file__).resolve()), line_number=1)]
    )}
