"""NHL, MLB, NCAAF, NCAAB, WTA and ATP prices through the same raw assets, from files read in place;
each run's quirk counts are in the raw games materialisation's metadata."""

from datetime import date

import pytest
from dagster import AssetKey

from royaley_pipeline.run_failures import failure_message
from royaley_pipeline.storage.games import count_rows, load_games
from royaley_pipeline_tests.assets.conftest import Pipeline
from royaley_pipeline_tests.sources.external_data import require_external, shared_data_path


@pytest.fixture
def pipeline(tmp_path) -> Pipeline:
    """A pipeline whose settings name the shared data folder (nfelo off: not needed here)."""
    return Pipeline(tmp_path, {"ROYALEY_SHARED_DATA": str(shared_data_path() or tmp_path), "ROYALEY_NFELO_PATH": ""})


def latest_quirks(pipeline) -> dict:
    records = pipeline.instance.fetch_materializations(AssetKey(["raw", "games"]), limit=1).records
    return records[0].asset_materialization.metadata["source_quirks"].value


@pytest.mark.parametrize(
    ("sport", "role", "start", "end", "markets"),
    [
        ("NHL", "nhl_oddsportal", date(2021, 10, 1), date(2021, 10, 31), {"moneyline", "spread", "total"}),
        ("MLB", "mlb_oddsportal", date(2019, 5, 1), date(2019, 5, 31), {"moneyline", "spread", "total"}),
        ("NCAAF", "ncaaf_cfbd", date(2022, 9, 1), date(2022, 9, 30), {"moneyline", "spread", "total"}),
        ("NCAAB", "ncaab_sbro", date(2019, 1, 1), date(2019, 1, 31), {"moneyline", "spread", "total"}),
        ("WTA", "wta_tennis_data", date(2019, 1, 1), date(2019, 1, 31), {"moneyline"}),
    ],
)
def test_a_month_of_each_sport_loads_with_its_lines(pipeline, sport, role, start, end, markets):
    require_external(role)
    result = pipeline.run_months("collection_job", sport, start, end)
    assert result.success, failure_message(result)
    counts = count_rows(pipeline.engine, sport)
    assert counts["games"] > 50 and counts["odds_snapshots"] >= 2 * counts["games"]
    with pipeline.engine.connect() as connection:
        stored = {row[0] for row in connection.exec_driver_sql("SELECT DISTINCT market FROM odds_snapshots")}
    assert stored == markets
    quirks = latest_quirks(pipeline)
    assert sport in quirks and all(isinstance(count, int) and count > 0 for count in quirks[sport].values())


def test_atp_matches_get_tennis_data_prices(pipeline):
    require_external("atp_tennis_data")
    assert pipeline.run_months("collection_job", "ATP", date(2019, 1, 1), date(2019, 1, 31)).success
    counts = count_rows(pipeline.engine, "ATP")
    games = load_games(pipeline.engine, "ATP")
    assert counts["odds_snapshots"] > 4 * 2 * 0.8 * len(games)  # four books, two sides, most matches
    quirks = latest_quirks(pipeline)["ATP"]
    assert quirks["tennis_data_odds_matched"] > 0.8 * len(games)
    assert quirks["retired"] > 0  # Sackmann's retirements are counted in the run, not only tennis-data's
    with pipeline.engine.connect() as connection:
        books = {row[0] for row in connection.exec_driver_sql("SELECT DISTINCT book FROM odds_snapshots")}
    assert {"pinnacle", "oddsportal_max", "oddsportal_avg", "bet365"} <= books
