"""What the Dagster UI shows on each materialisation: that partition's own rows, a preview and a
quality table; a month without games says it is empty."""

import json
from datetime import date

from sqlalchemy import select, update

from royaley_pipeline.assets.checks import features_point_in_time_spot_check
from royaley_pipeline.domain.features import FEATURE_SET_VERSION
from royaley_pipeline.run_failures import failure_message
from royaley_pipeline.storage.models import FeatureRow
from royaley_pipeline_tests.assets.conftest import Pipeline


def test_each_partition_carries_its_own_rows_preview_and_quality_table(pipeline):
    result = pipeline.run_months("collection_job", "NFL", date(2023, 7, 1), date(2023, 10, 31))
    assert result.success, failure_message(result)
    metadata = {
        ("/".join(event.asset_key.path), event.partition): event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert {partition for _, partition in metadata} == {
        "2023-07-01|NFL", "2023-08-01|NFL", "2023-09-01|NFL", "2023-10-01|NFL"}
    september = "2023-09-01|NFL"
    games, odds, weather = (metadata[(name, september)] for name in ("raw/games", "raw/odds_snapshots", "raw/weather"))
    # The 2023 opener heads each raw preview: DET 21 @ KC 20, closing KC -4 at -110.
    assert "| NFL     | 2023-09-07  | DET         | KC          |           21 |           20 |" in games["preview"].value
    assert "| 2023_01_DET_KC   | nflverse_close | spread   | home   |   -4   |    -110 |" in odds["preview"].value
    assert "2023_01_DET_KC" in weather["preview"].value
    assert games["preview"].value.count("\n") == 11  # header, rule, ten rows
    assert games["dagster/row_count"].value == games["games"].value == 49  # September's games, not the run's
    assert games["first_game"].value == "2023-09-07 DET @ KC" and games["last_game"].value.startswith("2023-09-")
    assert odds["dagster/row_count"].value >= 6 * 49 and weather["dagster/row_count"].value == 49
    assert "| price " in odds["quality"].value and "| line " in odds["quality"].value
    assert "| temperature_f " in weather["quality"].value
    october = metadata[("raw/games", "2023-10-01|NFL")]
    assert october["first_game"].value.startswith("2023-10-0") and october["games"].value > 0
    for name in ("raw/games", "raw/odds_snapshots", "raw/weather", "features/game_features"):
        july = metadata[(name, "2023-07-01|NFL")]
        assert july["empty"].value is True and july["dagster/row_count"].value == 0, name
        assert "first_game" not in july
    features = metadata[("features/game_features", "2023-10-01|NFL")]
    quality = features["quality"].value
    for column in ("elo_diff", "closing_spread_home", "closing_total"):
        assert f"| {column} " in quality, column
    assert "2023-10-" in features["preview"].value and features["dagster/row_count"].value == october["games"].value


def test_column_schemas_code_versions_freshness_and_feature_checks_in_dagsters_standard_places(tmp_path):
    pipeline = Pipeline(tmp_path)
    result = pipeline.run_months("collection_job", "NFL", date(2023, 9, 1), date(2023, 10, 31))
    assert result.success, failure_message(result)
    specs = {spec.key.to_user_string(): spec for spec in pipeline.defs.resolve_all_asset_specs()}
    columns = {c.name: c for c in specs["raw/games"].metadata["dagster/column_schema"].schema.columns}
    assert columns["start_time"].type == "timestamp (UTC)" and columns["home_score"].constraints.nullable
    assert "home_elo" in {c.name for c in specs["features/game_features"].metadata["dagster/column_schema"].schema.columns}
    assert "kelly_stake" in {c.name for c in specs["predictions/game_predictions"].metadata["dagster/column_schema"].schema.columns}
    # Code versions name what decides the values (the feature set's version leads), never a run id.
    assert specs["features/game_features"].code_version.startswith(f"{FEATURE_SET_VERSION}-")
    assert specs["models/game_outcome_model"].kinds == {"scikitlearn", "mlflow"}
    assert specs["raw/espn_games"].freshness_policy.deadline_cron == "0 6 * * *"
    assert specs["predictions/game_predictions"].freshness_policy.deadline_cron == "0 8 * * *"
    assert specs["raw/games"].freshness_policy is None  # the historical files are not daily
    references = specs["raw/espn_games"].metadata["dagster/code_references"].code_references
    assert references[0].file_path.endswith("assets/live/espn.py")
    checks = {check.check_name: check for check in result.get_asset_check_evaluations()}
    assert checks["features_filled_and_in_range"].passed, checks["features_filled_and_in_range"].metadata
    spot = checks["features_point_in_time_spot_check"]
    assert spot.passed and "games on 2023-" in spot.metadata["checked"].value["NFL"], spot.metadata
    # A stored value that the history up to its date does not give back is caught.
    day = spot.metadata["checked"].value["NFL"].split(" games on ")[1].split(",")[0]
    with pipeline.engine.begin() as connection:
        row = connection.execute(select(FeatureRow.id, FeatureRow.values).where(FeatureRow.game_date == date.fromisoformat(day))).first()
        values = json.loads(row.values) if isinstance(row.values, str) else dict(row.values)
        values["home_elo"] += 25.0  # what a later result leaking into the rating would look like
        connection.execute(update(FeatureRow).where(FeatureRow.id == row.id).values(values=values))
    tampered = features_point_in_time_spot_check(database=pipeline.defs.resources["database"])
    assert not tampered.passed and f"NFL {day} home_elo" in tampered.metadata["mismatches"].value
