"""What the Dagster UI shows on each materialisation: that partition's own rows, a preview and a
quality table; a month without games says it is empty."""

from datetime import date

from royaley_pipeline.run_failures import failure_message


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
