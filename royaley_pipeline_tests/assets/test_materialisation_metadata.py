"""What the Dagster UI shows on each materialisation: a preview of the rows and a quality table."""

from datetime import date

from royaley_pipeline.run_failures import failure_message


def test_raw_and_feature_materialisations_carry_previews_and_quality_tables(pipeline):
    result = pipeline.run_months("collection_job", "NFL", date(2023, 9, 1), date(2023, 10, 31))
    assert result.success, failure_message(result)
    metadata = {
        "/".join(event.asset_key.path): event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    games, odds, weather = metadata["raw/games"], metadata["raw/odds_snapshots"], metadata["raw/weather"]
    # The 2023 opener heads each raw preview: DET 21 @ KC 20, closing KC -4 at -110.
    assert "| NFL     | 2023-09-07  | DET         | KC          |           21 |           20 |" in games["preview"].value
    assert "| 2023_01_DET_KC   | nflverse_close | spread   | home   |   -4   |    -110 |" in odds["preview"].value
    assert "2023_01_DET_KC" in weather["preview"].value
    assert games["preview"].value.count("\n") == 11  # header, rule, ten rows
    assert "| home_score |    122 | 100.0 %" in games["quality"].value
    assert "| price " in odds["quality"].value and "| line " in odds["quality"].value
    assert "| temperature_f " in weather["quality"].value
    features = metadata["features/game_features"]
    quality = features["quality"].value
    for column in ("elo_diff", "closing_spread_home", "closing_total"):
        assert f"| {column} " in quality, column
    assert "2023-10-" in features["preview"].value  # the window's last games
